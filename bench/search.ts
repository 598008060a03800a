/**
 * Benchmark of the search: all-pairs top-10 (every sample against every
 * other) on the GPU next to the TypeScript engine, CpuSearch, measured in one
 * run on one machine.
 *
 * Standalone: `node bin/run-ts.js bench/search.ts [--samples N] [--cpu-queries N]`.
 * Another entry calls benchSearch() and prints formatSearchBench().
 *
 * W is random: the time depends on the shape, hardly on the values, and no
 * image data is needed.
 */
import { realpathSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nodeGpu } from './node-gpu.ts';
import { adapterName, requestDevice, type AdapterSummary } from '../src/gpu/device.ts';
import { CpuSearch } from '../src/search/cpu-search.ts';
import { GpuSearch } from '../src/search/gpu-search.ts';
import { createRandom } from '../src/nmf/random.ts';

/** The real W: one row per cat of the data set, at the rank catlab factors it. */
export const REAL_SAMPLES = 15747;
export const REAL_RANK = 50;

/**
 * Samples on a software adapter. All-pairs work grows with samples². On
 * SwiftShader with 2 shared CPU cores one GPU pass over 4,096 × 50 took
 * 2.2 s, and over the real 15,747 × 50 it took 92 s.
 */
export const SOFTWARE_ADAPTER_SAMPLES = 4096;

export interface SearchBenchOptions {
  /** Rows of W; default REAL_SAMPLES, or SOFTWARE_ADAPTER_SAMPLES on a software adapter. */
  samples?: number;
  rank?: number;
  k?: number;
  /** Queries the TypeScript loop runs; its time for all samples is extrapolated linearly from them. */
  cpuQueries?: number;
  seed?: number;
}

export interface SearchBenchRecord {
  adapter: string;
  samples: number;
  rank: number;
  k: number;
  /** Reason for the sample count, in words. */
  samplesReason: string;
  /** One-minute load average when the benchmark started; above the core count, timings are shared with other work. */
  loadAverage: number;
  /** Seconds of one GPU all-pairs pass, median of `gpuRuns`, from submit to read-back. */
  gpuSeconds: number;
  gpuRuns: number;
  /** CPU seconds the process used during that pass, every thread counted (SwiftShader's too). */
  gpuProcessCpuSeconds: number;
  /** Seconds the TypeScript loop took for `cpuQueries` queries. */
  cpuMeasuredSeconds: number;
  cpuQueries: number;
  /** cpuMeasuredSeconds × samples / cpuQueries: an estimate for all samples. */
  cpuSeconds: number;
  /** Process CPU seconds of the TypeScript loop, extrapolated the same way. */
  cpuProcessCpuSeconds: number;
  /** cpuSeconds / gpuSeconds: above 1 means the GPU is faster. */
  speedup: number;
  /** Of the timed CPU queries, those whose k nearest indices equal the GPU's. */
  identicalLists: number;
  /**
   * Largest |CPU − GPU| similarity at the same list position over the timed
   * queries. Lists that differ only by the order of near-equal similarities
   * keep it at f32 rounding (about 1e-7).
   */
  maxSimilarityDifference: number;
}

/** Deterministic non-negative W with about a third of the entries zero, like a trained W. */
function randomW(samples: number, rank: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: samples * rank }, () => (random.uniform() < 0.35 ? 0 : random.uniform()));
}

