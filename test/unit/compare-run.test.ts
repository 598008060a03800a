import { describe, expect, it } from 'vitest';
import type { U8Matrix } from '../../src/nmf/matrix.ts';
import { CompareRun, createCpuRunEngine } from '../../src/worker/compare-run.ts';
import type { RunSettings } from '../../src/worker/protocol.ts';

const MU: RunSettings = { solver: 'mu', beta: 2, init: 'random', seed: 1, rank: 3, alphaW: 0, alphaH: 0, l1Ratio: 0 };

/** A 12 × 16 matrix of bytes 1..255 from a small linear congruential generator. */
function byteMatrix(): U8Matrix {
  const data = new Uint8Array(12 * 16);
  let state = 7;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = 1 + (state >>> 16) % 255;
  }
  return { samples: 12, features: 16, data };
}

async function startedRun(settings: RunSettings): Promise<CompareRun> {
  const v = byteMatrix();
  const run = new CompareRun({ width: 4, height: 4 });
  await run.start(() => createCpuRunEngine(v, settings));
  return run;
}

describe('compare run on the CPU engine', () => {
  it('starts paused with its components', async () => {
    const run = await startedRun(MU);
    expect(run.status).toEqual({ state: 'paused', iteration: 0 });
    const components = run.takePendingComponents(0);
    expect(components?.rank).toBe(3);
    expect(components?.H).toHaveLength(3 * 16);
    expect(run.takePendingComponents(components!.sequence)).toBeNull();
  });

  it('steps exactly N iterations with every measure', async () => {
    const run = await startedRun({ ...MU, solver: 'cd', init: 'nndsvd', alphaW: 0.01, l1Ratio: 0.5 });
    expect(await run.step(7)).toBe(7);
    expect(run.status).toEqual({ state: 'paused', iteration: 7 });
    expect(run.points.map((point) => point.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const point of run.points) {
      expect(point.loss).toBeGreaterThan(0);
      expect(point.relativeError).toBeLessThan(1);
      expect(point.explainedVariance).toBeLessThanOrEqual(1);
      expect(point.sparsenessW).toBeGreaterThanOrEqual(0);
      expect(point.zerosH).toBeGreaterThanOrEqual(0);
    }
    const seconds = run.points.map((point) => point.seconds);
    expect([...seconds].sort((a, b) => a - b)).toEqual(seconds);
    expect(run.pointsSince(5).points.map((point) => point.iteration)).toEqual([6, 7]);
  });

  it('plays until paused', async () => {
    const run = await startedRun(MU);
    await run.play();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const iteration = await run.pause();
    expect(iteration).toBeGreaterThan(0);
    expect(run.status.state).toBe('paused');
    expect(run.points).toHaveLength(iteration);
    expect(run.points[iteration - 1].loss).toBeLessThan(run.points[0].loss);
  });

  it('fails on a rank NNDSVD cannot reach', async () => {
    const run = await startedRun({ ...MU, init: 'nndsvd', rank: 20 });
    expect(run.status.state).toBe('failed');
    expect(run.status.error?.message).toMatch(/rank/);
    await expect(run.step(1)).rejects.toThrow(/this run failed/);
  });

  it('rejects a step of 0', async () => {
    const run = await startedRun(MU);
    await expect(run.step(0)).rejects.toThrow(/step of 0 iterations is invalid/);
  });
});
