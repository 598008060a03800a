/**
 * The record of a measured iteration, and the arithmetic that turns sums
 * (read back from the GPU or computed by the CPU reference) into records.
 */
import type { MatrixStats } from './matrix.ts';

/** One recorded iteration. */
export interface IterationRecord {
  /** Iterations done when this was measured; 0 is the starting point. */
  iteration: number;
  /** sqrt(2 · D_β(V ‖ W·H)), scikit-learn's `reconstruction_err_`; ‖V − W·H‖_F for β = 2. */
  loss: number;
  /** D_β(V ‖ W·H), the β-divergence itself. */
  divergence: number;
  /** ‖V − W·H‖_F / ‖V‖_F, for every β. */
  relativeError: number;
  /**
   * 1 − ‖V − W·H‖²_F / ‖V − 1·μᵀ‖²_F with μ the per-feature mean of V: the
   * share of V's variance that W·H reproduces, summed over features as PCA's
   * `explained_variance_ratio_` is. 0 when V has no variance.
   */
  explainedVariance: number;
  /** Mean Hoyer sparseness of the columns of W (the components' weights), in [0, 1]. */
  sparsenessW: number;
  /** Mean Hoyer sparseness of the rows of H (the components), in [0, 1]. */
  sparsenessH: number;
  /** Fraction of entries of W that are exactly 0. */
  zerosW: number;
  /** Fraction of entries of H that are exactly 0. */
  zerosH: number;
  /** CD only: the projected-gradient violation of this iteration's W and H sweeps. */
  violation?: number;
  /** Seconds since the run started, when the submit holding this iteration finished. */
  seconds: number;
  /** Seconds per iteration over that submit (0 for the starting point). */
  secondsPerIteration: number;
}

/** @deprecated The old name of `IterationRecord`, kept for existing callers. */
export type LossRecord = IterationRecord;

/** Per-component sums of one factor: columns of W or rows of H. */
export interface ComponentStats {
  /** Σ|x| of each component. */
  l1: Float64Array;
  /** Σx² of each component. */
  squaredL2: Float64Array;
  /** Count of exact zeros over the whole factor. */
  zeros: number;
  /** Entries per component: samples for W, features for H. */
  length: number;
}

/**
 * Hoyer's sparseness (Hoyer 2004), (√n − ‖x‖₁/‖x‖₂) / (√n − 1): 0 for a
 * vector of equal entries, 1 for a single non-zero. A zero vector and a
 * vector of one entry count as 1.
 */
export function hoyerSparseness(l1: number, squaredL2: number, n: number): number {
  if (n <= 1 || squaredL2 <= 0) return 1;
  const root = Math.sqrt(n);
  const value = (root - l1 / Math.sqrt(squaredL2)) / (root - 1);
  // Rounding in a GPU sum can step a hair outside [0, 1].
  return Math.min(1, Math.max(0, value));
}

export function meanSparseness(stats: ComponentStats): number {
  let total = 0;
  for (let c = 0; c < stats.l1.length; c++) total += hoyerSparseness(stats.l1[c], stats.squaredL2[c], stats.length);
  return stats.l1.length > 0 ? total / stats.l1.length : 0;
}

/** Per-component sums of a row-major matrix; `componentsAreColumns` for W, false for H. */
export function componentStats(values: ArrayLike<number>, rows: number, cols: number, componentsAreColumns: boolean): ComponentStats {
  const count = componentsAreColumns ? cols : rows;
  const l1 = new Float64Array(count);
  const squaredL2 = new Float64Array(count);
  let zeros = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const x = values[i * cols + j];
      const component = componentsAreColumns ? j : i;
      l1[component] += Math.abs(x);
      squaredL2[component] += x * x;
      if (x === 0) zeros++;
    }
  }
  return { l1, squaredL2, zeros, length: componentsAreColumns ? rows : cols };
}

/** The sums one measurement produces. */
export interface MeasuredSums {
  /** D_β(V ‖ W·H). */
  divergence: number;
  /** ‖V − W·H‖²_F. */
  squaredResidual: number;
  W: ComponentStats;
  H: ComponentStats;
}

/** Builds a record from the sums; times are filled in by the caller. */
export function buildRecord(iteration: number, sums: MeasuredSums, v: MatrixStats, violation?: number): IterationRecord {
  // Rounding can take a near-perfect fit a hair below zero.
  const divergence = Math.max(0, sums.divergence);
  const squaredResidual = Math.max(0, sums.squaredResidual);
  const normOfV = Math.sqrt(v.squaredNorm);
  const record: IterationRecord = {
    iteration,
    loss: Math.sqrt(2 * divergence),
    divergence,
    relativeError: normOfV > 0 ? Math.sqrt(squaredResidual) / normOfV : 0,
    explainedVariance: v.centeredSquaredNorm > 0 ? 1 - squaredResidual / v.centeredSquaredNorm : 0,
    sparsenessW: meanSparseness(sums.W),
    sparsenessH: meanSparseness(sums.H),
    zerosW: sums.W.zeros / (sums.W.l1.length * sums.W.length),
    zerosH: sums.H.zeros / (sums.H.l1.length * sums.H.length),
    seconds: 0,
    secondsPerIteration: 0,
  };
  if (violation !== undefined) record.violation = violation;
  return record;
}
