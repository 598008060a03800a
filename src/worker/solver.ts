/**
 * One small interface over the two NMF engines the worker can train with:
 * the WebGPU solver and the float64 CPU reference where WebGPU is missing.
 */
import { GpuNmf } from '../nmf/gpu-solver.ts';
import { randomFactors, type Factors } from '../nmf/init.ts';
import { mean, type U8Matrix } from '../nmf/matrix.ts';
import { CpuNmf } from '../nmf/reference.ts';
import type { LossPoint } from './protocol.ts';

export interface SolverRunOptions {
  /** Receives the loss of every iteration, in order, as soon as it is known. */
  onLosses: (points: LossPoint[]) => void;
  /** Stops between iterations (CPU) or between submits (GPU); iterations already run are kept. */
  signal?: AbortSignal;
  /** GPU only: iterations encoded into one submit, which is also how often an abort is noticed. */
  iterationsPerSubmit: number;
}

export interface Solver {
  readonly kind: 'gpu' | 'cpu';
  readonly rank: number;
  /** Iterations run since the random start (or since the snapshot resumed from). */
  readonly iteration: number;
  /** Bytes of GPU buffers held; 0 on the CPU. */
  readonly gpuBytes: number;
  run(iterations: number, options: SolverRunOptions): Promise<void>;
  /** The device and the buffer of W, which a search can read in place; absent on the CPU. */
  readonly gpuW?: { device: GPUDevice; buffer: GPUBuffer };
  /** Copies W and H into CPU memory. */
  readFactors(): Promise<Factors>;
  destroy(): void;
}

export interface SolverStart {
  rank: number;
  seed: number;
  /** Factors to continue from instead of the random start, with the iteration they were taken at. */
  resumeFrom?: Factors & { iteration: number };
}

/** Returns the seeded random start both engines share, so a seed gives the same W and H on either. */
export function startingFactors(v: U8Matrix, start: SolverStart): Factors {
  if (start.resumeFrom) return { W: start.resumeFrom.W, H: start.resumeFrom.H };
  return randomFactors({ samples: v.samples, features: v.features, rank: start.rank }, mean(v), start.seed);
}

class GpuSolver implements Solver {
  readonly kind = 'gpu';

  constructor(private readonly nmf: GpuNmf) {}

  get rank(): number {
    return this.nmf.rank;
  }

  get iteration(): number {
    return this.nmf.iteration;
  }

  get gpuBytes(): number {
    return this.nmf.allocatedBytes;
  }

  get gpuW(): { device: GPUDevice; buffer: GPUBuffer } {
    return { device: this.nmf.device, buffer: this.nmf.wBuffer };
  }

  async run(iterations: number, options: SolverRunOptions): Promise<void> {
    await this.nmf.run(iterations, {
      lossEvery: 1,
      iterationsPerSubmit: options.iterationsPerSubmit,
      signal: options.signal,
      onProgress: (_iteration, records) => {
        options.onLosses(records.map(({ iteration, loss, relativeError }) => ({ iteration, loss, relativeError })));
      },
    });
  }

  async readFactors(): Promise<Factors> {
    return { W: await this.nmf.readW(), H: await this.nmf.readH() };
  }

  destroy(): void {
    this.nmf.destroy();
  }
}

/** Creates the WebGPU solver; it throws when the device rejects the buffers or pipelines. */
export async function createGpuSolver(device: GPUDevice, v: U8Matrix, start: SolverStart): Promise<Solver> {
  const init = startingFactors(v, start);
  const nmf = await GpuNmf.create(device, v, { rank: start.rank, init, label: 'playground' });
  if (start.resumeFrom) nmf.iteration = start.resumeFrom.iteration;
  return new GpuSolver(nmf);
}

/** Time the CPU engine computes before it yields to the worker's message queue, in milliseconds. */
const CPU_SLICE_MS = 30;

class CpuSolver implements Solver {
  private sliceStart = performance.now();

  readonly kind = 'cpu';
  readonly gpuBytes = 0;
  private readonly nmf: CpuNmf;

  constructor(v: U8Matrix, start: SolverStart) {
    const init = startingFactors(v, start);
    this.nmf = new CpuNmf(v, start.rank, init);
    if (start.resumeFrom) this.nmf.iteration = start.resumeFrom.iteration;
  }

  get rank(): number {
    return this.nmf.rank;
  }

  get iteration(): number {
    return this.nmf.iteration;
  }

  async run(iterations: number, options: SolverRunOptions): Promise<void> {
    const target = this.nmf.iteration + iterations;
    let pending: LossPoint[] = [];
    while (this.nmf.iteration < target && !options.signal?.aborted) {
      this.nmf.step();
      const loss = this.nmf.loss();
      pending.push({ iteration: this.nmf.iteration, loss, relativeError: this.nmf.normOfV > 0 ? loss / this.nmf.normOfV : 0 });

      // The CPU engine runs in the worker's own thread, so it yields every
      // CPU_SLICE_MS to let the worker handle poll() and pause() calls. The
      // slice spans calls: short runs in a loop must yield too, or they starve
      // the message queue.
      if (performance.now() - this.sliceStart > CPU_SLICE_MS) {
        options.onLosses(pending);
        pending = [];
        await new Promise((resolve) => setTimeout(resolve, 0));
        this.sliceStart = performance.now();
      }
    }
    if (pending.length > 0) options.onLosses(pending);
  }

  async readFactors(): Promise<Factors> {
    return { W: Float32Array.from(this.nmf.W), H: Float32Array.from(this.nmf.H) };
  }

  destroy(): void {}
}

/** Creates the float64 CPU engine. */
export function createCpuSolver(v: U8Matrix, start: SolverStart): Solver {
  return new CpuSolver(v, start);
}
