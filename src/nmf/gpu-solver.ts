/**
 * NMF on the GPU: Lee–Seung multiplicative updates for the Frobenius loss.
 *
 * V stays on the GPU as packed 8-bit pixels, split into row blocks that each
 * fit one storage binding. Every product of an iteration is recorded once as
 * a dispatch at creation, so running N iterations only re-encodes the same
 * list N times, many iterations per submit.
 */
import { encodeDispatches, type Dispatch } from '../gpu/kernel.ts';
import { DOT_PARTIAL_COUNT, ElementwiseKernels } from '../gpu/elementwise.ts';
import { checkBindingSize } from '../gpu/limits.ts';
import { MatmulKernels } from '../gpu/matmul.ts';
import { GpuResources, readFloat32, writeBuffer } from '../gpu/resources.ts';
import { checkFactors, checkRank, randomFactors, type Factors } from './init.ts';
import { checkU8Matrix, mean, packRows, squaredNorm, wordsPerRow, type U8Matrix } from './matrix.ts';

export interface GpuNmfOptions {
  rank: number;
  /** Seed of the random initialisation; ignored when `init` is given. */
  seed?: number;
  /** Starting W and H; random (scaled as scikit-learn scales it) when absent. */
  init?: Factors;
  /**
   * Largest V block in bytes; the device's maxStorageBufferBindingSize when
   * absent. Tests set it small to exercise the row-block split.
   */
  maxBlockBytes?: number;
  /** Label prefix of every GPU object. */
  label?: string;
}

/** One point of the loss curve. */
export interface LossRecord {
  iteration: number;
  /** ‖V − W·H‖_F with V scaled to [0, 1], scikit-learn's `reconstruction_err_`. */
  loss: number;
  /** loss / ‖V‖_F. */
  relativeError: number;
  /** Seconds of run() since it started, measured when this iteration's submit finished. */
  seconds: number;
}

export interface RunOptions {
  /** Records the loss every this many iterations, and after the last one. 0 records only the last. */
  lossEvery?: number;
  /** Most iterations encoded into one submit. */
  iterationsPerSubmit?: number;
  /** Called after each submit with the iterations done so far and the new loss records. */
  onProgress?: (iteration: number, records: readonly LossRecord[]) => void;
  /** Stops between submits when aborted; the iterations already run are kept. */
  signal?: AbortSignal;
}

/** Loss records one submit can hold: two dot products each. */
const LOSS_SLOTS = 64;

export class GpuNmf {
  readonly samples: number;
  readonly features: number;
  readonly rank: number;
  /** Rows of V in each GPU block. */
  readonly blockRows: number[];
  /** Iterations run so far. */
  iteration = 0;

  private readonly resources: GpuResources;
  private readonly squaredNormOfV: number;
  private readonly W: GPUBuffer;
  private readonly H: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly updateW: Dispatch[];
  private readonly updateH: Dispatch[];
  private readonly lossSlots: Dispatch[][];

