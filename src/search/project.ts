/**
 * Projection of a new image onto a trained H: the non-negative row w that
 * makes wᵀ·H closest to the image, so a photo can be searched like a row of W.
 */

/** Floor of every multiplicative-update denominator: the f32 machine epsilon, as in the NMF solver. */
const EPSILON = 2 ** -23;

export const DEFAULT_PROJECTION_ITERATIONS = 200;

/**
 * Solves min ‖v − wᵀ·H‖² over w ≥ 0 with H (`rank × features`, row-major)
 * fixed, by the Lee–Seung multiplicative update of one row of W:
 * w ← w · (H·v) / (H·Hᵀ·w), in float64. Each update keeps w non-negative and
 * never increases the loss.
 *
 * The start is the constant vector with the least-squares scale, so an
 * all-zero image gives w = 0, which the search reports as a zero query.
 */
export function projectOntoH(
  v: ArrayLike<number>,
  H: ArrayLike<number>,
  rank: number,
  features: number,
  iterations = DEFAULT_PROJECTION_ITERATIONS,
): Float64Array {
  if (v.length !== features || H.length !== rank * features) {
    throw new RangeError(
      `projectOntoH: v has ${v.length} values and H ${H.length}, but features = ${features} and rank × features = ${rank * features}`,
    );
  }

  // H·v and H·Hᵀ, computed once: every update needs only these.
  const hv = new Float64Array(rank);
  const hht = new Float64Array(rank * rank);
  for (let i = 0; i < rank; i++) {
    let sum = 0;
    for (let f = 0; f < features; f++) sum += H[i * features + f] * v[f];
    hv[i] = sum;
    for (let j = 0; j <= i; j++) {
      let product = 0;
      for (let f = 0; f < features; f++) product += H[i * features + f] * H[j * features + f];
      hht[i * rank + j] = product;
      hht[j * rank + i] = product;
    }
  }

  // w = c·1 with c minimising ‖v − c·1ᵀH‖²: c = 1ᵀ(H·v) / 1ᵀ(H·Hᵀ)1.
  const numerator = hv.reduce((sum, x) => sum + x, 0);
  const denominator = hht.reduce((sum, x) => sum + x, 0);
  const w = new Float64Array(rank).fill(denominator > 0 ? Math.max(numerator / denominator, 0) : 0);

  const hhtw = new Float64Array(rank);
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (let i = 0; i < rank; i++) {
      let sum = 0;
      for (let j = 0; j < rank; j++) sum += hht[i * rank + j] * w[j];
      hhtw[i] = sum;
    }
    for (let i = 0; i < rank; i++) w[i] = (w[i] * hv[i]) / Math.max(hhtw[i], EPSILON);
  }
  return w;
}