function isSoftwareAdapter(adapter: AdapterSummary): boolean {
  return adapter.isFallbackAdapter || /swiftshader/i.test(adapterName(adapter));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Seconds of CPU time the whole process used, all threads, which includes SwiftShader's. */
function processCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

interface GpuTiming {
  seconds: number;
  runs: number;
  processCpuSeconds: number;
  lists: { indices: Int32Array; similarities: Float32Array };
}

/** Times all-pairs on the GPU: once, and twice more when one run is under 2 s, taking the median. */
async function timeGpu(device: GPUDevice, W: Float32Array, samples: number, rank: number, k: number): Promise<GpuTiming> {
  const gpu = await GpuSearch.create(device, W, samples, rank, { label: 'bench/search' });
  try {
    // One small search compiles the pipelines outside the timed runs.
    await gpu.search([0], { k });
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let lists: GpuTiming['lists'];
    do {
      const start = performance.now();
      const cpuStart = processCpuSeconds();
      lists = await gpu.allPairs({ k });
      times.push((performance.now() - start) / 1000);
      cpuTimes.push(processCpuSeconds() - cpuStart);
    } while (times.length < 3 && times[0] < 2);
    return { seconds: median(times), runs: times.length, processCpuSeconds: median(cpuTimes), lists };
  } finally {
    gpu.destroy();
  }
}

/** Times all-pairs top-k on `device` and with CpuSearch on the same random W. */
export async function benchSearch(device: GPUDevice, adapter: AdapterSummary, options: SearchBenchOptions = {}): Promise<SearchBenchRecord> {
  const software = isSoftwareAdapter(adapter);
  const samples = options.samples ?? (software ? SOFTWARE_ADAPTER_SAMPLES : REAL_SAMPLES);
  const samplesReason =
    options.samples !== undefined
      ? 'set by the samples option, --samples'
      : software
        ? `scaled down from ${REAL_SAMPLES}: the adapter runs on the CPU`
        : 'the real W';
  const rank = options.rank ?? REAL_RANK;
  const k = options.k ?? 10;
  const cpuQueries = Math.min(options.cpuQueries ?? 256, samples);
  const W = randomW(samples, rank, options.seed ?? 1);
  const loadAverage = loadavg()[0];

  const gpu = await timeGpu(device, W, samples, rank, k);

  const cpu = CpuSearch.create(W, samples, rank);
  const queries = Array.from({ length: cpuQueries }, (_, row) => row);
  const start = performance.now();
  const cpuStart = processCpuSeconds();
  const cpuResults = await cpu.search(queries, { k });
  const cpuMeasuredSeconds = (performance.now() - start) / 1000;
  const cpuProcessSeconds = ((processCpuSeconds() - cpuStart) * samples) / cpuQueries;
  const cpuSeconds = (cpuMeasuredSeconds * samples) / cpuQueries;

  const identicalLists = cpuResults.filter((result, row) =>
    result.nearest.every((neighbour, slot) => neighbour.index === gpu.lists.indices[row * k + slot]),
  ).length;
  let maxSimilarityDifference = 0;
  cpuResults.forEach((result, row) => {
    result.nearest.forEach((neighbour, slot) => {
      const difference = Math.abs(neighbour.similarity - gpu.lists.similarities[row * k + slot]);
      maxSimilarityDifference = Math.max(maxSimilarityDifference, difference);
    });
  });

  return {
    adapter: adapterName(adapter),
    samples,
    rank,
    k,
    samplesReason,
    loadAverage,
    gpuSeconds: gpu.seconds,
    gpuRuns: gpu.runs,
    gpuProcessCpuSeconds: gpu.processCpuSeconds,
    cpuMeasuredSeconds,
    cpuQueries,
    cpuSeconds,
    cpuProcessCpuSeconds: cpuProcessSeconds,
    speedup: cpuSeconds / gpu.seconds,
    identicalLists,
    maxSimilarityDifference,
  };
}

export function formatSearchBench(record: SearchBenchRecord): string {
  const { samples, rank, k } = record;
  const seconds = (value: number) => `${value.toFixed(3)} s`;
  const extrapolated =
    record.cpuQueries < samples
      ? `extrapolated linearly from ${record.cpuQueries} timed queries (${seconds(record.cpuMeasuredSeconds)})`
      : 'every query timed';
  return [
    `## Search: all-pairs top-${k} over W ${samples} × ${rank} (${record.samplesReason})`,
    `adapter:          ${record.adapter}; load average ${record.loadAverage.toFixed(2)} at the start`,
    `GPU (GpuSearch):  ${seconds(record.gpuSeconds)} for all ${samples} queries, median of ${record.gpuRuns} run(s), ` +
      `submit to read-back (process CPU time ${seconds(record.gpuProcessCpuSeconds)})`,
    `TypeScript loop:  ${seconds(record.cpuSeconds)} for all ${samples} queries (CpuSearch, float64), ${extrapolated} ` +
      `(process CPU time ${seconds(record.cpuProcessCpuSeconds)})`,
    `ratio TS / GPU:   ${record.speedup.toFixed(2)}× (above 1: the GPU is faster)`,
    `agreement:        ${record.identicalLists} of ${record.cpuQueries} timed queries list the same ${k} indices on both; ` +
      `largest similarity difference at one list position ${record.maxSimilarityDifference.toExponential(1)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { samples: { type: 'string' }, 'cpu-queries': { type: 'string' }, k: { type: 'string' } },
  });
  const integer = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < 1) throw new Error(`--${name} ${value} is invalid; give an integer of at least 1`);
    return parsed;
  };

  const { device, adapterInfo } = await requestDevice(nodeGpu());
  try {
    const record = await benchSearch(device, adapterInfo, {
      samples: integer('samples', values.samples),
      cpuQueries: integer('cpu-queries', values['cpu-queries']),
      k: integer('k', values.k),
    });
    process.stdout.write(`${formatSearchBench(record)}\n`);
  } finally {
    device.destroy();
  }
}

// Runs only as the entry (bin/run-ts.js puts the entry in argv[1]), not when another benchmark imports it.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
