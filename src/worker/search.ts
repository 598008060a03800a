/**
 * Search over the samples the worker trains on: a sample or a photo as the
 * query, its exact copies, and the most and least similar samples by cosine
 * similarity of their rows of W. The ranking runs on the GPU in the solver's
 * own buffer of W when the solver is on the GPU, else on the CPU.
 */
import { findDuplicateRows } from '../data/duplicates.ts';
import { ImageDecodeError, SHRINK_BEFORE_PACKING, type ImageDecoder, type RgbaImage } from '../data/image.ts';
import { toGrayRow } from '../data/pack.ts';
import type { U8Matrix } from '../nmf/matrix.ts';
import { CpuSearch } from '../search/cpu-search.ts';
import { isNearDuplicate, type Neighbour, type SearchEngine } from '../search/engine.ts';
import { GpuSearch } from '../search/gpu-search.ts';
import { projectOntoH } from '../search/project.ts';
import type { SearchHit, SearchRequest, SearchResponse } from './protocol.ts';
import { reconstruct } from './snapshot.ts';
import type { Solver } from './solver.ts';
import type { FactorBackup, Trainer } from './trainer.ts';

/** Largest `k` a request may ask for; more results than this do not fit on a page. */
export const MAX_SEARCH_K = 256;

/** The dataset as search needs it: file names and the groups of byte-identical rows. */
export interface SearchDataset {
  names: string[];
  /** Groups of two or more rows with identical pixels, each ascending. */
  copies: number[][];
}

/** Finds the exact copies in V once per dataset, for every later search and the bundle export. */
export function describeDataset(matrix: U8Matrix, names: string[]): SearchDataset {
  return { names, copies: findDuplicateRows(matrix) };
}

/**
 * The search the worker serves. Every search runs through
 * `trainer.betweenBatches`, so it never overlaps an iteration.
 *
 * @example
 * const search = new SampleSearch(trainer, createBrowserDecoder());
 * search.setDataset(describeDataset(matrix, names));
 * const result = await search.search({ query: { index: 3 }, k: 8, dissimilar: true });
 */
export class SampleSearch {
  private dataset: SearchDataset = { names: [], copies: [] };
  /** Group of copies each row belongs to; rows without copies are absent. */
  private copyGroupOf = new Map<number, number[]>();
  /** The GPU search over the buffer of W of `solver`, kept while that solver lives. */
  private gpu?: { solver: Solver; search: GpuSearch };

  constructor(
    private readonly trainer: Trainer,
    private readonly decoder: ImageDecoder,
  ) {}

  get copies(): number[][] {
    return this.dataset.copies;
  }

  get names(): string[] {
    return this.dataset.names;
  }

  setDataset(dataset: SearchDataset): void {
    this.dataset = dataset;
    this.copyGroupOf = new Map(dataset.copies.flatMap((group) => group.map((row) => [row, group] as const)));
  }

  search(request: SearchRequest): Promise<SearchResponse> {
    checkRequest(request);
    if (!this.trainer.trainingData) {
      return Promise.reject(new Error('the data set is still loading; search again once training starts'));
    }
    return this.trainer.betweenBatches((solver, factors) => this.searchNow(request, solver, factors));
  }

  /** Decodes a query photo, rewording the decoder's too-large advice, which is written for packing a data set. */
  private async decodePhoto(bytes: Uint8Array, name: string): Promise<RgbaImage> {
    try {
      return await this.decoder.decode(bytes, name);
    } catch (error) {
      if (error instanceof ImageDecodeError && error.message.endsWith(SHRINK_BEFORE_PACKING)) {
        const message = `${error.message.slice(0, -SHRINK_BEFORE_PACKING.length)}shrink it before searching with it`;
        throw new ImageDecodeError(message, { cause: error });
      }
      throw error;
    }
  }

  destroy(): void {
    this.gpu?.search.destroy();
    this.gpu = undefined;
  }

