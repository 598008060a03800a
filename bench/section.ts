/**
 * The contract between the benchmark entry and its sections. The entry runs
 * a list of sections in order and prints each one's tables.
 */
import type { AdapterSummary } from '../src/gpu/device.ts';
import type { NmfInputs } from './nmf-inputs.ts';
import type { NmfShape } from './options.ts';
import type { Table } from './table.ts';
import type { TimingOptions } from './timing.ts';
import type { TfjsRuntime } from './tfjs.ts';

export interface BenchContext {
  /** catlab's device. */
  device: GPUDevice;
  adapter: AdapterSummary;
  shape: NmfShape;
  timing: TimingOptions;
  /** TF.js on the same adapter, or null when it failed to start (the entry has printed why). */
  tfjs: TfjsRuntime | null;
  /** Random operands of `shape`, created on first call and shared by the sections. */
  nmfInputs(): NmfInputs;
}

export interface SectionResult {
  title: string;
  tables: Table[];
  /** Sentences printed under the tables. */
  notes: string[];
  /** The numbers behind the tables, for --json. */
  data: unknown;
}

export interface Section {
  /** Key of the section in the JSON output. */
  id: string;
  run(context: BenchContext): Promise<SectionResult>;
}
