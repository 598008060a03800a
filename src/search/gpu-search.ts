/**
 * Cosine-similarity search on the GPU. W stays in the GPU buffer where it
 * lives, such as the NMF solver's, and only the k best indices and
 * similarities of each query are read back.
 *
 * A batch of queries runs as one submit. Query vectors are normalised first.
 * Then each query tile runs a select and a merge dispatch per page of k (the
 * design is in shaders/search_select.wgsl), and its results are copied into
 * one read-back buffer.
 */
import { encodeDispatches, type Dispatch } from '../gpu/kernel.ts';
import { checkBindingSize } from '../gpu/limits.ts';
import { GpuResources, readBuffer, writeBuffer } from '../gpu/resources.ts';
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
  type SearchEngine,
  type SearchOptions,
  type SearchResult,
} from './engine.ts';
import { ENTRY_BYTES, listCount, NONE, QuerySource, SearchKernels, unitStride, type ListChoice } from './gpu-kernels.ts';
import { planChain, type ChainOptions, type ChainPlan } from './gpu-plan.ts';
import { rowProblem } from './reference.ts';

export interface GpuSearchOptions extends ChainOptions {
  /** Label prefix of every GPU object; default `search`. */
  label?: string;
  /** Workgroup of the select kernel; default SEARCH_SELECT's. Tests vary it to check the dispatch sizing. */
  selectWorkgroupSize?: readonly [number, number];
}

/** Flag values of shaders/search_normalize.wgsl. */
const FLAG_PROBLEMS: readonly (RowProblem | undefined)[] = [undefined, 'zero', 'non-finite'];

/** Buffers the select pass reads queries from, and the dispatches that fill them first. */
interface QueryBuffers {
  vectors: GPUBuffer;
  flags: GPUBuffer;
  rows: GPUBuffer;
  dispatches: Dispatch[];
}

/** Source of the queries of one chain. */
type QueryInput =
  | { source: typeof QuerySource.vectors; count: number; vectors: Float32Array }
  | { source: typeof QuerySource.listedRows; count: number; rows: readonly number[] }
  | { source: typeof QuerySource.consecutiveRows; count: number };

/**
 * Cosine-similarity search over the rows of W on a GPU device.
 *
 * @example
 * const search = await GpuSearch.create(device, W, samples, rank);
 * const [result] = await search.search([42], { k: 8, dissimilar: true });
 * const neighbours = await search.allPairs({ k: 10 });
 */
export class GpuSearch implements SearchEngine {
  private readonly resources: GpuResources;
  private readonly kernels: SearchKernels;
  private readonly W: GPUBuffer;
  /** Whether W is the search's own upload rather than a caller's buffer. */
  private readonly ownsW: boolean;
  private readonly unit: GPUBuffer;
  private readonly flags: GPUBuffer;
  private readonly normalizeDispatch: Dispatch;
  private readonly label: string;
  private problems: (RowProblem | undefined)[] = [];
  private validRows = 0;

  private constructor(
    readonly device: GPUDevice,
    W: Float32Array | GPUBuffer,
    readonly samples: number,
    readonly rank: number,
    private readonly options: GpuSearchOptions,
  ) {
    checkCorpusShape(samples, rank, W instanceof Float32Array ? W.length : undefined);
    const label = options.label ?? 'search';
    this.label = label;
    const fix = 'Search a W with fewer samples or a lower rank.';
    checkBindingSize(device.limits, `search: W (${samples} × ${rank} f32)`, samples * rank * 4, fix);
    checkBindingSize(device.limits, `search: unit rows (${samples} × ${unitStride(rank)} f32)`, samples * unitStride(rank) * 4, fix);

    if (!(W instanceof Float32Array)) checkWBuffer(W, samples, rank);

    this.resources = new GpuResources(device);
    this.kernels = new SearchKernels(device, options.selectWorkgroupSize);
    this.ownsW = W instanceof Float32Array;
    this.W = W instanceof Float32Array ? this.resources.storage(`${label}/W`, W) : W;
    this.unit = this.resources.storage(`${label}/unit-rows`, samples * unitStride(rank) * 4);
    this.flags = this.resources.storage(`${label}/row-flags`, samples * 4);
    this.normalizeDispatch = this.kernels.normalize(this.resources, this.W, this.unit, this.flags, samples, rank, `${label}/normalize`);
  }