  private constructor(readonly device: GPUDevice, v: U8Matrix, options: GpuNmfOptions) {
    checkU8Matrix(v);
    checkRank(options.rank, v.samples, v.features);
    const { samples, features } = v;
    const rank = options.rank;
    const label = options.label ?? 'nmf';
    this.samples = samples;
    this.features = features;
    this.rank = rank;
    this.squaredNormOfV = squaredNorm(v);

    const limits = device.limits;
    const fix = 'Use fewer samples (--limit), a lower rank or smaller images.';
    checkBindingSize(limits, `W (${samples} × ${rank} f32)`, samples * rank * 4, fix);
    checkBindingSize(limits, `H (${rank} × ${features} f32)`, rank * features * 4, fix);

    const init = options.init ?? randomFactors({ samples, features, rank }, mean(v), options.seed ?? 0);
    checkFactors(init, { samples, features, rank });

    this.resources = new GpuResources(device);
    const res = this.resources;
    const f32 = (name: string, count: number) => res.storage(`${label}/${name}`, count * 4);
    this.W = res.storage(`${label}/W`, init.W);
    this.H = res.storage(`${label}/H`, init.H);
    const vht = f32('V·Hᵀ', samples * rank);
    const whht = f32('W·H·Hᵀ', samples * rank);
    const hht = f32('H·Hᵀ', rank * rank);
    const wtw = f32('Wᵀ·W', rank * rank);
    const wtv = f32('Wᵀ·V', rank * features);
    const wtwh = f32('Wᵀ·W·H', rank * features);
    this.partials = f32('loss-partials', LOSS_SLOTS * 2 * DOT_PARTIAL_COUNT);

    // V in row blocks, each within one storage binding.
    const rowWords = wordsPerRow(features);
    const maxBlock = Math.min(options.maxBlockBytes ?? Infinity, limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const rowsPerBlock = Math.floor(maxBlock / (rowWords * 4));
    if (rowsPerBlock < 1) {
      checkBindingSize(limits, `one row of V (${features} pixels)`, rowWords * 4, 'Use smaller images.');
      throw new RangeError(`maxBlockBytes ${options.maxBlockBytes} is smaller than one row of V (${rowWords * 4} bytes)`);
    }
    const blocks: { start: number; rows: number; buffer: GPUBuffer }[] = [];
    for (let start = 0; start < samples; start += rowsPerBlock) {
      const end = Math.min(start + rowsPerBlock, samples);
      blocks.push({ start, rows: end - start, buffer: res.storage(`${label}/V[${start}:${end}]`, packRows(v, start, end)) });
    }
    this.blockRows = blocks.map((block) => block.rows);

    const mm = new MatmulKernels(res);
    const ew = new ElementwiseKernels(res);
    const W = this.W;
    const H = this.H;

    const hhtDispatch = mm.prepare(
      { m: rank, n: rank, k: features, a: { buffer: H, layout: 'f32', ld: features }, b: { buffer: H, layout: 'f32-transposed', ld: features }, c: { buffer: hht, ld: rank } },
      `${label}/H·Hᵀ`,
    );
    this.updateW = [
      hhtDispatch,
      ...blocks.map((block) =>
        mm.prepare(
          {
            m: block.rows, n: rank, k: features,
            a: { buffer: block.buffer, layout: 'u8', ld: rowWords },
            b: { buffer: H, layout: 'f32-transposed', ld: features },
            c: { buffer: vht, ld: rank, offset: block.start * rank },
          },
          `${label}/V·Hᵀ[${block.start}]`,
        ),
      ),
      mm.prepare(
        { m: samples, n: rank, k: rank, a: { buffer: W, layout: 'f32', ld: rank }, b: { buffer: hht, layout: 'f32', ld: rank }, c: { buffer: whht, ld: rank } },
        `${label}/W·H·Hᵀ`,
      ),
      ew.multiplicativeUpdate(W, vht, whht, samples * rank, `${label}/update-W`),
    ];

    this.updateH = [
      mm.prepare(
        { m: rank, n: rank, k: samples, a: { buffer: W, layout: 'f32-transposed', ld: rank }, b: { buffer: W, layout: 'f32', ld: rank }, c: { buffer: wtw, ld: rank } },
        `${label}/Wᵀ·W`,
      ),
      ...blocks.map((block, index) =>
        mm.prepare(
          {
            m: rank, n: features, k: block.rows,
            a: { buffer: W, layout: 'f32-transposed', ld: rank, offset: block.start * rank },
            b: { buffer: block.buffer, layout: 'u8', ld: rowWords },
            c: { buffer: wtv, ld: features },
            accumulate: index > 0,
          },
          `${label}/Wᵀ·V[${block.start}]`,
        ),
      ),
      mm.prepare(
        { m: rank, n: features, k: rank, a: { buffer: wtw, layout: 'f32', ld: rank }, b: { buffer: H, layout: 'f32', ld: features }, c: { buffer: wtwh, ld: features } },
        `${label}/Wᵀ·W·H`,
      ),
      ew.multiplicativeUpdate(H, wtv, wtwh, rank * features, `${label}/update-H`),
    ];

    // ‖V − WH‖² = ‖V‖² − 2⟨H, WᵀV⟩ + ⟨WᵀW, HHᵀ⟩, from the products of the
    // iteration just run plus a fresh H·Hᵀ of the updated H.
    this.lossSlots = Array.from({ length: LOSS_SLOTS }, (_, slot) => [
      hhtDispatch,
      ew.dotPartials(H, wtv, rank * features, this.partials, slot * 2 * DOT_PARTIAL_COUNT, `${label}/loss[${slot}]/⟨H,WᵀV⟩`),
      ew.dotPartials(wtw, hht, rank * rank, this.partials, (slot * 2 + 1) * DOT_PARTIAL_COUNT, `${label}/loss[${slot}]/⟨WᵀW,HHᵀ⟩`),
    ]);
  }

  /**
   * Uploads V and the starting factors and records every dispatch.
   *
   * @example
   * const nmf = await GpuNmf.create(device, v, { rank: 16, seed: 1 });
   * const history = await nmf.run(50, { lossEvery: 10 });
   */
  static async create(device: GPUDevice, v: U8Matrix, options: GpuNmfOptions): Promise<GpuNmf> {
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    let nmf: GpuNmf | undefined;
    try {
      nmf = new GpuNmf(device, v, options);
    } finally {
      const oom = await device.popErrorScope();
      const invalid = await device.popErrorScope();
      const error = oom ?? invalid;
      if (error) {
        nmf?.destroy();
        throw new Error(`creating the NMF solver failed on the GPU: ${error.message}`);
      }
    }
    return nmf;
  }

  /** Bytes of GPU buffers this solver holds: V, W, H, the products and the loss partials. Read-back staging is not counted. */
  get allocatedBytes(): number {
    return this.resources.allocatedBytes;
  }

  /** ‖V‖_F with V scaled to [0, 1]. */
  get normOfV(): number {
    return Math.sqrt(this.squaredNormOfV);
  }

  /**
   * Runs `iterations` more iterations and returns the loss records taken on
   * the way: every `lossEvery` iterations (counted from iteration 0) and
   * after the last one.
   */
  async run(iterations: number, options: RunOptions = {}): Promise<LossRecord[]> {
    const lossEvery = options.lossEvery ?? 0;
    const perSubmit = Math.max(1, options.iterationsPerSubmit ?? 16);
    const start = performance.now();
    const target = this.iteration + iterations;
    const records: LossRecord[] = [];

    while (this.iteration < target && !options.signal?.aborted) {
      const first = this.iteration + 1;
      const last = Math.min(target, this.iteration + perSubmit);
      const lossAt: number[] = [];
      for (let it = first; it <= last && lossAt.length < LOSS_SLOTS; it++) {
        if ((lossEvery > 0 && it % lossEvery === 0) || it === target) lossAt.push(it);
      }
      // End the submit at its last loss record so each record's time is its own.
      const end = lossAt.length > 0 ? lossAt[lossAt.length - 1] : last;
      const encoder = this.device.createCommandEncoder({ label: `nmf/iterations ${first}-${end}` });
      const pass = encoder.beginComputePass({ label: `nmf/iterations ${first}-${end}` });
      for (let it = first; it <= end; it++) {
        encodeDispatches(pass, this.updateW);
        encodeDispatches(pass, this.updateH);
        const slot = lossAt.indexOf(it);
        if (slot >= 0) encodeDispatches(pass, this.lossSlots[slot]);
      }
      pass.end();
      this.device.queue.submit([encoder.finish()]);

      const fresh: LossRecord[] = [];
      if (lossAt.length > 0) {
        const sums = await this.readLossSums(lossAt.length);
        const seconds = (performance.now() - start) / 1000;
        lossAt.forEach((iteration, slot) => fresh.push(this.record(iteration, sums[slot], seconds)));
      } else {
        await this.device.queue.onSubmittedWorkDone();
      }
      this.iteration = end;
      records.push(...fresh);
      options.onProgress?.(this.iteration, fresh);
    }
    return records;
  }

  /** The loss of the current W and H, computed on the GPU without running an iteration. */
  async loss(): Promise<LossRecord> {
    const encoder = this.device.createCommandEncoder({ label: 'nmf/loss' });
    const pass = encoder.beginComputePass({ label: 'nmf/loss' });
    // Wᵀ·W and Wᵀ·V of the current W are the first two steps of the H update.
    encodeDispatches(pass, this.updateH.slice(0, -2));
    encodeDispatches(pass, this.lossSlots[0]);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    const [sums] = await this.readLossSums(1);
    return this.record(this.iteration, sums, 0);
  }

  private async readLossSums(slots: number): Promise<{ cross: number; gram: number }[]> {
    const values = await readFloat32(this.device, this.partials, slots * 2 * DOT_PARTIAL_COUNT);
    const sum = (from: number) => {
      let total = 0;
      for (let i = from; i < from + DOT_PARTIAL_COUNT; i++) total += values[i];
      return total;
    };
    return Array.from({ length: slots }, (_, slot) => ({
      cross: sum(slot * 2 * DOT_PARTIAL_COUNT),
      gram: sum((slot * 2 + 1) * DOT_PARTIAL_COUNT),
    }));
  }

  private record(iteration: number, sums: { cross: number; gram: number }, seconds: number): LossRecord {
    // Rounding can take a near-perfect fit a hair below zero.
    const squared = Math.max(0, this.squaredNormOfV - 2 * sums.cross + sums.gram);
    const loss = Math.sqrt(squared);
    return { iteration, loss, relativeError: this.normOfV > 0 ? loss / this.normOfV : 0, seconds };
  }

  /** The storage buffer holding W (`samples × rank` f32, row-major), for readers such as the search; only the solver writes it. */
  get wBuffer(): GPUBuffer {
    return this.W;
  }

  async readW(): Promise<Float32Array> {
    return readFloat32(this.device, this.W, this.samples * this.rank);
  }

  async readH(): Promise<Float32Array> {
    return readFloat32(this.device, this.H, this.rank * this.features);
  }

  /** Replaces W and H, e.g. to resume from a snapshot. */
  setFactors(factors: Factors, iteration = 0): void {
    checkFactors(factors, this);
    writeBuffer(this.device, this.W, factors.W);
    writeBuffer(this.device, this.H, factors.H);
    this.iteration = iteration;
  }

  destroy(): void {
    this.resources.destroy();
  }
}
