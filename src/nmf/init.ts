/**
 * Starting points for W and H: scikit-learn's `random`, NNDSVD variants and
 * custom factors.
 */
import { checkNonNegative, type MatrixStats } from './matrix.ts';
import { fillNndsvdZeros, nndsvdFromSvd } from './nndsvd.ts';
import type { NmfOptions, NmfSettings } from './options.ts';
import { createRandom } from './random.ts';
import { randomizedSvd, type VProducts } from './randomized-svd.ts';

export interface Factors {
  /** `samples × rank`, row-major. */
  W: Float32Array;
  /** `rank × features`, row-major. */
  H: Float32Array;
}

export interface FactorShape {
  samples: number;
  features: number;
  rank: number;
}

/**
 * Draws |N(0, 1)| · sqrt(mean(V) / rank) for every entry, the scale
 * scikit-learn's `init='random'` uses, so that W·H starts at the mean of V.
 * H is drawn before W, as scikit-learn does; the generator itself differs
 * from NumPy's, so the values do not match scikit-learn's.
 */
export function randomFactors(shape: FactorShape, meanOfV: number, seed: number): Factors {
  const scale = Math.sqrt(meanOfV / shape.rank);
  const random = createRandom(seed);
  const H = new Float32Array(shape.rank * shape.features);
  const W = new Float32Array(shape.samples * shape.rank);
  for (let i = 0; i < H.length; i++) H[i] = Math.abs(random.normal()) * scale;
  for (let i = 0; i < W.length; i++) W[i] = Math.abs(random.normal()) * scale;
  return { W, H };
}

/**
 * Checks user-given factors as scikit-learn's `init='custom'` does: sizes,
 * entries finite and non-negative, and neither matrix all zeros (a
 * multiplicative update can never move an all-zero factor).
 */
export function checkFactors(factors: Factors, shape: FactorShape): void {
  const expected = { W: shape.samples * shape.rank, H: shape.rank * shape.features };
  const dims = { W: `${shape.samples} × ${shape.rank}`, H: `${shape.rank} × ${shape.features}` };
  for (const name of ['W', 'H'] as const) {
    const values = factors[name];
    if (values.length !== expected[name]) {
      throw new RangeError(
        `initial ${name} has ${values.length} values, but samples × rank × features needs ${name} to be ` +
          `${dims[name]} = ${expected[name]}`,
      );
    }
    checkNonNegative(values, name === 'W' ? shape.rank : shape.features, `initial ${name}`);
  }
}

/** Rejects custom factors of which one is all zeros, as scikit-learn's `_check_init` does. */
export function checkNotAllZeros(factors: Factors): void {
  for (const name of ['W', 'H'] as const) {
    if (factors[name].every((x) => x === 0)) {
      throw new RangeError(`initial ${name} is all zeros; give at least one positive entry`);
    }
  }
}

/** Checks that `rank` is a positive integer no larger than min(samples, features). */
export function checkRank(rank: number, samples: number, features: number): void {
  const max = Math.min(samples, features);
  if (!Number.isInteger(rank) || rank < 1 || rank > max) {
    throw new RangeError(
      `rank ${rank} is invalid for ${samples} samples × ${features} features; ` +
        `choose an integer from 1 to ${max} (min(samples, features))`,
    );
  }
}

/** Checks the rank for an initialisation: NNDSVD needs rank ≤ min(samples, features), the others any rank ≥ 1. */
export function checkRankForInit(rank: number, samples: number, features: number, init: NmfSettings['init']): void {
  if (!Number.isInteger(rank) || rank < 1) {
    throw new RangeError(`rank ${rank} is invalid; give a positive integer`);
  }
  if (init.startsWith('nndsvd') && rank > Math.min(samples, features)) {
    throw new RangeError(
      `init ${init} needs rank ≤ min(samples, features) = ${Math.min(samples, features)} for ${samples} × ${features}, ` +
        `but rank is ${rank}; lower the rank or use init random`,
    );
  }
}

/**
 * Computes the starting W and H for `settings.init`. NNDSVD variants run a
 * randomized SVD through `products`, the GPU or the CPU reference.
 */
export async function initialFactors(
  settings: NmfSettings,
  stats: MatrixStats,
  custom: NmfOptions['init'],
  products: () => VProducts,
): Promise<Factors> {
  const shape = { samples: stats.samples, features: stats.features, rank: settings.rank };
  checkRankForInit(settings.rank, shape.samples, shape.features, settings.init);
  const meanOfV = stats.sum / (stats.samples * stats.features);
  switch (settings.init) {
    case 'custom': {
      const factors = custom as Factors;
      checkFactors(factors, shape);
      checkNotAllZeros(factors);
      return { W: Float32Array.from(factors.W), H: Float32Array.from(factors.H) };
    }
    case 'random':
      return randomFactors(shape, meanOfV, settings.seed);
    default: {
      const svd = await randomizedSvd(products(), settings.rank, settings.seed);
      return fillNndsvdZeros(nndsvdFromSvd(svd, shape.samples, shape.features), settings.init, meanOfV, settings.seed);
    }
  }
}

/**
 * W at the start of a transform, as scikit-learn's `transform` sets it:
 * sqrt(mean(V)/rank) everywhere for MU (which cannot move zeros), zeros for CD.
 */
export function transformStart(stats: MatrixStats, settings: Pick<NmfSettings, 'solver' | 'rank'>): Float32Array {
  const W = new Float32Array(stats.samples * settings.rank);
  if (settings.solver === 'mu') W.fill(Math.sqrt(stats.sum / (stats.samples * stats.features) / settings.rank));
  return W;
}