  /**
   * Normalises the rows of W once for all later searches. `W` is the
   * row-major `samples × rank` matrix, or a GPU buffer containing it (with
   * STORAGE usage), which the search reads in place and never writes.
   */
  static async create(
    device: GPUDevice,
    W: Float32Array | GPUBuffer,
    samples: number,
    rank: number,
    options: GpuSearchOptions = {},
  ): Promise<GpuSearch> {
    // Kept outside the error scope's result, so a GPU error still destroys what was created.
    const created: GpuSearch[] = [];
    try {
      const search = await withGpuErrors(device, 'creating the search', () => {
        created.push(new GpuSearch(device, W, samples, rank, options));
        return created[0];
      });
      await search.refresh();
      return search;
    } catch (error) {
      created[0]?.destroy();
      throw error;
    }
  }

  /** Rows of W that are all zeros, ascending. */
  get zeroRows(): number[] {
    return this.rowsWith('zero');
  }

  /** Rows of W containing NaN or ±Infinity, ascending. */
  get nonFiniteRows(): number[] {
    return this.rowsWith('non-finite');
  }

  /**
   * Normalises W again, after the solver changed it in its buffer, or after
   * uploading new values `W` to the search's own copy (only for a search
   * created from a Float32Array). Searches started earlier must finish first.
   */
  async refresh(W?: Float32Array): Promise<void> {
    if (W) {
      if (!this.ownsW) {
        throw new Error(
          `search: refresh(W) would overwrite the caller's buffer '${this.W.label}'; write that buffer and call refresh() without W`,
        );
      }
      checkCorpusShape(this.samples, this.rank, W.length);
      writeBuffer(this.device, this.W, W);
    }
    const flagBytes = await withGpuErrors(this.device, 'normalising W', async () => {
      const encoder = this.device.createCommandEncoder({ label: `${this.label}/normalize` });
      const pass = encoder.beginComputePass({ label: `${this.label}/normalize` });
      encodeDispatches(pass, [this.normalizeDispatch]);
      pass.end();
      this.device.queue.submit([encoder.finish()]);
      return readBuffer(this.device, this.flags, this.samples * 4);
    });
    this.problems = Array.from(new Uint32Array(flagBytes), (flag) => FLAG_PROBLEMS[flag]);
    this.validRows = this.problems.filter((problem) => !problem).length;
  }

  async search(queries: Queries, options: SearchOptions): Promise<SearchResult[]> {
    checkQueries(queries, this.samples, this.rank);
    checkK(options.k);
    const count = queryCount(queries, this.rank);
    const lists: ListChoice = { nearest: true, farthest: Boolean(options.dissimilar) };
    const input: QueryInput =
      queries instanceof Float32Array
        ? { source: QuerySource.vectors, count, vectors: queries }
        : { source: QuerySource.listedRows, count, rows: queries };
    const { entries, kTotal } = await this.runChain(input, options.k, lists, `${this.label}/search`);

    const stride = listCount(lists) * kTotal;
    return Array.from({ length: count }, (_, q) => {
      const invalidQuery =
        queries instanceof Float32Array ? rowProblem(queries, q * this.rank, this.rank) : this.problems[queries[q]];
      if (invalidQuery) return { nearest: [], farthest: [], invalidQuery };
      return {
        nearest: readList(entries, q * stride, kTotal),
        farthest: lists.farthest ? readList(entries, q * stride + kTotal, kTotal) : [],
      };
    });
  }

