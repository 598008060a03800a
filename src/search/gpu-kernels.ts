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

/**
 * Select workgroup on adapters that run on the CPU. Measured with Dawn on
 * SwiftShader (2 shared cores): all-pairs top-10 over 2048 × 50 took 2–5 s
 * with 8 × 8 workgroups and 0.1–0.4 s with 4 × 1. Each invocation keeps
 * 4 KiB of lists in private memory, and SwiftShader runs a workgroup on one
 * thread, so 64 invocations probably overflow the core's caches.
 */
export const SELECT_WORKGROUP_ON_CPU: readonly [number, number] = [4, 1];

/** Tells whether the device's adapter runs on the CPU: a fallback adapter, SwiftShader or Mesa's llvmpipe. */
export function runsOnCpu(device: GPUDevice): boolean {
  // Browsers before GPUDevice.adapterInfo existed leave it undefined.
  const info = (device as { adapterInfo?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).adapterInfo;
  if (!info) return false;
  const name = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  return info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(name);
}

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

  /**
   * Builds the pipelines. The select workgroup is SEARCH_SELECT's on GPUs and
   * SELECT_WORKGROUP_ON_CPU on CPU adapters, unless `selectWorkgroupSize` sets it.
   */
  constructor(
    private readonly device: GPUDevice,
    selectWorkgroupSize?: readonly [number, number],
  ) {
    const size = selectWorkgroupSize ?? (runsOnCpu(device) ? SELECT_WORKGROUP_ON_CPU : SEARCH_SELECT.workgroupSize);
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
