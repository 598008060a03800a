/**
 * Truncated SVD of V by randomized range finding (Halko, Martinsson & Tropp
 * 2011, algorithms 4.4 and 5.1), with the defaults scikit-learn's
 * `randomized_svd` uses for NNDSVD: 10 oversamples and 7 power iterations
 * when k < 0.1·min(samples, features), else 4.
 *
 * The products with V are the only steps that touch V-sized data, and they
 * come from a `VProducts` backend: the GPU (packed V against f32 sketches)
 * or float64 on the CPU for the reference. The QR of each samples × l or
 * features × l sketch and the SVD of the l × features projection run on the
 * CPU in float64, where l = k + oversamples.
 */
import { orthonormalColumns, svd, transpose } from './dense.ts';
import { createRandom } from './random.ts';

/** Products of V (samples × features, scaled to [0, 1]) with thin dense matrices. */
export interface VProducts {
  samples: number;
  features: number;
  /** V·B for B of features × l, row-major; returns samples × l. */
  times(b: Float64Array, l: number): Promise<Float64Array>;
  /** Bᵀ·V for B of samples × l, row-major; returns l × features. */
  transposeTimes(b: Float64Array, l: number): Promise<Float64Array>;
}

export interface TruncatedSvd {
  /** samples × k */
  U: Float64Array;
  /** k singular values, largest first. */
  S: Float64Array;
  /** k × features */
  Vt: Float64Array;
  k: number;
}

export interface RandomizedSvdOptions {
  oversamples?: number;
  /** Power iterations; scikit-learn's 'auto' rule when absent. */
  powerIterations?: number;
}

/**
 * Computes the k leading singular triplets of V. Signs follow scikit-learn's
 * `svd_flip`: the entry of largest magnitude in each column of U is positive.
 */
export async function randomizedSvd(v: VProducts, k: number, seed: number, options: RandomizedSvdOptions = {}): Promise<TruncatedSvd> {
  const { samples, features } = v;
  const smaller = Math.min(samples, features);
  if (!Number.isInteger(k) || k < 1 || k > smaller) {
    throw new RangeError(`a truncated SVD of rank ${k} is invalid for ${samples} × ${features}; choose 1 to ${smaller}`);
  }
  const l = Math.min(k + (options.oversamples ?? 10), smaller);
  const iterations = options.powerIterations ?? (k < 0.1 * smaller ? 7 : 4);

  const random = createRandom(seed);
  const sketch = new Float64Array(features * l);
  for (let i = 0; i < sketch.length; i++) sketch[i] = random.normal();

  // Q spans the range of V·Ω; each power step re-orthonormalises both sides
  // so the small singular directions are not lost to rounding.
  let q = orthonormalColumns(await v.times(sketch, l), samples, l);
  for (let step = 0; step < iterations; step++) {
    const z = orthonormalColumns(transpose(await v.transposeTimes(q, l), l, features), features, l);
    q = orthonormalColumns(await v.times(z, l), samples, l);
  }

  const projected = await v.transposeTimes(q, l); // l × features
  const small = svd(projected, l, features);
  const U = new Float64Array(samples * k);
  const S = small.S.slice(0, k);
  const Vt = small.Vt.slice(0, k * features);
  // U = Q·Ũ, first k columns.
  for (let i = 0; i < samples; i++) {
    for (let j = 0; j < k; j++) {
      let sum = 0;
      for (let p = 0; p < l; p++) sum += q[i * l + p] * small.U[p * small.k + j];
      U[i * k + j] = sum;
    }
  }
  flipSigns(U, Vt, samples, k, features);
  return { U, S, Vt, k };
}

/** Makes the largest-magnitude entry of each column of U positive, flipping the matching row of Vt too. */
function flipSigns(U: Float64Array, Vt: Float64Array, samples: number, k: number, features: number): void {
  for (let j = 0; j < k; j++) {
    let largest = 0;
    for (let i = 0; i < samples; i++) if (Math.abs(U[i * k + j]) > Math.abs(largest)) largest = U[i * k + j];
    if (largest >= 0) continue;
    for (let i = 0; i < samples; i++) U[i * k + j] = -U[i * k + j];
    for (let c = 0; c < features; c++) Vt[j * features + c] = -Vt[j * features + c];
  }
}
