/**
 * NMF on the GPU with scikit-learn's options: multiplicative updates for any
 * β and HALS coordinate descent, its initialisations, regularisation,
 * stopping rules and `transform`.
 *
 * Every dispatch of an iteration is recorded once at creation, so running N
 * iterations re-encodes the same list, many iterations per submit. Measures
 * and CD violations are reduced on the GPU into a read-back buffer, one slot
 * per measured iteration. A fit that stops inside a submit rolls W and H back
 * to the copy taken after the stopping iteration, so it ends exactly where
 * scikit-learn's would.
 */
import { CoordinateDescentKernels } from '../gpu/coordinate-descent.ts';
import { ElementwiseKernels } from '../gpu/elementwise.ts';
import { checkBindingSize } from '../gpu/limits.ts';
import { MatmulKernels } from '../gpu/matmul.ts';
import { ReductionKernels } from '../gpu/reductions.ts';
import { GpuResources, readFloat32, writeBuffer } from '../gpu/resources.ts';
import { cdIteration } from './gpu-cd.ts';
import { workLayout, type Piece, type SolverContext } from './gpu-context.ts';
import { IterationLoop } from './gpu-loop.ts';
import { GpuMatrixV } from './gpu-matrix-v.ts';
import { measureDispatches } from './gpu-measure.ts';
import { muIteration } from './gpu-mu.ts';
import { frobeniusProducts } from './gpu-products.ts';
import { gpuProducts } from './gpu-svd.ts';
import { checkFactors, initialFactors, transformStart, type Factors } from './init.ts';
import type { IterationRecord } from './measures.ts';
import { checkZerosForBeta, type U8Matrix } from './matrix.ts';
import { regularization, resolveOptions, type NmfOptions, type NmfSettings } from './options.ts';
import { convergenceWarning, StoppingRule, type FitResult } from './stopping.ts';

export type { IterationRecord, LossRecord } from './measures.ts';
export type { FitResult } from './stopping.ts';

export interface GpuNmfOptions extends NmfOptions {
  /** Largest V block in bytes when V is given as a U8Matrix (see GpuMatrixV). */
  maxBlockBytes?: number;
  /** Largest W·H scratch buffer for β ≠ 2, in bytes. Default 64 MiB, within the binding limit. */
  maxScratchBytes?: number;
  /** Label prefix of every GPU object. */
  label?: string;
}

export interface RunOptions {
  /** Records the measures every this many iterations (counted from 0) and after the last one. 0 records only the last. */
  lossEvery?: number;
  /** Most iterations encoded into one submit (at most 64). */
  iterationsPerSubmit?: number;
  /** Called after each submit with the iterations done so far and the new records. */
  onProgress?: (iteration: number, records: readonly IterationRecord[]) => void;
  /** Stops between submits when aborted; the iterations already run are kept. */
  signal?: AbortSignal;
}

/** `onProgress` also receives the starting record, before the first submit. */
export interface FitOptions extends Omit<RunOptions, 'lossEvery'> {
  /** Records the measures every this many iterations, besides the start and the end. Default 10. */
  recordEvery?: number;
}

type BuildOptions = Pick<GpuNmfOptions, 'label' | 'maxScratchBytes'>;

const DEFAULT_SCRATCH_BYTES = 64 * 1024 * 1024;

export class GpuNmf {
  readonly settings: NmfSettings;
  readonly samples: number;
  readonly features: number;
  readonly rank: number;
  /** Rows of V in each GPU block. */
  readonly blockRows: number[];
  /** Iterations run so far. */
  iteration = 0;

  private readonly ctx: SolverContext;
  private readonly loop: IterationLoop;
  private readonly maxScratchBytes: number | undefined;

