/**
 * The settings of an NMF fit, with scikit-learn's names, defaults and checks
 * (scikit-learn 1.2 `NMF`), resolved once into the numbers the solvers use.
 */
import type { Factors } from './init.ts';

/** The β of the β-divergence, as a number or by scikit-learn's names for 2, 1 and 0. */
export type BetaLoss = number | 'frobenius' | 'kullback-leibler' | 'itakura-saito';

/** `mu`: multiplicative updates for any β. `cd`: HALS coordinate descent, Frobenius loss only. */
export type SolverKind = 'mu' | 'cd';

/** Named start of W and H; a `Factors` object in its place is scikit-learn's `init='custom'`. */
export type InitMethod = 'random' | 'nndsvd' | 'nndsvda' | 'nndsvdar';

export interface NmfOptions {
  rank: number;
  /** Default `mu`, catlab's first solver; scikit-learn defaults to `cd`. */
  solver?: SolverKind;
  /** Default 2 (Frobenius). */
  beta?: BetaLoss;
  /**
   * Default `random`, scaled as scikit-learn scales it. scikit-learn's own
   * default, `init=None`, picks `nndsvda` whenever rank ≤ min(samples, features).
   */
  init?: InitMethod | Factors;
  /** Seed of the random initialisation, of NNDSVDar's fill and of the CD shuffle. */
  seed?: number;
  /** Regularisation of W, scaled by the number of features. Default 0. */
  alphaW?: number;
  /** Regularisation of H, scaled by the number of samples; `same` copies alphaW. Default `same`. */
  alphaH?: number | 'same';
  /** Share of the regularisation that is L1; the rest is L2. Default 0. */
  l1Ratio?: number;
  /** Tolerance of the stopping criterion; 0 runs maxIter iterations. Default 1e-4. */
  tol?: number;
  /** Most iterations a fit runs. Default 200. */
  maxIter?: number;
  /** CD only: visit the components in a new random order each sweep. Default false. */
  shuffle?: boolean;
}

/** Penalty weights in the update rules, after scikit-learn's `_compute_regularization`. */
export interface Regularization {
  l1W: number;
  l1H: number;
  l2W: number;
  l2H: number;
}

/** Everything a solver needs, checked and with defaults applied. */
export interface NmfSettings {
  rank: number;
  solver: SolverKind;
  beta: number;
  /** Exponent of the MU step: 1/(2−β) for β < 1, 1/(β−1) for β > 2, else 1. */
  gamma: number;
  init: InitMethod | 'custom';
  seed: number;
  alphaW: number;
  alphaH: number;
  l1Ratio: number;
  tol: number;
  maxIter: number;
  shuffle: boolean;
}

export const DEFAULT_TOL = 1e-4;
export const DEFAULT_MAX_ITER = 200;

const BETA_NAMES: Record<string, number> = { frobenius: 2, 'kullback-leibler': 1, 'itakura-saito': 0 };

/**
 * Parses β from a number or one of scikit-learn's names. Strings that hold a
 * number (`"0.5"`, as a command line gives them) are accepted too.
 */
export function parseBeta(beta: BetaLoss | string): number {
  if (typeof beta === 'number') {
    if (!Number.isFinite(beta)) throw new RangeError(`beta ${beta} is invalid; give a finite number`);
    return beta;
  }
  const named = BETA_NAMES[beta];
  if (named !== undefined) return named;
  const parsed = Number(beta);
  if (beta.trim() === '' || !Number.isFinite(parsed)) {
    throw new RangeError(`beta '${beta}' is invalid; use a number or frobenius, kullback-leibler or itakura-saito`);
  }
  return parsed;
}

/** Returns the MU exponent γ for β, from Févotte & Idier (2011), as scikit-learn uses it. */
export function muExponent(beta: number): number {
  if (beta < 1) return 1 / (2 - beta);
  if (beta > 2) return 1 / (beta - 1);
  return 1;
}

/** Applies defaults and checks every option, naming the value and its valid range. */
export function resolveOptions(options: NmfOptions): NmfSettings {
  const solver = options.solver ?? 'mu';
  if (solver !== 'mu' && solver !== 'cd') throw new RangeError(`solver '${solver}' is invalid; use mu or cd`);
  const beta = parseBeta(options.beta ?? 2);
  if (solver === 'cd' && beta !== 2) {
    throw new RangeError(`solver cd minimises the Frobenius loss only, but beta is ${beta}; use solver mu for other β`);
  }

  const init = options.init ?? 'random';
  const initName = typeof init === 'string' ? init : 'custom';
  if (!['random', 'nndsvd', 'nndsvda', 'nndsvdar', 'custom'].includes(initName)) {
    throw new RangeError(`init '${initName}' is invalid; use random, nndsvd, nndsvda, nndsvdar or custom factors`);
  }

  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed ${seed} is invalid; use an integer from 0 to 4294967295`);
  }
  if (!Number.isInteger(options.rank) || options.rank < 1) {
    throw new RangeError(`rank ${options.rank} is invalid; give a positive integer`);
  }

  const alphaW = nonNegative('alphaW', options.alphaW ?? 0);
  const alphaHOption = options.alphaH ?? 'same';
  const alphaH = alphaHOption === 'same' ? alphaW : nonNegative('alphaH', alphaHOption);
  const l1Ratio = options.l1Ratio ?? 0;
  if (!(l1Ratio >= 0 && l1Ratio <= 1)) throw new RangeError(`l1Ratio ${l1Ratio} is invalid; give a number from 0 to 1`);
  const tol = nonNegative('tol', options.tol ?? DEFAULT_TOL);
  const maxIter = options.maxIter ?? DEFAULT_MAX_ITER;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`maxIter ${maxIter} is invalid; give an integer of at least 1`);

  return {
    rank: options.rank,
    solver,
    beta,
    gamma: muExponent(beta),
    init: initName as NmfSettings['init'],
    seed,
    alphaW,
    alphaH,
    l1Ratio,
    tol,
    maxIter,
    shuffle: options.shuffle ?? false,
  };
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name} ${value} is invalid; give a finite number ≥ 0`);
  return value;
}

/**
 * Scales the penalties as scikit-learn ≥ 1.2 does: W's terms by the number of
 * features and H's by the number of samples, so that their weight against the
 * data-fit term does not change with the size of V.
 */
export function regularization(settings: Pick<NmfSettings, 'alphaW' | 'alphaH' | 'l1Ratio'>, samples: number, features: number): Regularization {
  const { alphaW, alphaH, l1Ratio } = settings;
  return {
    l1W: features * alphaW * l1Ratio,
    l1H: samples * alphaH * l1Ratio,
    l2W: features * alphaW * (1 - l1Ratio),
    l2H: samples * alphaH * (1 - l1Ratio),
  };
}

/** Converts the settings to plain JSON, for manifests and worker messages. */
export function describeSettings(settings: NmfSettings): Record<string, string | number | boolean> {
  return {
    solver: settings.solver,
    beta: settings.beta,
    init: settings.init,
    seed: settings.seed,
    alphaW: settings.alphaW,
    alphaH: settings.alphaH,
    l1Ratio: settings.l1Ratio,
    tol: settings.tol,
    maxIter: settings.maxIter,
    shuffle: settings.shuffle,
  };
}
