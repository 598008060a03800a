/**
 * Dense float64 products and helpers of the CPU reference, written for
 * clarity, not speed.
 */
import type { U8Matrix } from '../matrix.ts';

/** The f32 machine epsilon, the floor of every multiplicative-update denominator. */
export const EPSILON = 2 ** -23;

/**
 * C = op(A) · op(B) in float64, C being `m × n`. `transposeA` reads A as
 * stored `k × m`; `transposeB` reads B as stored `n × k`.
 */
export function matmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  n: number,
  k: number,
  transposeA = false,
  transposeB = false,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aValue = transposeA ? a[p * m + i] : a[i * k + p];
      if (aValue === 0) continue;
      for (let j = 0; j < n; j++) {
        c[i * n + j] += aValue * (transposeB ? b[j * k + p] : b[p * n + j]);
      }
    }
  }
  return c;
}

/** V scaled to [0, 1] as float64. */
export function scaledV(v: U8Matrix): Float64Array {
  const out = new Float64Array(v.data.length);
  for (let i = 0; i < out.length; i++) out[i] = v.data[i] / 255;
  return out;
}

/** x ← x · numerator / max(denominator, EPSILON), the multiplicative update. */
export function multiplicativeUpdate(x: Float64Array, numerator: ArrayLike<number>, denominator: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) x[i] = (x[i] * numerator[i]) / Math.max(denominator[i], EPSILON);
}

/** ‖V − W·H‖_F computed directly from the reconstruction. */
export function frobeniusError(v: Float64Array, w: ArrayLike<number>, h: ArrayLike<number>, samples: number, features: number, rank: number): number {
  const reconstruction = matmul(w, h, samples, features, rank);
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const r = v[i] - reconstruction[i];
    sum += r * r;
  }
  return Math.sqrt(sum);
}