  private constructor(readonly device: GPUDevice, readonly v: GpuMatrixV, settings: NmfSettings, start: Factors, private readonly ownsV: boolean, updateH: boolean, options: BuildOptions) {
    const { samples, features } = v;
    const rank = settings.rank;
    const label = options.label ?? 'nmf';
    this.settings = settings;
    this.samples = samples;
    this.features = features;
    this.rank = rank;
    this.blockRows = v.blocks.map((block) => block.rows);
    this.maxScratchBytes = options.maxScratchBytes;
    checkFactors(start, this);

    const limits = device.limits;
    const fix = 'Use fewer samples (--limit), a lower rank or smaller images.';
    checkBindingSize(limits, `W (${samples} × ${rank} f32)`, samples * rank * 4, fix);
    checkBindingSize(limits, `H (${rank} × ${features} f32)`, rank * features * 4, fix);

    const resources = new GpuResources(device);
    const coordinateDescent = new CoordinateDescentKernels(resources);
    const isCd = settings.solver === 'cd';
    const layout = workLayout(settings.beta, rank, isCd ? coordinateDescent.partialCount(samples) : 0, isCd && updateH ? coordinateDescent.partialCount(features) : 0);
    const { pieces, scratch } = this.scratchFor(resources, settings, options, label);
    this.ctx = {
      device,
      resources,
      matmul: new MatmulKernels(resources),
      elementwise: new ElementwiseKernels(resources),
      reductions: new ReductionKernels(resources),
      coordinateDescent,
      v,
      settings,
      penalties: regularization(settings, samples, features),
      rank,
      W: resources.storage(`${label}/W`, start.W),
      H: resources.storage(`${label}/H`, start.H),
      updateH,
      label,
      pieces,
      scratch,
      work: resources.storage(`${label}/work`, layout.size * 4),
      layout,
    };

    const frobenius = settings.beta === 2 ? frobeniusProducts(this.ctx) : null;
    const cd = isCd ? cdIteration(this.ctx, frobenius!) : null;
    this.loop = new IterationLoop(this.ctx, cd ? cd.dispatches : muIteration(this.ctx, frobenius), cd, measureDispatches(this.ctx, frobenius));
  }

