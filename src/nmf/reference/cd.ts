/**
 * One HALS coordinate-descent sweep in float64, as scikit-learn 1.2's
 * `_update_coordinate_descent` and its Cython `_update_cdnmf_fast` run it
 * (Cichocki & Phan 2009).
 *
 * For X (W, or Hᵀ when updating H), the Gram matrix G (HHᵀ, or WᵀW) and the
 * cross product P (V·Hᵀ, or (WᵀV)ᵀ), the sweep visits components t in the
 * given order and, for every row i, sets
 *   grad = Σ_r G[t, r]·X[i, r] + l2·X[i, t] − (P[i, t] − l1)
 *   X[i, t] ← max(X[i, t] − grad / (G[t, t] + l2), 0)
 * skipping rows where that Hessian is 0. The violation sums |projected
 * gradient|: grad, or min(grad, 0) where X[i, t] is 0, taken before the step.
 */

/** Layout of a matrix: entry (row, component) at row·rowStride + component·componentStride. */
export interface Strides {
  rows: number;
  rowStride: number;
  componentStride: number;
}

/** Runs one sweep over X in place and returns its violation. */
export function cdSweep(
  x: Float64Array,
  gram: ArrayLike<number>,
  cross: ArrayLike<number>,
  layout: Strides,
  rank: number,
  order: ArrayLike<number>,
  l1: number,
  l2: number,
): number {
  const at = (row: number, component: number) => row * layout.rowStride + component * layout.componentStride;
  let violation = 0;
  for (let s = 0; s < rank; s++) {
    const t = order[s];
    const hessian = gram[t * rank + t] + l2;
    for (let i = 0; i < layout.rows; i++) {
      let grad = l1 - cross[at(i, t)] + l2 * x[at(i, t)];
      for (let r = 0; r < rank; r++) grad += gram[t * rank + r] * x[at(i, r)];
      violation += Math.abs(x[at(i, t)] === 0 ? Math.min(grad, 0) : grad);
      if (hessian !== 0) x[at(i, t)] = Math.max(x[at(i, t)] - grad / hessian, 0);
    }
  }
  return violation;
}
