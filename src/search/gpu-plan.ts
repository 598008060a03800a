/**
 * Planning of one batch of GpuSearch queries as a chain of dispatches: corpus
 * partitions for the select pass, pages of k, and query tiles whose scratch
 * buffers and dispatch sizes fit the adapter's limits.
 */
import { formatBytes } from '../gpu/limits.ts';
import { ENTRY_BYTES, MAX_K } from './gpu-kernels.ts';

/** Tuning of the chain. Every field has a default, measured on SwiftShader only. */
export interface ChainOptions {
  /** Maximum queries per tile. The limits bound it anyway; tests set it small to get many tiles. */
  maxQueriesPerTile?: number;
  /**
   * Corpus rows each select invocation scans. Default: the larger of
   * MIN_ROWS_PER_PARTITION and 4 × the page size, so the merge pass, which
   * reads one page per partition, stays small next to the scan.
   */
  rowsPerPartition?: number;
  /** Maximum bytes of the per-partition lists of one tile. Default 64 MiB, or the binding limit if smaller. */
  maxPartialBytes?: number;
}

export const DEFAULT_MAX_PARTIAL_BYTES = 64 * 1024 * 1024;
/**
 * Minimum rows per partition by default. Measured on SwiftShader (Dawn in
 * Node, 2 shared cores), all-pairs top-10 over 4096 × 50 took 5.1, 4.1, 3.6
 * and 5.5 CPU-seconds with 128, 512, 1024 and 2048 rows. 512 keeps more
 * invocations for small batches of queries.
 * NOTE: not measured on a discrete GPU.
 */
export const MIN_ROWS_PER_PARTITION = 512;

/** The limits a chain must respect. */
export interface ChainLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  /** Maximum queries one dispatch addresses, from maxComputeWorkgroupsPerDimension. */
  maxQueriesPerDispatch: number;
}

export interface ChainPlan {
  /** Corpus partitions of the select pass. */
  partitions: number;
  /** Entries each list gets on each page; they sum to kTotal. */
  pageSizes: number[];
  /** First query and query count of each tile. */
  tiles: { offset: number; count: number }[];
  /** Largest tile, which sizes the scratch buffers. */
  tileQueries: number;
  /** Bytes of the per-partition lists of the largest tile. */
  partialBytes: number;
  /** Bytes of the results of one query, all lists. */
  resultBytesPerQuery: number;
}

/**
 * Plans `queries` queries that each keep `listCount` lists of `kTotal`
 * entries over a corpus of `corpusRows` rows.
 */
export function planChain(
  queries: number,
  corpusRows: number,
  kTotal: number,
  listCount: number,
  limits: ChainLimits,
  options: ChainOptions = {},
): ChainPlan {
  if (queries < 1 || kTotal < 1) {
    throw new RangeError(`search: a chain needs at least one query and k ≥ 1, not ${queries} queries and k = ${kTotal}`);
  }
  const pageSizes: number[] = [];
  for (let done = 0; done < kTotal; done += MAX_K) pageSizes.push(Math.min(MAX_K, kTotal - done));
  const largestPage = pageSizes[0];

  const rowsPerPartition = options.rowsPerPartition ?? Math.max(MIN_ROWS_PER_PARTITION, 4 * largestPage);
  if (!Number.isSafeInteger(rowsPerPartition) || rowsPerPartition < 1) {
    throw new RangeError(`search: rowsPerPartition is ${rowsPerPartition}; it must be an integer of at least 1`);
  }
  const partitions = Math.max(1, Math.ceil(corpusRows / rowsPerPartition));

  const bindingLimit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const partialBudget = Math.min(options.maxPartialBytes ?? DEFAULT_MAX_PARTIAL_BYTES, bindingLimit);
  const partialBytesPerQuery = listCount * partitions * largestPage * ENTRY_BYTES;
  const resultBytesPerQuery = listCount * kTotal * ENTRY_BYTES;
  const tileQueries = Math.min(
    queries,
    options.maxQueriesPerTile ?? Infinity,
    Math.floor(partialBudget / partialBytesPerQuery),
    Math.floor(bindingLimit / resultBytesPerQuery),
    limits.maxQueriesPerDispatch,
  );
  if (tileQueries < 1) {
    const perQuery = Math.max(partialBytesPerQuery, resultBytesPerQuery);
    throw new RangeError(
      `search: one query needs ${formatBytes(perQuery)} of scratch for k = ${kTotal}, more than the ` +
        `${formatBytes(partialBudget)} allowed (maxStorageBufferBindingSize, maxBufferSize or maxPartialBytes). ` +
        'Use a smaller k or raise maxPartialBytes.',
    );
  }
  const readBackBytes = queries * resultBytesPerQuery;
  if (readBackBytes > limits.maxBufferSize) {
    throw new RangeError(
      `search: the results of ${queries} queries with k = ${kTotal} take ${formatBytes(readBackBytes)}, but this ` +
        `adapter's maxBufferSize is ${formatBytes(limits.maxBufferSize)}. Search fewer queries at a time or use a smaller k.`,
    );
  }

  const tiles: { offset: number; count: number }[] = [];
  for (let offset = 0; offset < queries; offset += tileQueries) {
    tiles.push({ offset, count: Math.min(tileQueries, queries - offset) });
  }
  return {
    partitions,
    pageSizes,
    tiles,
    tileQueries,
    partialBytes: tileQueries * partialBytesPerQuery,
    resultBytesPerQuery,
  };
}
