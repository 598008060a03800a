/**
 * The CPU reference solver: every option of the GPU solver in float64,
 * written for clarity, not speed. Tests compare the GPU against it and it
 * against scikit-learn; it is also the engine where WebGPU is missing.
 */
import { checkFactors, initialFactors, randomFactors, transformStart, type Factors } from '../init.ts';
import { buildRecord, componentStats, type IterationRecord } from '../measures.ts';
import { checkU8Matrix, checkZerosForBeta, matrixStats, type MatrixStats, type U8Matrix } from '../matrix.ts';
import { regularization, resolveOptions, type NmfOptions, type NmfSettings, type Regularization } from '../options.ts';
import type { VProducts } from '../randomized-svd.ts';
import { PermutationStream } from '../shuffle.ts';
import { convergenceWarning, StoppingRule, type FitResult } from '../stopping.ts';
import { betaDivergence } from './beta-divergence.ts';
import { cdSweep } from './cd.ts';
import { matmul, scaledV } from './linalg.ts';
import { muUpdateH, muUpdateW } from './mu.ts';

export interface CpuFitOptions {
  /** Records every this many iterations, besides the start and the end. 0 records only those. Default 10. */
  recordEvery?: number;
}

export class CpuNmf {
  readonly settings: NmfSettings;
  readonly samples: number;
  readonly features: number;
  readonly rank: number;
  readonly W: Float64Array;
  readonly H: Float64Array;
  readonly stats: MatrixStats;
  iteration = 0;
  private readonly v: Float64Array;
  private readonly penalties: Regularization;
  private readonly orders: PermutationStream;

  /**
   * Starts from `start`, or from `options.init` when that is `random` or
   * custom factors; `create()` also runs the NNDSVD starts. `options` may be
   * a bare rank, for Frobenius MU. `updateH` false keeps H fixed, as in
   * scikit-learn's `transform`.
   */
  constructor(v: U8Matrix, options: NmfOptions | number, start?: { W: ArrayLike<number>; H: ArrayLike<number> }, readonly updateH = true) {
    checkU8Matrix(v);
    this.settings = resolveOptions(typeof options === 'number' ? { rank: options } : options);
    this.stats = matrixStats(v);
    checkZerosForBeta(this.stats, this.settings.beta);
    this.samples = v.samples;
    this.features = v.features;
    this.rank = this.settings.rank;
    this.v = scaledV(v);
    this.penalties = regularization(this.settings, this.samples, this.features);
    this.orders = new PermutationStream(this.settings.seed, this.settings.shuffle);

    let factors = start;
    if (!factors) {
      const init = typeof options === 'number' ? undefined : options.init;
      if (typeof init === 'object') factors = init;
      else if (init === undefined || init === 'random') factors = randomStart(this.settings, this.stats);
      else throw new Error(`init ${init} needs the randomized SVD; create the solver with CpuNmf.create()`);
    }
    checkFactors({ W: Float32Array.from(factors.W), H: Float32Array.from(factors.H) }, this);
    this.W = Float64Array.from(factors.W);
    this.H = Float64Array.from(factors.H);
  }

  /** Creates a solver for any `init`, running NNDSVD's randomized SVD with float64 products. */
  static async create(v: U8Matrix, options: NmfOptions): Promise<CpuNmf> {
    const settings = resolveOptions(options);
    const start = await initialFactors(settings, matrixStats(v), options.init, () => cpuProducts(v));
    return new CpuNmf(v, options, start);
  }

  /** ‖V‖_F with V scaled to [0, 1]. */
  get normOfV(): number {
    return Math.sqrt(this.stats.squaredNorm);
  }

