/**
 * The β-divergence D_β(V ‖ W·H) in float64, term for term as scikit-learn
 * 1.2's `_beta_divergence` computes it for dense V:
 * - entries of V at or below EPSILON are left out of the terms with V, so
 *   0·log 0 and 0^(β−1) contribute nothing;
 * - where W·H is 0 next to a kept V entry, EPSILON replaces it;
 * - the terms without V (Σ W·H, Σ (W·H)^β) run over every entry.
 */
import { EPSILON } from './linalg.ts';

/** D_β of V and the reconstruction `wh`, both row-major of the same size. */
export function betaDivergence(v: ArrayLike<number>, wh: ArrayLike<number>, beta: number): number {
  if (beta === 2) {
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += (v[i] - wh[i]) ** 2;
    return sum / 2;
  }

  let result = 0;
  if (beta === 1) {
    // Σ V·log(V / WH) − Σ V + Σ WH.
    for (let i = 0; i < v.length; i++) {
      result += wh[i];
      if (v[i] > EPSILON) result += v[i] * Math.log(v[i] / safe(wh[i])) - v[i];
    }
    return result;
  }
  if (beta === 0) {
    // Σ (V/WH − log(V/WH)) − (number of entries), the count taken over all of V.
    for (let i = 0; i < v.length; i++) {
      if (v[i] > EPSILON) {
        const ratio = v[i] / safe(wh[i]);
        result += ratio - Math.log(ratio);
      }
    }
    return result - v.length;
  }
  // (Σ V^β − β·Σ V·WH^(β−1) + (β−1)·Σ WH^β) / (β(β−1)).
  for (let i = 0; i < v.length; i++) {
    result += (beta - 1) * wh[i] ** beta;
    if (v[i] > EPSILON) result += v[i] ** beta - beta * v[i] * safe(wh[i]) ** (beta - 1);
  }
  return result / (beta * (beta - 1));
}

function safe(x: number): number {
  return x === 0 ? EPSILON : x;
}
