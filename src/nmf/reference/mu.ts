/**
 * Multiplicative updates for the β-divergence in float64, step for step as
 * scikit-learn 1.2's `_multiplicative_update_w` and `_multiplicative_update_h`
 * run them on dense V (Févotte & Idier 2011, with the L1/L2 penalties in the
 * denominator):
 *
 *   W ← W · ((V ⊙ (WH)^(β−2))·Hᵀ / ((WH)^(β−1)·Hᵀ + l1 + l2·W))^γ
 *   H ← H · (Wᵀ·(V ⊙ (WH)^(β−2)) / (Wᵀ·(WH)^(β−1) + l1 + l2·H))^γ
 *
 * with the Frobenius (β = 2) and Kullback–Leibler (β = 1) forms written out,
 * EPSILON in place of zeros of W·H where a negative power would meet them,
 * and EPSILON in place of a zero denominator.
 */
import { EPSILON, matmul } from './linalg.ts';

/** float64 machine epsilon: after an update with β < 1 (W) or β ≤ 1 (H), smaller entries become 0. */
export const FLOAT64_EPSILON = 2 ** -52;

export interface MuStep {
  samples: number;
  features: number;
  rank: number;
  beta: number;
  gamma: number;
  l1: number;
  l2: number;
}

/** Updates W in place. */
export function muUpdateW(v: Float64Array, W: Float64Array, H: Float64Array, step: MuStep): void {
  const { samples: s, features: f, rank: r, beta } = step;
  let numerator: Float64Array;
  let denominator: Float64Array;
  if (beta === 2) {
    numerator = matmul(v, H, s, r, f, false, true);
    denominator = matmul(W, matmul(H, H, r, r, f, false, true), s, r, r);
  } else {
    const wh = matmul(W, H, s, f, r);
    numerator = matmul(weightedV(v, wh, beta), H, s, r, f, false, true);
    if (beta === 1) {
      // (WH)^0·Hᵀ is every row of H summed, the same for all samples.
      const rowSums = matmul(H, new Float64Array(f).fill(1), r, 1, f);
      denominator = new Float64Array(s * r);
      for (let i = 0; i < s; i++) for (let t = 0; t < r; t++) denominator[i * r + t] = rowSums[t];
    } else {
      denominator = matmul(powerOfWh(wh, beta), H, s, r, f, false, true);
    }
  }
  applyUpdate(W, numerator, denominator, step);
  if (beta < 1) zeroBelow(W, FLOAT64_EPSILON);
}

/** Updates H in place. */
export function muUpdateH(v: Float64Array, W: Float64Array, H: Float64Array, step: MuStep): void {
  const { samples: s, features: f, rank: r, beta } = step;
  let numerator: Float64Array;
  let denominator: Float64Array;
  if (beta === 2) {
    numerator = matmul(W, v, r, f, s, true, false);
    denominator = matmul(matmul(W, W, r, r, s, true, false), H, r, f, r);
  } else {
    const wh = matmul(W, H, s, f, r);
    numerator = matmul(W, weightedV(v, wh, beta), r, f, s, true, false);
    if (beta === 1) {
      // Wᵀ·(WH)^0 is every column of W summed; scikit-learn puts 1 in place of a zero sum.
      const columnSums = matmul(W, new Float64Array(s).fill(1), r, 1, s, true, false);
      denominator = new Float64Array(r * f);
      for (let t = 0; t < r; t++) for (let j = 0; j < f; j++) denominator[t * f + j] = columnSums[t] === 0 ? 1 : columnSums[t];
    } else {
      denominator = matmul(W, powerOfWh(wh, beta), r, f, s, true, false);
    }
  }
  applyUpdate(H, numerator, denominator, step);
  if (beta <= 1) zeroBelow(H, FLOAT64_EPSILON);
}

/** V ⊙ (WH)^(β−2), with EPSILON for zeros of WH when β < 2. */
export function weightedV(v: Float64Array, wh: Float64Array, beta: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = beta < 2 && wh[i] === 0 ? EPSILON : wh[i];
    if (beta === 1) {
      out[i] = v[i] / x;
    } else if (beta === 0) {
      // scikit-learn squares the reciprocal rather than raising to −2.
      out[i] = v[i] * (1 / x) ** 2;
    } else {
      out[i] = v[i] * x ** (beta - 2);
    }
  }
  return out;
}

/** (WH)^(β−1), with EPSILON for zeros of WH when β < 1. */
export function powerOfWh(wh: Float64Array, beta: number): Float64Array {
  return wh.map((value) => (beta < 1 && value === 0 ? EPSILON : value) ** (beta - 1));
}

/** x ← x · (numerator / (denominator + l1 + l2·x))^γ, a zero denominator read as EPSILON. */
function applyUpdate(x: Float64Array, numerator: Float64Array, denominator: Float64Array, step: MuStep): void {
  for (let i = 0; i < x.length; i++) {
    let d = denominator[i];
    if (step.l1 > 0) d += step.l1;
    if (step.l2 > 0) d += step.l2 * x[i];
    if (d === 0) d = EPSILON;
    const ratio = numerator[i] / d;
    x[i] *= step.gamma === 1 ? ratio : ratio ** step.gamma;
  }
}

function zeroBelow(x: Float64Array, threshold: number): void {
  for (let i = 0; i < x.length; i++) if (x[i] < threshold) x[i] = 0;
}