  /** Splits V into pieces whose W·H fits the scratch buffer (β ≠ 2 only). */
  private scratchFor(resources: GpuResources, settings: NmfSettings, options: BuildOptions, label: string): { pieces: Piece[]; scratch: GPUBuffer | null } {
    if (settings.beta === 2) return { pieces: [], scratch: null };
    const rowBytes = 8 * this.features;
    const limits = this.device.limits;
    checkBindingSize(limits, `one row of the W·H scratch (${this.features} × 2 f32)`, rowBytes, 'Use smaller images.');
    const budget = Math.min(options.maxScratchBytes ?? DEFAULT_SCRATCH_BYTES, limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const pieceRows = Math.max(1, Math.floor(budget / rowBytes));
    const pieces = this.v.pieces(pieceRows);
    const rows = Math.max(...pieces.map((piece) => piece.rows));
    return { pieces, scratch: resources.storage(`${label}/W·H scratch`, rows * rowBytes) };
  }

  /**
   * Uploads V (unless it is a shared GpuMatrixV), computes the starting
   * factors and records every dispatch.
   *
   * @example
   * const nmf = await GpuNmf.create(device, v, { rank: 16, beta: 'kullback-leibler', init: 'nndsvda' });
   * const { history, converged } = await nmf.fit();
   */
  static async create(device: GPUDevice, v: U8Matrix | GpuMatrixV, options: GpuNmfOptions): Promise<GpuNmf> {
    const settings = resolveOptions(options);
    const owns = !(v instanceof GpuMatrixV);
    const matrix = v instanceof GpuMatrixV ? v : await GpuMatrixV.create(device, v, { maxBlockBytes: options.maxBlockBytes, label: `${options.label ?? 'nmf'}/V` });
    try {
      if (matrix.device !== device) throw new Error('the shared V lives on another GPUDevice; create the solver on the device of its GpuMatrixV');
      checkZerosForBeta(matrix.stats, settings.beta);
      const start = await initialFactors(settings, matrix.stats, options.init, () => gpuProducts(matrix, `${options.label ?? 'nmf'}/init`));
      return await GpuNmf.build(device, matrix, settings, start, owns, true, options);
    } catch (error) {
      if (owns) matrix.destroy();
      throw error;
    }
  }

  private static async build(device: GPUDevice, v: GpuMatrixV, settings: NmfSettings, start: Factors, ownsV: boolean, updateH: boolean, options: BuildOptions): Promise<GpuNmf> {
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    let nmf: GpuNmf | undefined;
    try {
      nmf = new GpuNmf(device, v, settings, start, ownsV, updateH, options);
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

  /**
   * Bytes of GPU buffers this solver holds: W, H, the products, the scratch
   * and read-back slots, and V when the solver uploaded it itself (a shared
   * GpuMatrixV counts its own). Read-back staging is not counted.
   */
  get allocatedBytes(): number {
    return this.ctx.resources.allocatedBytes + (this.ownsV ? this.v.allocatedBytes : 0);
  }

  /** ‖V‖_F with V scaled to [0, 1]. */
  get normOfV(): number {
    return Math.sqrt(this.v.stats.squaredNorm);
  }

  /**
   * Runs `iterations` more iterations, ignoring the stopping rule, and returns
   * the records taken on the way: every `lossEvery` iterations (counted from
   * iteration 0) and after the last one.
   */
  async run(iterations: number, options: RunOptions = {}): Promise<IterationRecord[]> {
    const { records, done } = await this.loop.advance(this.iteration, this.iteration + iterations, { ...options, recordEvery: options.lossEvery ?? 0 }, null);
    this.iteration = done;
    return records;
  }

  /**
   * Runs until scikit-learn's stopping criterion is met or `maxIter`
   * iterations are done in total, and returns the records and whether it
   * converged.
   */
  async fit(options: FitOptions = {}): Promise<FitResult> {
    const rule = new StoppingRule(this.settings);
    const history = [await this.measure()];
    rule.start(history[0].loss);
    options.onProgress?.(this.iteration, history);
    const { records, done } = await this.loop.advance(this.iteration, this.settings.maxIter, { ...options, recordEvery: options.recordEvery ?? 10 }, rule);
    this.iteration = done;
    history.push(...records);
    if (history[history.length - 1].iteration !== this.iteration) {
      // A CD fit can stop between measures; its last record is measured after the roll-back.
      const last = await this.measure();
      last.seconds = history[history.length - 1].seconds;
      if (this.loop.lastViolation !== undefined && this.settings.solver === 'cd') last.violation = this.loop.lastViolation;
      history.push(last);
      options.onProgress?.(this.iteration, [last]);
    }
    const converged = rule.convergedAt !== null;
    const aborted = this.iteration < this.settings.maxIter && !converged;
    const warning = aborted ? `the fit was aborted after ${this.iteration} of ${this.settings.maxIter} iterations` : convergenceWarning(this.settings, converged);
    return { iterations: this.iteration, converged, warning, history };
  }

  /**
   * Fits W for new data with this solver's H fixed, as scikit-learn's
   * `transform` does (W starts at sqrt(mean(V)/rank) for MU, 0 for CD).
   */
  async transform(v: U8Matrix | GpuMatrixV, options: FitOptions = {}): Promise<{ W: Float32Array } & FitResult> {
    if (v.features !== this.features) {
      throw new RangeError(`transform needs ${this.features} features like the fitted V, but the new V has ${v.features}`);
    }
    const H = await this.readH();
    const owns = !(v instanceof GpuMatrixV);
    const matrix = v instanceof GpuMatrixV ? v : await GpuMatrixV.create(this.device, v, { label: `${this.ctx.label}/transform/V` });
    let solver: GpuNmf | undefined;
    try {
      checkZerosForBeta(matrix.stats, this.settings.beta, 'the new V');
      const start = { W: transformStart(matrix.stats, this.settings), H };
      solver = await GpuNmf.build(this.device, matrix, this.settings, start, owns, false, { label: `${this.ctx.label}/transform`, maxScratchBytes: this.maxScratchBytes });
      const result = await solver.fit(options);
      return { W: await solver.readW(), ...result };
    } finally {
      if (solver) solver.destroy();
      else if (owns) matrix.destroy();
    }
  }

  /** Measures the current W and H on the GPU without running an iteration. */
  measure(): Promise<IterationRecord> {
    return this.loop.measure(this.iteration);
  }

  /** Returns `measure()`, under the name it had while it measured only the loss. */
  loss(): Promise<IterationRecord> {
    return this.measure();
  }

  /** The storage buffer of W (`samples × rank` f32, row-major), for readers such as the search; only the solver writes it. */
  get wBuffer(): GPUBuffer {
    return this.ctx.W;
  }

  async readW(): Promise<Float32Array> {
    return readFloat32(this.device, this.ctx.W, this.samples * this.rank);
  }

  async readH(): Promise<Float32Array> {
    return readFloat32(this.device, this.ctx.H, this.rank * this.features);
  }

  /** Replaces W and H, e.g. to resume from a snapshot. */
  setFactors(factors: Factors, iteration = 0): void {
    checkFactors(factors, this);
    writeBuffer(this.device, this.ctx.W, factors.W);
    writeBuffer(this.device, this.ctx.H, factors.H);
    this.iteration = iteration;
  }

  /** Frees the solver's buffers, and V too when the solver uploaded it itself. */
  destroy(): void {
    this.ctx?.resources.destroy();
    if (this.ownsV) this.v.destroy();
  }
}