  private async searchNow(request: SearchRequest, solver: Solver, factors: FactorBackup): Promise<SearchResponse> {
    const data = this.trainer.trainingData;
    if (!data) throw new Error('no dataset is loaded yet; load one before searching');
    const v = data.matrix;
    const rank = solver.rank;

    const query = await this.prepareQuery(request, v, factors, rank, data.width, data.height);
    const engine = await this.engineFor(solver, factors, v.samples);
    const [found] = await engine.search(query.search, { k: request.k, dissimilar: request.dissimilar });

    const copies = new Set(query.exactCopies);
    const toHit = ({ index, similarity }: Neighbour): SearchHit => ({
      index,
      similarity,
      name: this.dataset.names[index] ?? `row ${index}`,
      exactCopy: copies.has(index),
      nearDuplicate: isNearDuplicate(similarity),
    });
    const nearest = found.nearest.map(toHit);
    const farthest = found.farthest.map(toHit);
    const hitRows = reconstruct(v, factors, rank, [...nearest, ...farthest].map((hit) => hit.index));

    return {
      iteration: factors.iteration,
      engine: solver.gpuW ? 'gpu' : 'cpu',
      width: data.width,
      height: data.height,
      queryIndex: query.index,
      queryName: query.name,
      queryPixels: query.pixels,
      queryReconstruction: query.reconstruction,
      exactCopies: query.exactCopies,
      nearest,
      farthest,
      originals: hitRows.originals,
      reconstructions: hitRows.values,
      zeroRows: [...engine.zeroRows],
      ...(found.invalidQuery ? { invalidQuery: found.invalidQuery } : {}),
    };
  }

  /** Turns the request's query into what the engine searches with, and the query's own pixels, reconstruction and copies. */
  private async prepareQuery(request: SearchRequest, v: U8Matrix, factors: FactorBackup, rank: number, width: number, height: number) {
    const { features } = v;
    const query = request.query;
    if ('index' in query) {
      const { index } = query;
      if (!Number.isInteger(index) || index < 0 || index >= v.samples) {
        throw new RangeError(`search: sample ${index} does not exist; the dataset has samples 0 to ${v.samples - 1}`);
      }
      const own = reconstruct(v, factors, rank, [index]);
      return {
        search: [index],
        index,
        name: this.dataset.names[index] ?? `row ${index}`,
        pixels: own.originals,
        reconstruction: own.values,
        exactCopies: (this.copyGroupOf.get(index) ?? []).filter((row) => row !== index),
      };
    }

    // The same decoder, grayscale and resize as the dataset, so a photo of a dataset file gives that file's row.
    const image = await this.decodePhoto(query.photo, query.name);
    const pixels = toGrayRow(image, width, height);
    // The solver fits V scaled to [0, 1], so the photo is projected on that scale too.
    const scaled = Float64Array.from(pixels, (pixel) => pixel / 255);
    const weights = projectOntoH(scaled, factors.H, rank, features);
    const reconstruction = new Float32Array(features);
    for (let k = 0; k < rank; k++) {
      if (weights[k] === 0) continue;
      for (let j = 0; j < features; j++) reconstruction[j] += weights[k] * factors.H[k * features + j];
    }
    return {
      search: Float32Array.from(weights),
      index: undefined,
      name: query.name,
      pixels,
      reconstruction,
      exactCopies: rowsEqualTo(v, pixels),
    };
  }

  /** Returns the GPU search over the solver's W, normalised again for this iteration, or a CPU search over a copy of W. */
  private async engineFor(solver: Solver, factors: FactorBackup, samples: number): Promise<SearchEngine> {
    const gpuW = solver.gpuW;
    if (!gpuW) return CpuSearch.create(factors.W, samples, solver.rank);
    if (this.gpu?.solver !== solver) {
      this.destroy();
      const search = await GpuSearch.create(gpuW.device, gpuW.buffer, samples, solver.rank, { label: 'playground/search' });
      this.gpu = { solver, search };
      return search;
    }
    await this.gpu.search.refresh();
    return this.gpu.search;
  }
}

function checkRequest(request: SearchRequest): void {
  if (!Number.isInteger(request.k) || request.k < 1 || request.k > MAX_SEARCH_K) {
    throw new RangeError(`search: k is ${request.k}; use an integer from 1 to ${MAX_SEARCH_K}`);
  }
  const query = request.query as Partial<{ index: unknown; photo: unknown }>;
  if (query.index === undefined && !(query.photo instanceof Uint8Array)) {
    throw new TypeError('search: the query has neither an index nor photo bytes; pass { index } or { photo, name }');
  }
}

/** Rows of V whose pixels equal `pixels` byte for byte, ascending. */
function rowsEqualTo(v: U8Matrix, pixels: Uint8Array): number[] {
  const rows: number[] = [];
  for (let row = 0; row < v.samples; row++) {
    const offset = row * v.features;
    let same = true;
    for (let j = 0; j < v.features && same; j++) same = v.data[offset + j] === pixels[j];
    if (same) rows.push(row);
  }
  return rows;
}
