/**
 * scikit-learn's stopping criteria (1.2), shared by the GPU solver and the
 * CPU reference so both stop on the same iteration for the same numbers.
 *
 * - MU: every 10 iterations, when tol > 0, stop once
 *   (previous_error − error) / error_at_init < tol, with errors in the
 *   `square_root=True` convention and previous_error the last check's.
 * - CD: after every iteration, stop once violation / violation_init ≤ tol,
 *   violation_init being the first iteration's, or at once when that is 0.
 *   This check runs for tol = 0 too, as in scikit-learn.
 * A fit that resumes after earlier iterations takes its own first loss and
 * first violation as the references.
 */
import type { IterationRecord } from './measures.ts';
import type { NmfSettings } from './options.ts';

/** The outcome of a fit, on the GPU and the CPU alike. */
export interface FitResult {
  /** Iterations run in total. */
  iterations: number;
  /** Whether the stopping criterion was met before maxIter ran out. */
  converged: boolean;
  /** Set when maxIter ran out first (and tol > 0), like scikit-learn's ConvergenceWarning. */
  warning: string | null;
  /** The starting point, every `recordEvery`-th iteration and the last one. */
  history: IterationRecord[];
}

/** Iterations between two MU convergence checks, fixed in scikit-learn. */
export const MU_CHECK_EVERY = 10;

export class StoppingRule {
  private errorAtInit = Number.NaN;
  private previousError = Number.NaN;
  private violationAtFirst = Number.NaN;
  /** Iteration at which the criterion held, or null while it has not. */
  convergedAt: number | null = null;

  constructor(private readonly settings: Pick<NmfSettings, 'solver' | 'tol' | 'maxIter'>) {}

  /** Returns whether the MU rule needs the loss after `iteration`. */
  needsLossAt(iteration: number): boolean {
    return this.settings.solver === 'mu' && this.settings.tol > 0 && iteration % MU_CHECK_EVERY === 0;
  }

  /** Whether the CD rule needs the violation after every iteration. */
  get needsViolation(): boolean {
    return this.settings.solver === 'cd';
  }

  /** Records the loss of the starting factors, the MU rule's reference. */
  start(errorAtInit: number): void {
    this.errorAtInit = errorAtInit;
    this.previousError = errorAtInit;
  }

  /**
   * Feeds the MU loss after `iteration` and returns true when the fit stops
   * there. A zero starting error (V and W·H both zero) counts as converged at
   * the first check, where scikit-learn divides by zero.
   */
  observeLoss(iteration: number, error: number): boolean {
    if (!this.needsLossAt(iteration) || this.convergedAt !== null) return this.convergedAt !== null;
    if (Number.isNaN(this.errorAtInit)) throw new Error('StoppingRule.start() must record the starting loss before the first check');
    const decrease = this.errorAtInit > 0 ? (this.previousError - error) / this.errorAtInit : 0;
    if (decrease < this.settings.tol) {
      this.convergedAt = iteration;
      return true;
    }
    this.previousError = error;
    return false;
  }

  /** Feeds the CD violation of `iteration` (its W and H sweeps together) and returns true when the fit stops there. */
  observeViolation(iteration: number, violation: number): boolean {
    if (this.settings.solver !== 'cd' || this.convergedAt !== null) return this.convergedAt !== null;
    if (Number.isNaN(this.violationAtFirst)) this.violationAtFirst = violation;
    if (this.violationAtFirst === 0 || violation / this.violationAtFirst <= this.settings.tol) {
      this.convergedAt = iteration;
      return true;
    }
    return false;
  }
}

/**
 * The warning of a fit that ran `maxIter` iterations without meeting its
 * criterion, in the spirit of scikit-learn's ConvergenceWarning. Fits with
 * tol = 0 asked for a fixed count and get none. scikit-learn also warns when
 * the criterion is met exactly at max_iter; here that fit counts as converged.
 */
export function convergenceWarning(settings: Pick<NmfSettings, 'tol' | 'maxIter'>, converged: boolean): string | null {
  if (converged || settings.tol === 0) return null;
  return (
    `the fit reached maxIter = ${settings.maxIter} iterations before its change fell below tol = ${settings.tol}; ` +
    'raise maxIter (or tol) for a converged result'
  );
}
