/**
 * Section `mu-update`: one whole multiplicative-update iteration, catlab's
 * GpuNmf.run next to the same update written in TF.js.
 */
import { GpuNmf } from '../src/nmf/gpu-solver.ts';
import type { NmfShape } from './options.ts';
import { muIterationFlops, maxRelativeDifference } from './products.ts';
import type { BenchContext, Section, SectionResult } from './section.ts';
import { formatNumber } from './table.ts';
import { gflops, measureSlope, type SlopeMeasurement } from './timing.ts';
import { tfjsSolver } from './tfjs.ts';

export interface MuRecord {
  /** Floating-point operations of one iteration's six products. */
  flops: number;
  catlab: SlopeMeasurement & { gflops: number };
  tfjs: (SlopeMeasurement & { gflops: number }) | null;
  /** catlab's speed over TF.js's, so above 1 means catlab is faster. */
  speedRatio: number | null;
  /** W and H after one iteration from the same start, catlab against TF.js. */
  maxRelativeDifferenceAfterOneIteration: { W: number; H: number } | null;
}

export const muSection: Section = {
  id: 'mu-update',
  async run(context: BenchContext): Promise<SectionResult> {
    return muResult(await measureMu(context), context.shape);
  },
};

async function measureMu(context: BenchContext): Promise<MuRecord> {
  const inputs = context.nmfInputs();
  const nmf = await GpuNmf.create(context.device, inputs.v, {
    rank: inputs.shape.rank,
    init: { W: inputs.W.slice(), H: inputs.H.slice() },
    label: 'bench/nmf',
  });
  const theirs = context.tfjs ? tfjsSolver(context.tfjs, inputs) : null;

  let catlabTime: SlopeMeasurement;
  let tfjsTime: SlopeMeasurement | null = null;
  let difference: { W: number; H: number } | null = null;
  try {
    // One iteration from the same start on both sides checks that they compute the same update.
    await nmf.run(1);
    if (theirs) {
      await theirs.run(1);
      const { W, H } = await theirs.read();
      difference = { W: maxRelativeDifference(await nmf.readW(), W), H: maxRelativeDifference(await nmf.readH(), H) };
    }

    const runs = [async (iterations: number) => { await nmf.run(iterations); }];
    if (theirs) runs.push((iterations) => theirs.run(iterations));
    [catlabTime, tfjsTime = null] = await measureSlope(runs, context.timing);
  } finally {
    nmf.destroy();
    theirs?.dispose();
  }

  const flops = muIterationFlops(context.shape);
  return {
    flops,
    catlab: { ...catlabTime, gflops: gflops(flops, catlabTime.seconds) },
    tfjs: tfjsTime && { ...tfjsTime, gflops: gflops(flops, tfjsTime.seconds) },
    speedRatio: tfjsTime && tfjsTime.seconds / catlabTime.seconds,
    maxRelativeDifferenceAfterOneIteration: difference,
  };
}

function muResult(record: MuRecord, { samples, features, rank }: NmfShape): SectionResult {
  const difference = record.maxRelativeDifferenceAfterOneIteration;
  const tfjsFixed = record.tfjs ? ` (TF.js, which computes no loss: ${formatNumber(record.tfjs.fixedSeconds * 1000)} ms)` : '';
  const counts = `catlab ${record.catlab.repetitions}` + (record.tfjs ? `, TF.js ${record.tfjs.repetitions}` : '');
  const negative = [record.catlab, record.tfjs].some((time) => time !== null && time.seconds <= 0);
  return {
    title: 'Whole MU iteration (median time of one iteration)',
    tables: [
      {
        columns: ['update', 'samples × features, rank', 'catlab ms', 'catlab GFLOP/s', 'TF.js ms', 'TF.js GFLOP/s', 'catlab/TF.js', 'max rel. diff'],
        leftAligned: [0, 1],
        rows: [[
          'W then H',
          `${samples} × ${features}, ${rank}`,
          formatNumber(record.catlab.seconds * 1000),
          formatNumber(record.catlab.gflops),
          formatNumber(record.tfjs && record.tfjs.seconds * 1000),
          formatNumber(record.tfjs && record.tfjs.gflops),
          formatNumber(record.speedRatio),
          formatNumber(difference && Math.max(difference.W, difference.H), 2),
        ]],
      },
    ],
    notes: [
      `ms is the slope of time over iterations: each trial times n and then 2n iterations per call (n: ${counts}).`,
      ...(negative ? ['A slope at or below zero means timing noise exceeded n iterations; rerun with a larger --min-time.'] : []),
      'GFLOP/s counts the six products only, not the elementwise steps.',
      'catlab runs GpuNmf.run as shipped (16 iterations per submit). Each call also evaluates the loss once and ' +
        `reads it back, which costs ${formatNumber(record.catlab.fixedSeconds * 1000)} ms per call${tfjsFixed} and is not in ms.`,
      'max rel. diff: W and H after one iteration from the same start, catlab against TF.js.',
    ],
    data: record,
  };
}
