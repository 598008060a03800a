/**
 * The GPU solver against the float64 CPU reference for every solver and
 * option, from the same starting factors.
 */
import { describe, expect, it } from 'vitest';
import { GpuNmf } from '../../src/nmf/gpu-solver.ts';
import type { IterationRecord } from '../../src/nmf/measures.ts';
import type { U8Matrix } from '../../src/nmf/matrix.ts';
import type { NmfOptions } from '../../src/nmf/options.ts';
import { CpuNmf } from '../../src/nmf/reference.ts';
import { maxRelativeError, seededBytes, useDevice } from './helpers.ts';

const gpu = useDevice();

const SAMPLES = 24;
const FEATURES = 18;
const RANK = 3;
const ITERATIONS = 30;

function randomV(seed: number, positive = false): U8Matrix {
  const data = seededBytes(SAMPLES * FEATURES, seed);
  if (positive) data.forEach((x, i) => (data[i] = Math.max(x, 1)));
  return { samples: SAMPLES, features: FEATURES, data };
}

const CASES: { name: string; options: Omit<NmfOptions, 'rank'>; positive?: boolean }[] = [
  { name: 'MU beta 2', options: {} },
  { name: 'MU beta 1', options: { beta: 'kullback-leibler' } },
  { name: 'MU beta 0.5', options: { beta: 0.5 } },
  { name: 'MU beta 0', options: { beta: 'itakura-saito' }, positive: true },
  { name: 'MU beta 1.5', options: { beta: 1.5 } },
  { name: 'MU beta 3', options: { beta: 3 } },
  { name: 'MU beta -0.5', options: { beta: -0.5 }, positive: true },
  { name: 'MU beta 2 L1+L2', options: { alphaW: 0.01, alphaH: 0.02, l1Ratio: 0.5 } },
  { name: 'MU beta 1 L1', options: { beta: 1, alphaW: 0.01, l1Ratio: 1 } },
  { name: 'MU beta 0.5 L2 on W', options: { beta: 0.5, alphaW: 0.01, alphaH: 0 } },
  { name: 'CD', options: { solver: 'cd' } },
  { name: 'CD shuffled', options: { solver: 'cd', shuffle: true, seed: 4 } },
  { name: 'CD L1+L2', options: { solver: 'cd', alphaW: 0.01, alphaH: 0.02, l1Ratio: 0.5 } },
  { name: 'CD L2', options: { solver: 'cd', alphaW: 0.02 } },
];

/** Compares every measure of two records of the same iteration. */
function expectSameMeasures(actual: IterationRecord, expected: IterationRecord): void {
  expect(actual.iteration).toBe(expected.iteration);
  expect(Math.abs(actual.loss - expected.loss) / expected.loss).toBeLessThan(1e-4);
  expect(Math.abs(actual.divergence - expected.divergence) / expected.divergence).toBeLessThan(2e-4);
  expect(actual.relativeError).toBeCloseTo(expected.relativeError, 4);
  expect(actual.explainedVariance).toBeCloseTo(expected.explainedVariance, 4);
  expect(actual.sparsenessW).toBeCloseTo(expected.sparsenessW, 4);
  expect(actual.sparsenessH).toBeCloseTo(expected.sparsenessH, 4);
  // An entry on the edge of zero may land on either side in f32.
  expect(Math.abs(actual.zerosW - expected.zerosW)).toBeLessThanOrEqual(2 / (SAMPLES * RANK));
  expect(Math.abs(actual.zerosH - expected.zerosH)).toBeLessThanOrEqual(2 / (FEATURES * RANK));
  if (expected.violation !== undefined) expect(Math.abs(actual.violation! - expected.violation) / expected.violation).toBeLessThan(1e-3);
}

