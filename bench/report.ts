/**
 * The run's header, the printed sections and the --json file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { adapterName, type AdapterSummary } from '../src/gpu/device.ts';
import type { NmfShape } from './options.ts';
import type { SectionResult } from './section.ts';
import type { ShapeChoice } from './shapes.ts';
import { formatTable } from './table.ts';
import type { TimingOptions } from './timing.ts';

/** Packages whose versions decide the numbers. */
const PACKAGES = ['webgpu', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'];

export interface RunInfo {
  date: string;
  node: string;
  platform: string;
  cpu: string;
  /** System load averages over 1, 5 and 15 minutes when the run started; other processes slow a shared machine. */
  loadAverage: number[];
  packages: Record<string, string>;
  adapter: { catlab: AdapterSummary & { name: string }; tfjs: string | null };
  /** Error message of TF.js's failed start, or null when it started. */
  tfjsError: string | null;
  shape: NmfShape;
  shapeReason: string;
  timing: TimingOptions;
}

export function describeRun(adapter: AdapterSummary, tfjsAdapter: string | null, tfjsError: string | null, choice: ShapeChoice, timing: TimingOptions): RunInfo {
  const processors = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${processors[0]?.model ?? 'unknown CPU'}, ${processors.length} logical cores`,
    loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
    packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
    adapter: { catlab: { ...adapter, name: adapterName(adapter) }, tfjs: tfjsAdapter },
    tfjsError,
    shape: choice.shape,
    shapeReason: choice.reason,
    timing,
  };
}

function packageVersion(name: string): string {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export function formatHeader(info: RunInfo): string {
  const { samples, features, rank } = info.shape;
  return [
    `TF.js:    ${info.tfjsError ? `not run: ${info.tfjsError}` : `${info.adapter.tfjs} (its own device on the same Dawn instance)`}`,
    `date:     ${info.date}`,
    `node:     ${info.node} on ${info.platform}; ${info.cpu}; load average ${info.loadAverage.join(', ')}`,
    `packages: ${Object.entries(info.packages).map(([name, version]) => `${name} ${version}`).join(', ')}`,
    `shape:    V ${samples} samples × ${features} features, rank ${rank}: ${info.shapeReason}`,
    `timing:   wall clock until the GPU finishes (onSubmittedWorkDone); median of ${info.timing.trials} trial${info.timing.trials === 1 ? '' : 's'}, ` +
      `each repeating the work to last at least ${info.timing.minSeconds} s (at most ${info.timing.maxRepetitions} times)`,
  ].join('\n');
}

/** Names the adapter in one line, the first thing the benchmark prints. */
export function formatAdapter(adapter: AdapterSummary): string {
  return `adapter:  ${adapterName(adapter)}${adapter.isFallbackAdapter ? ', a software fallback adapter' : ''}`;
}

export function formatSection(result: SectionResult): string {
  return [`## ${result.title}`, ...result.tables.map(formatTable), ...result.notes.map((note) => `  ${note}`)].join('\n\n');
}

export function writeJson(path: string, info: RunInfo, sections: Record<string, unknown>): void {
  writeFileSync(path, JSON.stringify({ ...info, sections }, null, 2) + '\n');
}
