/**
 * Command-line options of `npm run bench`.
 */
import { parseArgs } from 'node:util';
import type { TimingOptions } from './timing.ts';

/** The sizes of an NMF problem V ≈ W·H. */
export interface NmfShape {
  samples: number;
  features: number;
  rank: number;
}

/** Source of the shape, before any --samples, --features or --rank override applies. */
export type ShapeBase = { kind: 'auto' } | { kind: 'full' } | { kind: 'scale'; factor: number };

export interface BenchOptions {
  base: ShapeBase;
  overrides: Partial<NmfShape>;
  timing: TimingOptions;
  seed: number;
  /** Path of the JSON results file, if one was requested. */
  jsonPath?: string;
}

export const USAGE = `usage: npm run bench -- [options]

Times catlab's NMF matrix products and multiplicative update next to
TensorFlow.js's WebGPU backend on the same adapter, in one run.

Shape (default: the real shapes, or a scaled-down set on a slow adapter):
  --full              use the real shapes (15,747 samples x 4,096 features, rank 50)
  --scale F           multiply samples and features of the real shapes by F (rank unchanged)
  --samples N         rows of V
  --features N        columns of V
  --rank N            inner dimension of W·H

Timing:
  --trials N          timed trials per measurement, median reported (default 5)
  --min-time S        seconds each trial lasts at least (default 0.2)
  --max-repetitions N maximum repetitions per trial (default 200)
  --seed N            seed of the random V, W and H (default 1)

Output:
  --json FILE         also write the results as JSON to FILE
  --help              print this text`;

/** Parses `argv`, the arguments after the script path. Returns null for --help. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      full: { type: 'boolean' },
      scale: { type: 'string' },
      samples: { type: 'string' },
      features: { type: 'string' },
      rank: { type: 'string' },
      trials: { type: 'string' },
      'min-time': { type: 'string' },
      'max-repetitions': { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return null;

  if (values.full && values.scale !== undefined) {
    throw new Error('--full and --scale contradict each other; pass one of them');
  }
  let base: ShapeBase = { kind: 'auto' };
  if (values.full) base = { kind: 'full' };
  if (values.scale !== undefined) base = { kind: 'scale', factor: positiveNumber('--scale', values.scale) };

  const overrides: Partial<NmfShape> = {};
  if (values.samples !== undefined) overrides.samples = positiveInteger('--samples', values.samples);
  if (values.features !== undefined) overrides.features = positiveInteger('--features', values.features);
  if (values.rank !== undefined) overrides.rank = positiveInteger('--rank', values.rank);

  return {
    base,
    overrides,
    timing: {
      trials: positiveInteger('--trials', values.trials ?? '5'),
      minSeconds: positiveNumber('--min-time', values['min-time'] ?? '0.2'),
      maxRepetitions: positiveInteger('--max-repetitions', values['max-repetitions'] ?? '200'),
    },
    seed: nonNegativeInteger('--seed', values.seed ?? '1'),
    jsonPath: values.json,
  };
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${flag} ${text} is invalid; pass a number greater than 0`);
  }
  return value;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${flag} ${text} is invalid; pass a whole number of at least 1`);
  }
  return value;
}

function nonNegativeInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`${flag} ${text} is invalid; pass a whole number from 0 to 4294967295`);
  }
  return value;
}
