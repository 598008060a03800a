/**
 * NNDSVD initialisation (Boutsidis & Gallopoulos 2008) from a truncated SVD
 * of V, with scikit-learn's variants for the zeros it leaves: `nndsvda` fills
 * them with mean(V), `nndsvdar` with |mean(V) · N(0, 1) / 100|.
 *
 * The result does not depend on the signs of the singular vectors: negating
 * a pair (u, v) swaps its positive and negative parts, and the pair with the
 * larger norm product is kept either way (exact ties aside).
 */
import type { Factors } from './init.ts';
import type { InitMethod } from './options.ts';
import { createRandom } from './random.ts';
import type { TruncatedSvd } from './randomized-svd.ts';

/** Entries below this are set to zero, as scikit-learn's `_initialize_nmf` does (eps=1e-6). */
export const NNDSVD_ZERO_BELOW = 1e-6;

/** Builds W (samples × k) and H (k × features) from the SVD, in float64. */
export function nndsvdFromSvd(svd: TruncatedSvd, samples: number, features: number): { W: Float64Array; H: Float64Array } {
  const { k, U, S, Vt } = svd;
  const W = new Float64Array(samples * k);
  const H = new Float64Array(k * features);
  const u = new Float64Array(samples);
  const v = new Float64Array(features);

  for (let j = 0; j < k; j++) {
    for (let i = 0; i < samples; i++) u[i] = U[i * k + j];
    for (let c = 0; c < features; c++) v[c] = Vt[j * features + c];

    let scale: number;
    let left: (x: number) => number;
    let right: (x: number) => number;
    if (j === 0) {
      // The leading pair of a non-negative matrix can be taken non-negative.
      scale = Math.sqrt(S[0]);
      left = Math.abs;
      right = Math.abs;
      writeComponent(W, H, j, k, samples, features, u, v, scale, 1, 1, left, right);
      continue;
    }
    const positive = (x: number) => Math.max(x, 0);
    const negative = (x: number) => Math.max(-x, 0);
    const uPositive = norm(u, positive);
    const vPositive = norm(v, positive);
    const uNegative = norm(u, negative);
    const vNegative = norm(v, negative);
    const productPositive = uPositive * vPositive;
    const productNegative = uNegative * vNegative;
    const usePositive = productPositive > productNegative;
    const sigma = usePositive ? productPositive : productNegative;
    left = usePositive ? positive : negative;
    right = usePositive ? positive : negative;
    scale = Math.sqrt(S[j] * sigma);
    // A zero norm means this part is empty, so the component stays zero instead of 0/0.
    const uNorm = usePositive ? uPositive : uNegative;
    const vNorm = usePositive ? vPositive : vNegative;
    if (uNorm > 0 && vNorm > 0) writeComponent(W, H, j, k, samples, features, u, v, scale, uNorm, vNorm, left, right);
  }

  for (const factor of [W, H]) {
    for (let i = 0; i < factor.length; i++) if (factor[i] < NNDSVD_ZERO_BELOW) factor[i] = 0;
  }
  return { W, H };
}

function norm(x: Float64Array, part: (value: number) => number): number {
  let sum = 0;
  for (const value of x) sum += part(value) ** 2;
  return Math.sqrt(sum);
}

function writeComponent(
  W: Float64Array,
  H: Float64Array,
  j: number,
  k: number,
  samples: number,
  features: number,
  u: Float64Array,
  v: Float64Array,
  scale: number,
  uNorm: number,
  vNorm: number,
  left: (x: number) => number,
  right: (x: number) => number,
): void {
  for (let i = 0; i < samples; i++) W[i * k + j] = (scale * left(u[i])) / uNorm;
  for (let c = 0; c < features; c++) H[j * features + c] = (scale * right(v[c])) / vNorm;
}

/**
 * Finishes an NNDSVD start: `nndsvd` keeps the zeros, `nndsvda` puts
 * mean(V) in them and `nndsvdar` |mean(V)·N(0, 1)/100|, drawn for W's zeros
 * first and then H's, in row-major order, from the seeded generator.
 */
export function fillNndsvdZeros(
  base: { W: Float64Array; H: Float64Array },
  method: Exclude<InitMethod, 'random'>,
  meanOfV: number,
  seed: number,
): Factors {
  const W = Float32Array.from(base.W);
  const H = Float32Array.from(base.H);
  if (method === 'nndsvda') {
    for (const factor of [W, H]) for (let i = 0; i < factor.length; i++) if (factor[i] === 0) factor[i] = meanOfV;
  } else if (method === 'nndsvdar') {
    const random = createRandom(seed);
    for (const factor of [W, H]) {
      for (let i = 0; i < factor.length; i++) {
        if (factor[i] === 0) factor[i] = Math.abs((meanOfV * random.normal()) / 100);
      }
    }
  }
  return { W, H };
}
