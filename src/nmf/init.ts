/**
 * Starting points for W and H.
 */
import { createRandom } from './random.ts';

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

/** Checks user-given factors: sizes, and entries finite and non-negative. */
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
    for (let i = 0; i < values.length; i++) {
      if (!(values[i] >= 0) || !Number.isFinite(values[i])) {
        const cols = name === 'W' ? shape.rank : shape.features;
        throw new RangeError(
          `initial ${name}[${Math.floor(i / cols)}, ${i % cols}] is ${values[i]}; ` +
            'every entry must be finite and non-negative',
        );
      }
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