  async allPairs(options: { k: number } & ChainOptions): Promise<AllPairsResult> {
    checkK(options.k);
    const lists: ListChoice = { nearest: true, farthest: false };
    const { entries, kTotal } = await this.runChain(
      { source: QuerySource.consecutiveRows, count: this.samples },
      options.k,
      lists,
      `${this.label}/all-pairs`,
      options,
    );
    const nearest = Array.from({ length: this.samples }, (_, row) => readList(entries, row * kTotal, kTotal));
    return packAllPairs(nearest, options.k);
  }

  destroy(): void {
    this.resources.destroy();
  }

  private rowsWith(problem: RowProblem): number[] {
    return this.problems.flatMap((found, row) => (found === problem ? [row] : []));
  }

  /**
   * Runs the select and merge chain for `input` and returns the raw result
   * entries: per query, `listCount(lists)` lists of `kTotal` entries.
   */
  private async runChain(
    input: QueryInput,
    k: number,
    lists: ListChoice,
    label: string,
    chainOptions: ChainOptions = {},
  ): Promise<{ entries: ResultEntries; kTotal: number }> {
    const kTotal = Math.min(k, this.validRows);
    if (input.count === 0 || kTotal === 0) return { entries: emptyEntries(), kTotal };

    const listsPerQuery = listCount(lists);
    const plan = planChain(
      input.count,
      this.samples,
      kTotal,
      listsPerQuery,
      {
        // GPUSupportedLimits keeps its values in getters, which spreading would drop.
        maxStorageBufferBindingSize: this.device.limits.maxStorageBufferBindingSize,
        maxBufferSize: this.device.limits.maxBufferSize,
        maxQueriesPerDispatch: this.kernels.maxQueriesPerDispatch,
      },
      { ...this.options, ...chainOptions },
    );

    const res = new GpuResources(this.device);
    try {
      const bytes = await withGpuErrors(this.device, label, () => {
        const queryBuffers = this.queryBuffers(res, input, label);
        const scratch = {
          partials: res.storage(`${label}/partials`, plan.partialBytes),
          cursors: res.storage(`${label}/cursors`, plan.tileQueries * listsPerQuery * ENTRY_BYTES),
          results: res.storage(`${label}/results`, plan.tileQueries * plan.resultBytesPerQuery),
        };
        const readBack = res.buffer(
          `${label}/read-back`,
          input.count * plan.resultBytesPerQuery,
          GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
        );

        const encoder = this.device.createCommandEncoder({ label });
        for (const [t, tile] of plan.tiles.entries()) {
          const tileLabel = `${label}/tile[${tile.offset}:${tile.offset + tile.count}]`;
          const dispatches = t === 0 ? [...queryBuffers.dispatches] : [];
          dispatches.push(...this.tileDispatches(res, plan, tile, input.source, queryBuffers, scratch, lists, kTotal, tileLabel));
          const pass = encoder.beginComputePass({ label: tileLabel });
          encodeDispatches(pass, dispatches);
          pass.end();
          const tileBytes = tile.count * plan.resultBytesPerQuery;
          encoder.copyBufferToBuffer(scratch.results, 0, readBack, tile.offset * plan.resultBytesPerQuery, tileBytes);
        }
        this.device.queue.submit([encoder.finish()]);
        return mapAndCopy(readBack);
      });
      return { entries: { similarities: new Float32Array(bytes), indices: new Uint32Array(bytes) }, kTotal };
    } finally {
      res.destroy();
    }
  }

  /** Records the select and merge dispatch of every page of k for one query tile. */
  private tileDispatches(
    res: GpuResources,
    plan: ChainPlan,
    tile: { offset: number; count: number },
    querySource: QuerySource,
    queryBuffers: QueryBuffers,
    scratch: { partials: GPUBuffer; cursors: GPUBuffer; results: GPUBuffer },
    lists: ListChoice,
    kTotal: number,
    tileLabel: string,
  ): Dispatch[] {
    const dispatches: Dispatch[] = [];
    let pageOffset = 0;
    for (const [page, pageK] of plan.pageSizes.entries()) {
      const pageLabel = `${tileLabel}/page${page}`;
      const common = { queries: tile.count, partitions: plan.partitions, pageK, lists, ...scratch };
      const select = {
        ...common,
        corpus: this.unit,
        corpusFlags: this.flags,
        corpusRows: this.samples,
        rank: this.rank,
        queryVectors: queryBuffers.vectors,
        queryFlags: queryBuffers.flags,
        queryRows: queryBuffers.rows,
        querySource,
        queryOffset: tile.offset,
        page,
      };
      dispatches.push(
        this.kernels.select(res, select, `${pageLabel}/select`),
        this.kernels.merge(res, { ...common, kTotal, pageOffset }, `${pageLabel}/merge`),
      );
      pageOffset += pageK;
    }
    return dispatches;
  }

