/**
 * The search engine without WebGPU: float64 on the CPU, with the interface of
 * GpuSearch, so a host falls back to it where no GPU adapter exists.
 */
import {
  checkCorpusShape,
  checkK,
  checkQueries,
  packAllPairs,
  type AllPairsResult,
  type Neighbour,
  type Queries,
  type SearchEngine,
  type SearchOptions,
  type SearchResult,
} from './engine.ts';
import { compareFarthest, compareNearest, dot, unitQueries, unitRows, type UnitRows } from './reference.ts';

/**
 * A bounded list of the best `k` rows seen so far in one order. Rows must be
 * offered in increasing index order: an equal similarity then never moves a
 * new row ahead of an older one, which is the tie rule.
 */
class BoundedList {
  private readonly similarities: Float64Array;
  private readonly indices: Int32Array;
  private count = 0;

  constructor(
    private readonly k: number,
    /** True keeps the highest similarities, false the lowest. */
    private readonly nearest: boolean,
  ) {
    this.similarities = new Float64Array(k);
    this.indices = new Int32Array(k);
  }

  private beats(similarity: number, than: number): boolean {
    return this.nearest ? similarity > than : similarity < than;
  }

  offer(index: number, similarity: number): void {
    const { k, similarities, indices } = this;
    if (this.count === k && !this.beats(similarity, similarities[k - 1])) return;

    let position = Math.min(this.count, k - 1);
    while (position > 0 && this.beats(similarity, similarities[position - 1])) {
      similarities[position] = similarities[position - 1];
      indices[position] = indices[position - 1];
      position--;
    }
    similarities[position] = similarity;
    indices[position] = index;
    this.count = Math.min(this.count + 1, k);
  }

  toArray(): Neighbour[] {
    return Array.from({ length: this.count }, (_, i) => ({ index: this.indices[i], similarity: this.similarities[i] }));
  }
}

/**
 * Cosine-similarity search over the rows of W in float64.
 *
 * @example
 * const engine = CpuSearch.create(W, samples, rank);
 * const [result] = await engine.search([42], { k: 8 });
 */
export class CpuSearch implements SearchEngine {
  readonly zeroRows: readonly number[];
  readonly nonFiniteRows: readonly number[];
  private readonly corpus: UnitRows;

  private constructor(W: ArrayLike<number>, readonly samples: number, readonly rank: number) {
    checkCorpusShape(samples, rank, W.length);
    this.corpus = unitRows(W, samples, rank);
    const rowsWith = (problem: string) => this.corpus.problems.flatMap((found, row) => (found === problem ? [row] : []));
    this.zeroRows = rowsWith('zero');
    this.nonFiniteRows = rowsWith('non-finite');
  }

  /** Normalises the rows of W (`samples × rank`, row-major) once for all later searches. */
  static create(W: ArrayLike<number>, samples: number, rank: number): CpuSearch {
    return new CpuSearch(W, samples, rank);
  }

  async search(queries: Queries, options: SearchOptions): Promise<SearchResult[]> {
    checkQueries(queries, this.samples, this.rank);
    checkK(options.k);
    const { unit, ownRows } = unitQueries(this.corpus, queries);
    return ownRows.map((ownRow, q) => {
      const invalidQuery = unit.problems[q];
      if (invalidQuery) return { nearest: [], farthest: [], invalidQuery };
      return this.searchOne(unit, q, ownRow, options);
    });
  }

  async allPairs(options: { k: number }): Promise<AllPairsResult> {
    checkK(options.k);
    const rows = Array.from({ length: this.samples }, (_, row) => row);
    const results = await this.search(rows, { k: options.k });
    return packAllPairs(
      results.map((result) => result.nearest),
      options.k,
    );
  }

  destroy(): void {}

  private searchOne(queries: UnitRows, q: number, ownRow: number, options: SearchOptions): SearchResult {
    const { corpus, rank, samples } = this;
    const k = options.k;

    // Insertion costs up to k moves a row, so past a few percent of the
    // corpus one sort of all candidates is cheaper.
    if (k * 16 >= samples) {
      const candidates: Neighbour[] = [];
      for (let row = 0; row < samples; row++) {
        if (row === ownRow || corpus.problems[row]) continue;
        candidates.push({ index: row, similarity: dot(queries.unit, q, corpus.unit, row, rank) });
      }
      return {
        nearest: [...candidates].sort(compareNearest).slice(0, k),
        farthest: options.dissimilar ? candidates.sort(compareFarthest).slice(0, k) : [],
      };
    }

    const nearest = new BoundedList(k, true);
    const farthest = options.dissimilar ? new BoundedList(k, false) : undefined;
    for (let row = 0; row < samples; row++) {
      if (row === ownRow || corpus.problems[row]) continue;
      const similarity = dot(queries.unit, q, corpus.unit, row, rank);
      nearest.offer(row, similarity);
      farthest?.offer(row, similarity);
    }
    return { nearest: nearest.toArray(), farthest: farthest?.toArray() ?? [] };
  }
}