describe('GPU solver against the CPU reference', () => {
  for (const c of CASES) {
    it(`${c.name}: ${ITERATIONS} iterations ${SAMPLES}x${FEATURES} rank ${RANK}`, async () => {
      const v = randomV(11, c.positive);
      const cpu = new CpuNmf(v, { rank: RANK, seed: 2, ...c.options });
      const nmf = await GpuNmf.create(gpu.device, v, { rank: RANK, ...c.options, init: { W: Float32Array.from(cpu.W), H: Float32Array.from(cpu.H) } });
      const records = await nmf.run(ITERATIONS, { lossEvery: 5, iterationsPerSubmit: 8 });
      const W = await nmf.readW();
      const H = await nmf.readH();
      nmf.destroy();

      const expected: IterationRecord[] = [];
      for (let it = 1; it <= ITERATIONS; it++) {
        const violation = cpu.step();
        if (it % 5 === 0) expected.push(cpu.measure(c.options.solver === 'cd' ? violation : undefined));
      }
      expect(records).toHaveLength(expected.length);
      records.forEach((record, i) => expectSameMeasures(record, expected[i]));
      expect(maxRelativeError(W, cpu.W, 1e-2)).toBeLessThan(2e-3);
      expect(maxRelativeError(H, cpu.H, 1e-2)).toBeLessThan(2e-3);
    });
  }

  for (const init of ['random', 'nndsvd', 'nndsvda', 'nndsvdar'] as const) {
    it(`init ${init} matches the reference start`, async () => {
      const v = randomV(12);
      const cpu = await CpuNmf.create(v, { rank: RANK, init, seed: 9 });
      const nmf = await GpuNmf.create(gpu.device, v, { rank: RANK, init, seed: 9 });
      const W = await nmf.readW();
      const H = await nmf.readH();
      nmf.destroy();
      expect(maxRelativeError(W, cpu.W, 1e-2)).toBeLessThan(1e-3);
      expect(maxRelativeError(H, cpu.H, 1e-2)).toBeLessThan(1e-3);
    });
  }

  for (const options of [{ tol: 1e-3 }, { beta: 1, tol: 1e-3 }, { solver: 'cd' as const, tol: 1e-3 }, { solver: 'cd' as const, tol: 1e-2, shuffle: true }]) {
    it(`fit stops where the reference stops, ${JSON.stringify(options)}`, async () => {
      const v = randomV(13);
      const cpu = new CpuNmf(v, { rank: RANK, seed: 3, maxIter: 300, ...options });
      const init = { W: Float32Array.from(cpu.W), H: Float32Array.from(cpu.H) };
      const expected = cpu.fit({ recordEvery: 0 });
      const nmf = await GpuNmf.create(gpu.device, v, { rank: RANK, seed: 3, maxIter: 300, ...options, init });
      const result = await nmf.fit({ recordEvery: 0, iterationsPerSubmit: 32 });
      nmf.destroy();
      expect(expected.converged).toBe(true);
      expect(result.converged).toBe(true);
      expect(result.warning).toBeNull();
      expect(result.iterations).toBe(expected.iterations);
      expect(result.history.map((r) => r.iteration)).toEqual([0, expected.iterations]);
      expectSameMeasures(result.history[1], expected.history[1]);
    });
  }

  for (const options of [{}, { beta: 1 }, { beta: 0.5 }, { solver: 'cd' as const }]) {
    it(`transform matches the reference, ${JSON.stringify(options)}`, async () => {
      const v = randomV(14);
      const fresh = randomV(15);
      const cpu = new CpuNmf(v, { rank: RANK, seed: 5, ...options });
      for (let i = 0; i < 20; i++) cpu.step();
      const nmf = await GpuNmf.create(gpu.device, v, { rank: RANK, ...options, init: { W: Float32Array.from(cpu.W), H: Float32Array.from(cpu.H) } });
      const result = await nmf.transform(fresh, { recordEvery: 0 });
      nmf.destroy();
      const expected = cpu.transform(fresh, { recordEvery: 0 });
      expect(Math.abs(result.iterations - expected.iterations)).toBeLessThanOrEqual(options.solver === 'cd' ? 2 : 0);
      expect(maxRelativeError(result.W, expected.W, 1e-2)).toBeLessThan(5e-3);
    });
  }
});