  /** Creates the buffers the select pass reads queries from. */
  private queryBuffers(res: GpuResources, input: QueryInput, label: string): QueryBuffers {
    if (input.source === QuerySource.vectors) {
      const stride = unitStride(this.rank);
      const fix = 'Search fewer query vectors at a time.';
      checkBindingSize(this.device.limits, `search: ${input.count} query vectors`, input.count * stride * 4, fix);
      const raw = res.storage(`${label}/query-vectors`, input.vectors);
      const vectors = res.storage(`${label}/query-unit-rows`, input.count * stride * 4);
      const flags = res.storage(`${label}/query-flags`, input.count * 4);
      const normalize = this.kernels.normalize(res, raw, vectors, flags, input.count, this.rank, `${label}/normalize-queries`);
      return { vectors, flags, rows: flags, dispatches: [normalize] };
    }
    if (input.source === QuerySource.listedRows) {
      const rows = res.storage(`${label}/query-rows`, Uint32Array.from(input.rows));
      return { vectors: this.unit, flags: this.flags, rows, dispatches: [] };
    }
    // Consecutive rows need no row list; any u32 buffer fills the binding.
    return { vectors: this.unit, flags: this.flags, rows: this.flags, dispatches: [] };
  }
}

/** Result entries of a chain, two views of one buffer: entry e is (similarities[2e], indices[2e + 1]). */
interface ResultEntries {
  similarities: Float32Array;
  indices: Uint32Array;
}

function emptyEntries(): ResultEntries {
  return { similarities: new Float32Array(0), indices: new Uint32Array(0) };
}

/** Reads up to `length` entries from entry `start`, stopping at the first empty slot. */
function readList(entries: ResultEntries, start: number, length: number): Neighbour[] {
  const list: Neighbour[] = [];
  for (let e = start; e < start + length; e++) {
    const index = entries.indices[2 * e + 1];
    if (index === NONE) break;
    list.push({ index, similarity: entries.similarities[2 * e] });
  }
  return list;
}

async function mapAndCopy(buffer: GPUBuffer): Promise<ArrayBuffer> {
  await buffer.mapAsync(GPUMapMode.READ);
  const bytes = buffer.getMappedRange().slice(0);
  buffer.unmap();
  return bytes;
}

/** Throws unless `buffer` can be bound as storage and contains `samples × rank` f32 values. */
function checkWBuffer(buffer: GPUBuffer, samples: number, rank: number): void {
  if (!(buffer.usage & GPUBufferUsage.STORAGE)) {
    throw new RangeError(`search: W buffer '${buffer.label}' lacks STORAGE usage; create it with GPUBufferUsage.STORAGE`);
  }
  const bytes = samples * rank * 4;
  if (buffer.size < bytes) {
    throw new RangeError(
      `search: W buffer '${buffer.label}' has ${buffer.size} bytes, fewer than the ${bytes} that ${samples} × ${rank} f32 values need`,
    );
  }
}

/** Runs `work` inside validation and out-of-memory error scopes and throws the first error they caught. */
async function withGpuErrors<T>(device: GPUDevice, operation: string, work: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let result: T | Promise<T>;
  try {
    result = work();
  } finally {
    const outOfMemory = await device.popErrorScope();
    const invalid = await device.popErrorScope();
    const error = outOfMemory ?? invalid;
    if (error) throw new Error(`${operation} failed on the GPU: ${error.message}`);
  }
  return result;
}
