/**
 * Corpora for comparing the GPU search with the float64 reference.
 *
 * The GPU computes similarities in f32, so two rows whose float64
 * similarities to a query differ by less than about 1e-6 may come out in
 * either order. Exact index equality is only a fair test where the reference's
 * neighbouring similarities are either equal because the rows are identical
 * (the GPU then ties exactly too) or at least NEAR_TIE_MARGIN apart. The
 * builders here resample rows until that is true in every list a test reads.
 */
import { referenceSearch } from '../../src/search/reference.ts';
import type { Queries } from '../../src/search/engine.ts';
import { seededValues } from './helpers.ts';

/** Closest two different reference similarities may be: ten times a generous f32 error bound for rank 50. */
export const NEAR_TIE_MARGIN = 1e-5;

/** Deterministic rows in [0, 1) with about a third of the entries zero, as in a sparse W. */
export function sparseRows(rows: number, rank: number, seed: number): Float32Array {
  const values = seededValues(rows * rank, seed);
  const mask = seededValues(rows * rank, seed + 7919);
  return values.map((value, i) => (mask[i] < 0.35 ? 0 : value));
}

function rowsIdentical(values: Float32Array, rank: number, a: number, b: number): boolean {
  for (let j = 0; j < rank; j++) {
    if (!Object.is(values[a * rank + j], values[b * rank + j])) return false;
  }
  return true;
}

export interface SeparateOptions {
  /** Rows never resampled: planted duplicates and zero rows. */
  fixed?: ReadonlySet<number>;
  /** Also separate the farthest lists (default true). */
  farthest?: boolean;
  /** Draws a new row; default sparseRows(1, rank, seed). */
  draw?: (seed: number) => Float32Array;
}

/**
 * Returns one corpus row of each near-tie, preferring a row that is not
 * fixed: a near-tie is two neighbouring entries of a reference list (with one
 * entry past k) whose similarities differ by less than NEAR_TIE_MARGIN, or
 * are equal without the rows being identical.
 */
export function nearTieRows(W: Float32Array, samples: number, rank: number, queries: Queries, k: number, options: SeparateOptions = {}): Set<number> {
  const fixed = options.fixed ?? new Set<number>();
  const farthest = options.farthest ?? true;
  const results = referenceSearch(W, samples, rank, queries, { k: k + 1, dissimilar: farthest });
  const rows = new Set<number>();
  for (const result of results) {
    for (const list of [result.nearest, result.farthest]) {
      for (let i = 1; i < list.length; i++) {
        const [a, b] = [list[i - 1], list[i]];
        const gap = Math.abs(a.similarity - b.similarity);
        const tied = gap === 0 && rowsIdentical(W, rank, a.index, b.index);
        if (!tied && gap < NEAR_TIE_MARGIN) rows.add(fixed.has(b.index) ? a.index : b.index);
      }
    }
  }
  return rows;
}

/**
 * Resamples rows of `W` in place, except the fixed ones, until no list of
 * `queries` contains a near-tie. `queries` is a function because row queries
 * may point at resampled rows.
 */
export function separate(
  W: Float32Array,
  samples: number,
  rank: number,
  queries: () => Queries,
  k: number,
  options: SeparateOptions = {},
): Float32Array {
  const fixed = options.fixed ?? new Set<number>();
  const draw = options.draw ?? ((seed: number) => sparseRows(1, rank, seed));
  for (let round = 0; round < 100; round++) {
    const offenders = [...nearTieRows(W, samples, rank, queries(), k, options)].filter((row) => !fixed.has(row));
    if (offenders.length === 0) return W;
    for (const row of offenders) W.set(draw(1000003 * (round + 1) + row), row * rank);
  }
  throw new Error(`test fixture: ${samples} × ${rank} rows still hold near-ties after 100 rounds of resampling`);
}
/** Copies row `from` of W over row `to`, making an exact duplicate. */
export function duplicateRow(W: Float32Array, rank: number, from: number, to: number): void {
  W.copyWithin(to * rank, from * rank, (from + 1) * rank);
}

/** Sets row `row` of W to zeros. */
export function zeroRow(W: Float32Array, rank: number, row: number): void {
  W.fill(0, row * rank, (row + 1) * rank);
}
