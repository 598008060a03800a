/**
 * The CPU reference of the search: float64 cosine similarity and a full sort
 * per query, written for clarity, not speed. Tests compare both engines
 * against it; CpuSearch shares its normalisation and dot product, so the two
 * agree to the bit.
 */
import {
  checkCorpusShape,
  checkK,
  checkQueries,
  packAllPairs,
  queryCount,
  type AllPairsResult,
  type Neighbour,
  type Queries,
  type RowProblem,
  type SearchOptions,
  type SearchResult,
} from './engine.ts';

/**
 * 2⁻¹²⁶, the smallest normal f32. A row whose largest |value| is below it
 * counts as zero, because GPUs may flush subnormal values to zero.
 */
export const SMALLEST_NORMAL_F32 = 2 ** -126;

/** Returns why `length` values from `start` have no direction, or undefined when they have one. */
export function rowProblem(values: ArrayLike<number>, start = 0, length = values.length): RowProblem | undefined {
  let largest = 0;
  for (let j = start; j < start + length; j++) {
    const value = values[j];
    if (!Number.isFinite(value)) return 'non-finite';
    largest = Math.max(largest, Math.abs(value));
  }
  return largest < SMALLEST_NORMAL_F32 ? 'zero' : undefined;
}

/** Rows scaled to unit length in float64; rows with a problem are left as zeros. */
export interface UnitRows {
  rows: number;
  rank: number;
  unit: Float64Array;
  problems: (RowProblem | undefined)[];
}

/** Scales each row of the row-major `rows × rank` matrix to unit length. */
export function unitRows(values: ArrayLike<number>, rows: number, rank: number): UnitRows {
  const unit = new Float64Array(rows * rank);
  const problems: (RowProblem | undefined)[] = [];
  for (let row = 0; row < rows; row++) {
    const start = row * rank;
    const problem = rowProblem(values, start, rank);
    problems.push(problem);
    if (problem) continue;

    let sum = 0;
    for (let j = start; j < start + rank; j++) sum += values[j] * values[j];
    const norm = Math.sqrt(sum);
    for (let j = start; j < start + rank; j++) unit[j] = values[j] / norm;
  }
  return { rows, rank, unit, problems };
}

/** Σ a[aRow, j] · b[bRow, j] over the rank, summed in order. */
export function dot(a: Float64Array, aRow: number, b: Float64Array, bRow: number, rank: number): number {
  let sum = 0;
  const aStart = aRow * rank;
  const bStart = bRow * rank;
  for (let j = 0; j < rank; j++) sum += a[aStart + j] * b[bStart + j];
  return sum;
}

/** Nearest order: higher similarity first, then the lower index. */
export function compareNearest(a: Neighbour, b: Neighbour): number {
  return b.similarity - a.similarity || a.index - b.index;
}

/** Farthest order: lower similarity first, then the lower index. */
export function compareFarthest(a: Neighbour, b: Neighbour): number {
  return a.similarity - b.similarity || a.index - b.index;
}

/** Returns the queries as unit rows, and the corpus row of each query (−1 for a vector). */
export function unitQueries(corpus: UnitRows, queries: Queries): { unit: UnitRows; ownRows: number[] } {
  if (queries instanceof Float32Array) {
    const count = queryCount(queries, corpus.rank);
    return { unit: unitRows(queries, count, corpus.rank), ownRows: new Array<number>(count).fill(-1) };
  }
  const unit = new Float64Array(queries.length * corpus.rank);
  queries.forEach((row, q) => unit.set(corpus.unit.subarray(row * corpus.rank, (row + 1) * corpus.rank), q * corpus.rank));
  const problems = queries.map((row) => corpus.problems[row]);
  return { unit: { rows: queries.length, rank: corpus.rank, unit, problems }, ownRows: [...queries] };
}

/**
 * Searches the rows of W (`samples × rank`, row-major) in float64 by sorting
 * every candidate of every query.
 */
export function referenceSearch(W: ArrayLike<number>, samples: number, rank: number, queries: Queries, options: SearchOptions): SearchResult[] {
  checkCorpusShape(samples, rank, W.length);
  checkQueries(queries, samples, rank);
  checkK(options.k);
  const corpus = unitRows(W, samples, rank);
  const { unit, ownRows } = unitQueries(corpus, queries);

  return ownRows.map((ownRow, q) => {
    const invalidQuery = unit.problems[q];
    if (invalidQuery) return { nearest: [], farthest: [], invalidQuery };

    const candidates: Neighbour[] = [];
    for (let row = 0; row < samples; row++) {
      if (row === ownRow || corpus.problems[row]) continue;
      candidates.push({ index: row, similarity: dot(unit.unit, q, corpus.unit, row, rank) });
    }
    const nearest = [...candidates].sort(compareNearest).slice(0, options.k);
    const farthest = options.dissimilar ? [...candidates].sort(compareFarthest).slice(0, options.k) : [];
    return { nearest, farthest };
  });
}

/** Computes the k nearest rows of every sample with referenceSearch. */
export function referenceAllPairs(W: ArrayLike<number>, samples: number, rank: number, k: number): AllPairsResult {
  const rows = Array.from({ length: samples }, (_, row) => row);
  const results = referenceSearch(W, samples, rank, rows, { k });
  return packAllPairs(
    results.map((result) => result.nearest),
    k,
  );
}