  /** Runs one iteration, W and then H, and returns the CD violation (0 for MU). */
  step(): number {
    const { samples: s, features: f, rank: r, v, W, H, settings, penalties } = this;
    let violation = 0;
    if (settings.solver === 'mu') {
      const common = { samples: s, features: f, rank: r, beta: settings.beta, gamma: settings.gamma };
      muUpdateW(v, W, H, { ...common, l1: penalties.l1W, l2: penalties.l2W });
      if (this.updateH) muUpdateH(v, W, H, { ...common, l1: penalties.l1H, l2: penalties.l2H });
    } else {
      const hht = matmul(H, H, r, r, f, false, true);
      const vht = matmul(v, H, s, r, f, false, true);
      const layoutW = { rows: s, rowStride: r, componentStride: 1 };
      violation += cdSweep(W, hht, vht, layoutW, r, this.orders.next(r), penalties.l1W, penalties.l2W);
      if (this.updateH) {
        const wtw = matmul(W, W, r, r, s, true, false);
        const wtv = matmul(W, v, r, f, s, true, false);
        // H is stored rank × features, so row j of Hᵀ steps by 1 and a component by `features`.
        const layoutH = { rows: f, rowStride: 1, componentStride: f };
        violation += cdSweep(H, wtw, wtv, layoutH, r, this.orders.next(r), penalties.l1H, penalties.l2H);
      }
    }
    this.iteration++;
    return violation;
  }

  /** D_β(V ‖ W·H) of the current factors. */
  divergence(): number {
    return betaDivergence(this.v, this.reconstruction(), this.settings.beta);
  }

  /** sqrt(2·D_β), scikit-learn's `reconstruction_err_`; ‖V − W·H‖_F for β = 2. */
  loss(): number {
    return Math.sqrt(2 * Math.max(0, this.divergence()));
  }

  reconstruction(): Float64Array {
    return matmul(this.W, this.H, this.samples, this.features, this.rank);
  }

  /** Measures the current factors. */
  measure(violation?: number): IterationRecord {
    const wh = this.reconstruction();
    let squaredResidual = 0;
    for (let i = 0; i < wh.length; i++) squaredResidual += (this.v[i] - wh[i]) ** 2;
    const sums = {
      divergence: betaDivergence(this.v, wh, this.settings.beta),
      squaredResidual,
      W: componentStats(this.W, this.samples, this.rank, true),
      H: componentStats(this.H, this.rank, this.features, false),
    };
    return buildRecord(this.iteration, sums, this.stats, violation);
  }

  /** Runs iterations until scikit-learn's criterion is met or maxIter is reached. */
  fit(options: CpuFitOptions = {}): FitResult {
    const recordEvery = options.recordEvery ?? 10;
    const rule = new StoppingRule(this.settings);
    const history = [this.measure()];
    rule.start(history[0].loss);
    let stopped = false;
    while (this.iteration < this.settings.maxIter && !stopped) {
      const violation = this.step();
      const it = this.iteration;
      stopped = rule.needsViolation ? rule.observeViolation(it, violation) : rule.needsLossAt(it) && rule.observeLoss(it, this.loss());
      if (stopped || it === this.settings.maxIter || (recordEvery > 0 && it % recordEvery === 0)) {
        history.push(this.measure(rule.needsViolation ? violation : undefined));
      }
    }
    const converged = rule.convergedAt !== null;
    return { iterations: this.iteration, converged, warning: convergenceWarning(this.settings, converged), history };
  }

  /**
   * Fits W for new data with this solver's H fixed, as scikit-learn's
   * `transform` does: W starts at sqrt(mean(V)/rank) everywhere for MU and
   * at 0 for CD, and the same stopping rule applies.
   */
  transform(v: U8Matrix, options: CpuFitOptions = {}): { W: Float64Array } & FitResult {
    const solver = transformSolver(v, this.settings, this.H);
    const result = solver.fit(options);
    return { W: solver.W, ...result };
  }
}

/** Creates the solver that `transform` runs: H fixed, W at scikit-learn's transform start. */
export function transformSolver(v: U8Matrix, settings: NmfSettings, H: ArrayLike<number>): CpuNmf {
  const stats = matrixStats(v);
  const W = transformStart(stats, settings);
  const options: NmfOptions = { ...settings, init: undefined };
  return new CpuNmf(v, options, { W, H }, false);
}

function randomStart(settings: NmfSettings, stats: MatrixStats): Factors {
  const shape = { samples: stats.samples, features: stats.features, rank: settings.rank };
  return randomFactors(shape, stats.sum / (stats.samples * stats.features), settings.seed);
}

/** Products of V in float64 for the reference's randomized SVD. */
export function cpuProducts(v: U8Matrix): VProducts {
  const values = scaledV(v);
  const { samples, features } = v;
  return {
    samples,
    features,
    times: async (b, l) => matmul(values, b, samples, l, features),
    transposeTimes: async (b, l) => matmul(b, values, l, features, samples, true, false),
  };
}
