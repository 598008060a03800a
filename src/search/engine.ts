/**
 * The interface shared by the GPU and the CPU search engines, and the input
 * checks both run, so a host can swap one engine for the other.
 *
 * Search speaks of `queries`, the `corpus` (the rows of W, one per sample) and
 * `k`. Similarity is the cosine of the angle between two rows.
 */

/** One corpus row found for a query. */
export interface Neighbour {
  /** Row of W, that is the sample's index. */
  index: number;
  /** Cosine similarity to the query, in [−1, 1] up to rounding. */
  similarity: number;
}

/** Reason a row or query vector has no direction, which leaves it out of every result. */
export type RowProblem = 'zero' | 'non-finite';

/** The lists found for one query. */
export interface SearchResult {
  /** Up to k rows, most similar first; equal similarities list the lower index first. */
  nearest: Neighbour[];
  /** Up to k rows, least similar first, when `dissimilar` was set; equal similarities list the lower index first. */
  farthest: Neighbour[];
  /** Set when the query is all zeros or contains NaN or ±Infinity; both lists are then empty. */
  invalidQuery?: RowProblem;
}

export interface SearchOptions {
  /** Rows per list. Larger than the number of candidate rows returns every candidate. */
  k: number;
  /** Also return the k least similar rows. */
  dissimilar?: boolean;
}

/**
 * The k nearest rows of every sample, row-major `samples × k`. Row i lists
 * `counts[i]` neighbours, most similar first. Slots past a row's count hold
 * index −1 and similarity NaN.
 */
export interface AllPairsResult {
  samples: number;
  k: number;
  indices: Int32Array;
  similarities: Float32Array;
  counts: Int32Array;
}

/**
 * Queries are either corpus rows (`number[]`, each query's own row is left
 * out of its results) or vectors of `rank` values each, packed in one
 * `Float32Array` (for example a photo projected onto H).
 */
export type Queries = readonly number[] | Float32Array;

/**
 * A cosine-similarity search over the rows of W.
 *
 * @example
 * const [result] = await engine.search([42], { k: 8, dissimilar: true });
 * for (const { index, similarity } of result.nearest) console.log(index, similarity);
 */
export interface SearchEngine {
  readonly samples: number;
  readonly rank: number;
  /** Rows of W that are all zeros (below 2⁻¹²⁶ in magnitude), ascending; never part of a result. */
  readonly zeroRows: readonly number[];
  /** Rows of W containing NaN or ±Infinity, ascending; never part of a result. */
  readonly nonFiniteRows: readonly number[];
  search(queries: Queries, options: SearchOptions): Promise<SearchResult[]>;
  allPairs(options: { k: number }): Promise<AllPairsResult>;
  destroy(): void;
}

/** Similarity at and above which two rows count as near-duplicates. */
export const NEAR_DUPLICATE_SIMILARITY = 0.9999;

/**
 * Tells whether a similarity marks a near-duplicate. The cat set contains exact
 * copies of images, whose rows of W are identical and score 1 up to rounding.
 */
export function isNearDuplicate(similarity: number, threshold = NEAR_DUPLICATE_SIMILARITY): boolean {
  return similarity >= threshold;
}

/** Throws unless `samples`, `rank` and the length of W agree. */
export function checkCorpusShape(samples: number, rank: number, length?: number): void {
  for (const [name, value] of [['samples', samples], ['rank', rank]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`search: ${name} is ${value}; it must be an integer of at least 1`);
    }
  }
  if (length !== undefined && length !== samples * rank) {
    throw new RangeError(`search: W has ${length} values, but samples × rank = ${samples} × ${rank} = ${samples * rank}`);
  }
}

/** Throws unless `k` is an integer of at least 1. */
export function checkK(k: number): void {
  if (!Number.isSafeInteger(k) || k < 1) {
    throw new RangeError(`search: k is ${k}; it must be an integer of at least 1`);
  }
}

/** Throws unless every query is a row of the corpus, or the vectors fill whole rows of `rank`. */
export function checkQueries(queries: Queries, samples: number, rank: number): void {
  if (queries instanceof Float32Array) {
    if (queries.length % rank !== 0) {
      throw new RangeError(
        `search: ${queries.length} query values do not split into vectors of rank ${rank}; pass whole rows`,
      );
    }
    return;
  }
  for (const row of queries) {
    if (!Number.isSafeInteger(row) || row < 0 || row >= samples) {
      throw new RangeError(`search: query row ${row} is not a row of W; rows run from 0 to ${samples - 1}`);
    }
  }
}

/** Number of queries in `queries`. */
export function queryCount(queries: Queries, rank: number): number {
  return queries instanceof Float32Array ? queries.length / rank : queries.length;
}

/** Packs one nearest list per sample into the row-major arrays of an `AllPairsResult`. */
export function packAllPairs(lists: readonly (readonly Neighbour[])[], k: number): AllPairsResult {
  const samples = lists.length;
  const indices = new Int32Array(samples * k).fill(-1);
  const similarities = new Float32Array(samples * k).fill(Number.NaN);
  const counts = new Int32Array(samples);
  lists.forEach((list, row) => {
    counts[row] = list.length;
    list.forEach((neighbour, slot) => {
      indices[row * k + slot] = neighbour.index;
      similarities[row * k + slot] = neighbour.similarity;
    });
  });
  return { samples, k, indices, similarities, counts };
}
