/**
 * Descriptions of the three search kernels and the dispatches GpuSearch
 * records from them: normalise rows, select per-partition lists, merge them.
 */
import normalizeSource from '../../shaders/search_normalize.wgsl?raw';
import selectSource from '../../shaders/search_select.wgsl?raw';
import mergeSource from '../../shaders/search_merge.wgsl?raw';
import {
  bindBuffers,
  createKernel,
  dispatchSize,
  dispatchSizeLinear,
  wgslConstant,
  type Dispatch,
  type Kernel,
  type KernelDescription,
} from '../gpu/kernel.ts';
import type { GpuResources } from '../gpu/resources.ts';

export const SEARCH_NORMALIZE: KernelDescription = {
  label: 'search/normalize',
  source: normalizeSource,
  workgroupSize: [64, 1],
  elementsPerInvocation: [1, 1],
  bindings: ['uniform', 'read-only-storage', 'storage', 'storage'],
};

export const SEARCH_SELECT: KernelDescription = {
  label: 'search/select',
  source: selectSource,
  workgroupSize: [8, 8],
  // x: one corpus partition; y: a block of queries.
  elementsPerInvocation: [1, wgslConstant(selectSource, 'QUERIES_PER_INVOCATION')],
  bindings: [
    'uniform',
    'read-only-storage',
    'read-only-storage',
    'read-only-storage',
    'read-only-storage',
    'read-only-storage',
    'read-only-storage',
    'storage',
  ],
};

export const SEARCH_MERGE: KernelDescription = {
  label: 'search/merge',
  source: mergeSource,
  workgroupSize: [64, 1],
  elementsPerInvocation: [1, 1],
  bindings: ['uniform', 'read-only-storage', 'storage', 'storage'],
};

/** Maximum list length one invocation keeps, read from the WGSL: the page size of k. */
export const MAX_K = wgslConstant(selectSource, 'MAX_K');
if (wgslConstant(mergeSource, 'MAX_K') !== MAX_K) {
  throw new Error('shaders/search_select.wgsl and search_merge.wgsl disagree on MAX_K; give both the same value');
}

/** Index of an empty list slot. */
export const NONE = 0xffffffff;

/** Bytes of one list entry: f32 similarity, u32 index. */
export const ENTRY_BYTES = 8;

/** Floats per unit row on the GPU: the rank rounded up to a multiple of 4, so rows load as vec4. */
export function unitStride(rank: number): number {
  return Math.ceil(rank / 4) * 4;
}

/** Query sources of the select pass. The values match `query_source` in the WGSL. */
export const QuerySource = { vectors: 0, listedRows: 1, consecutiveRows: 2 } as const;
export type QuerySource = (typeof QuerySource)[keyof typeof QuerySource];

/** Lists a pass keeps: nearest, farthest or both. The bits match `lists` in the WGSL. */
export interface ListChoice {
  nearest: boolean;
  farthest: boolean;
}

export function listCount(lists: ListChoice): number {
  return Number(lists.nearest) + Number(lists.farthest);
}

export interface SelectSpec {
  corpus: GPUBuffer;
  corpusFlags: GPUBuffer;
  corpusRows: number;
  rank: number;
  queryVectors: GPUBuffer;
  queryFlags: GPUBuffer;
  queryRows: GPUBuffer;
  querySource: QuerySource;
  /** Global index of the first query of this dispatch. */
  queryOffset: number;
  queries: number;
  partitions: number;
  pageK: number;
  page: number;
  lists: ListChoice;
  cursors: GPUBuffer;
  partials: GPUBuffer;
}

export interface MergeSpec {
  queries: number;
  partitions: number;
  pageK: number;
  kTotal: number;
  pageOffset: number;
  lists: ListChoice;
  partials: GPUBuffer;
  cursors: GPUBuffer;
  results: GPUBuffer;
}

/** The search pipelines of one device, and dispatches recorded from them. */
export class SearchKernels {
  private readonly normalizeKernel: Kernel;
  private readonly selectDescription: KernelDescription;
  private readonly selectKernel: Kernel;
  private readonly mergeKernel: Kernel;

  /** Builds the pipelines; `selectWorkgroupSize` replaces SEARCH_SELECT's workgroup. */
  constructor(
    private readonly device: GPUDevice,
    selectWorkgroupSize: readonly [number, number] = SEARCH_SELECT.workgroupSize,
  ) {
    const size = selectWorkgroupSize;
    this.selectDescription = { ...SEARCH_SELECT, workgroupSize: size };
    this.normalizeKernel = createKernel(device, SEARCH_NORMALIZE);
    this.selectKernel = createKernel(device, this.selectDescription, {}, `${size[0]}x${size[1]}`);
    this.mergeKernel = createKernel(device, SEARCH_MERGE);
  }

  private get maxWorkgroups(): number {
    return this.device.limits.maxComputeWorkgroupsPerDimension;
  }

  /** Maximum queries one select and merge dispatch can address, from maxComputeWorkgroupsPerDimension. */
  get maxQueriesPerDispatch(): number {
    const select = this.selectDescription.workgroupSize[1] * this.selectDescription.elementsPerInvocation[1];
    return Math.min(select, SEARCH_MERGE.workgroupSize[0]) * this.maxWorkgroups;
  }

  /** Writes unit rows of `x` (`rows × rank` f32) to `unit` (`rows × unitStride(rank)`) and a flag per row to `flags`. */
  normalize(res: GpuResources, x: GPUBuffer, unit: GPUBuffer, flags: GPUBuffer, rows: number, rank: number, label: string): Dispatch {
    const params = res.uniform(`${label}/params`, [rows, rank, unitStride(rank)]);
    return {
      kernel: this.normalizeKernel,
      bindGroup: bindBuffers(this.device, this.normalizeKernel, [params, x, unit, flags], label),
      size: dispatchSizeLinear(SEARCH_NORMALIZE, rows, this.maxWorkgroups),
    };
  }

  select(res: GpuResources, spec: SelectSpec, label: string): Dispatch {
    const lists = Number(spec.lists.nearest) | (Number(spec.lists.farthest) << 1);
    const params = res.uniform(`${label}/params`, [
      spec.corpusRows,
      unitStride(spec.rank) / 4,
      spec.queries,
      spec.queryOffset,
      spec.querySource,
      spec.partitions,
      spec.pageK,
      lists,
      spec.page,
    ]);
    const buffers = [
      params,
      spec.corpus,
      spec.corpusFlags,
      spec.queryVectors,
      spec.queryFlags,
      spec.queryRows,
      spec.cursors,
      spec.partials,
    ];
    return {
      kernel: this.selectKernel,
      bindGroup: bindBuffers(this.device, this.selectKernel, buffers, label),
      size: dispatchSize(this.selectDescription, spec.partitions, spec.queries, this.maxWorkgroups),
    };
  }

  merge(res: GpuResources, spec: MergeSpec, label: string): Dispatch {
    const count = listCount(spec.lists);
    const params = res.uniform(`${label}/params`, [
      spec.queries,
      count,
      Number(spec.lists.nearest),
      spec.partitions,
      spec.pageK,
      spec.kTotal,
      spec.pageOffset,
    ]);
    return {
      kernel: this.mergeKernel,
      bindGroup: bindBuffers(this.device, this.mergeKernel, [params, spec.partials, spec.cursors, spec.results], label),
      size: dispatchSize(SEARCH_MERGE, spec.queries, count, this.maxWorkgroups),
    };
  }
}
