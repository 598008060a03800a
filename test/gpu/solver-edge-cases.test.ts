/**
 * Inputs that must not produce NaN or Inf, inputs that must be rejected, and
 * the engine API: shared V, stopping, warnings and roll-back.
 */
import { describe, expect, it } from 'vitest';
import { GpuMatrixV } from '../../src/nmf/gpu-matrix-v.ts';
import { GpuNmf } from '../../src/nmf/gpu-solver.ts';
import type { U8Matrix } from '../../src/nmf/matrix.ts';
import type { NmfOptions } from '../../src/nmf/options.ts';
import { seededBytes, useDevice } from './helpers.ts';

const gpu = useDevice();

const SETTINGS: Omit<NmfOptions, 'rank'>[] = [
  { beta: 2 },
  { beta: 1 },
  { beta: 0.5 },
  { beta: 1.5 },
  { beta: 3 },
  { beta: 1, alphaW: 0.1, l1Ratio: 0.5 },
  { solver: 'cd' },
  { solver: 'cd', alphaW: 0.1, alphaH: 0.2, l1Ratio: 0.3, shuffle: true },
];

function describeSettings(options: Omit<NmfOptions, 'rank'>): string {
  return Object.entries(options).map(([key, value]) => `${key} ${value}`).join(', ');
}

/** Runs 40 iterations and checks that every record and both factors are finite. */
async function expectFinite(v: U8Matrix, options: NmfOptions): Promise<{ W: Float32Array; H: Float32Array }> {
  const nmf = await GpuNmf.create(gpu.device, v, options);
  const records = [await nmf.measure(), ...(await nmf.run(40, { lossEvery: 10 }))];
  const W = await nmf.readW();
  const H = await nmf.readH();
  nmf.destroy();
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      expect(Number.isFinite(value), `${key} at iteration ${record.iteration} is ${value}`).toBe(true);
    }
  }
  expect(W.every(Number.isFinite)).toBe(true);
  expect(H.every(Number.isFinite)).toBe(true);
  return { W, H };
}

describe('solver stays finite', () => {
  for (const settings of SETTINGS) {
    it(`zero rows and columns, ${describeSettings(settings)}`, async () => {
      const v = { samples: 20, features: 24, data: seededBytes(20 * 24, 5) };
      v.data.fill(0, 3 * 24, 4 * 24); // row 3
      for (let row = 0; row < 20; row++) v.data[row * 24 + 5] = 0; // column 5
      const { W, H } = await expectFinite(v, { rank: 4, seed: 1, ...settings });
      // MU leaves exact zeros at 0, and CD's step max(·, 0) lands on 0 for rows and columns of zero data.
      expect(Array.from(W.subarray(3 * 4, 4 * 4))).toEqual([0, 0, 0, 0]);
      for (let c = 0; c < 4; c++) expect(H[c * 24 + 5]).toBe(0);
    });

    it(`all-zero V, ${describeSettings(settings)}`, async () => {
      await expectFinite({ samples: 6, features: 9, data: new Uint8Array(54) }, { rank: 2, seed: 1, ...settings });
    });
  }

  for (const beta of [1, 0.5, 1.5]) {
    it(`tiny sparse values under beta ${beta}`, async () => {
      // Mostly zeros with a few entries of 1/255, the smallest non-zero pixel.
      const data = seededBytes(30 * 20, 8).map((x) => (x > 240 ? 1 : 0));
      await expectFinite({ samples: 30, features: 20, data }, { rank: 5, beta, seed: 2 });
      await expectFinite({ samples: 30, features: 20, data }, { rank: 5, beta, init: 'nndsvda' });
    });
  }

  it('beta 0 on strictly positive tiny values', async () => {
    const data = seededBytes(16 * 12, 9).map((x) => 1 + (x % 2));
    await expectFinite({ samples: 16, features: 12, data }, { rank: 3, beta: 0, seed: 3 });
  });
});

describe('solver rejects invalid input', () => {
  const v = { samples: 6, features: 8, data: seededBytes(48, 1) };

  it('rejects beta ≤ 0 on V with zeros, naming the fix', async () => {
    const withZero = { ...v, data: v.data.map((x, i) => (i === 13 ? 0 : Math.max(x, 1))) };
    await expect(GpuNmf.create(gpu.device, withZero, { rank: 2, beta: 0 })).rejects.toThrow(
      /V has zeros \(the first at \[1, 5\]\), but beta = 0 ≤ 0.*add a small offset.*or use beta > 0/,
    );
    await expect(GpuNmf.create(gpu.device, withZero, { rank: 2, beta: -1 })).rejects.toThrow(/beta = -1/);
  });

  it('rejects negative and all-zero custom factors by position', async () => {
    const W = new Float32Array(12).fill(0.5);
    const H = new Float32Array(16).fill(0.5);
    H[11] = -0.25;
    await expect(GpuNmf.create(gpu.device, v, { rank: 2, init: { W, H } })).rejects.toThrow(/initial H\[1, 3\] is -0.25/);
    await expect(GpuNmf.create(gpu.device, v, { rank: 2, init: { W: new Float32Array(12), H: H.fill(1) } })).rejects.toThrow(/initial W is all zeros/);
  });

  it('rejects NNDSVD above min(samples, features) and CD for beta ≠ 2', async () => {
    await expect(GpuNmf.create(gpu.device, v, { rank: 7, init: 'nndsvda' })).rejects.toThrow(/init nndsvda needs rank ≤ min\(samples, features\) = 6/);
    await expect(GpuNmf.create(gpu.device, v, { rank: 2, solver: 'cd', beta: 1 })).rejects.toThrow(/solver cd minimises the Frobenius loss only, but beta is 1/);
  });

  it('accepts a random start above min(samples, features), as scikit-learn does', async () => {
    const nmf = await GpuNmf.create(gpu.device, v, { rank: 7 });
    const [record] = await nmf.run(2);
    nmf.destroy();
    expect(Number.isFinite(record.loss)).toBe(true);
  });
});

describe('solver engine API', () => {
  const v = { samples: 30, features: 20, data: seededBytes(600, 21) };

  it('solvers share one GpuMatrixV and match solvers with their own', async () => {
    const shared = await GpuMatrixV.create(gpu.device, v);
    const settings: NmfOptions[] = [{ rank: 3, seed: 1 }, { rank: 3, seed: 1, beta: 1 }, { rank: 3, seed: 1, solver: 'cd' }];
    const solvers = await Promise.all(settings.map((options) => GpuNmf.create(gpu.device, shared, options)));
    const together = await Promise.all(solvers.map((nmf) => nmf.run(15, { lossEvery: 5 })));
    const sharedBytes = shared.allocatedBytes;
    const solverBytes = solvers[0].allocatedBytes;
    solvers[0].destroy();
    // Destroying one solver leaves the shared V to the others.
    expect(shared.isDestroyed).toBe(false);
    expect((await solvers[1].run(1))[0].iteration).toBe(16);
    solvers.slice(1).forEach((nmf) => nmf.destroy());
    shared.destroy();

    for (const [index, options] of settings.entries()) {
      const alone = await GpuNmf.create(gpu.device, v, options);
      const records = await alone.run(15, { lossEvery: 5 });
      // A solver counts V only when it uploaded V itself.
      if (index === 0) expect(alone.allocatedBytes).toBe(solverBytes + sharedBytes);
      alone.destroy();
      expect(together[index].map((r) => r.loss)).toEqual(records.map((r) => r.loss));
    }
  });

  it('fit warns when maxIter runs out, and not for tol 0', async () => {
    for (const solver of ['mu', 'cd'] as const) {
      const nmf = await GpuNmf.create(gpu.device, v, { rank: 3, solver, tol: 1e-12, maxIter: 12, seed: 1 });
      const result = await nmf.fit();
      nmf.destroy();
      expect(result.converged).toBe(false);
      expect(result.iterations).toBe(12);
      expect(result.warning).toMatch(/reached maxIter = 12 iterations before its change fell below tol = 1e-12/);
      expect(result.history.map((r) => r.iteration)).toEqual([0, 10, 12]);
    }
    const fixed = await GpuNmf.create(gpu.device, v, { rank: 3, tol: 0, maxIter: 12 });
    const result = await fixed.fit();
    fixed.destroy();
    expect(result).toMatchObject({ converged: false, warning: null, iterations: 12 });
  });

  it('fit rolls back to the stopping iteration whatever the submit size', async () => {
    for (const solver of ['mu', 'cd'] as const) {
      const results = [];
      for (const iterationsPerSubmit of [1, 7, 64]) {
        const nmf = await GpuNmf.create(gpu.device, v, { rank: 3, solver, tol: 2e-3, maxIter: 400, seed: 2 });
        const result = await nmf.fit({ iterationsPerSubmit, recordEvery: 0 });
        results.push({ iterations: result.iterations, loss: result.history.at(-1)!.loss, W: await nmf.readW() });
        expect(nmf.iteration).toBe(result.iterations);
        nmf.destroy();
      }
      expect(results[0].iterations).toBeLessThan(400);
      for (const other of results.slice(1)) {
        expect(other.iterations).toBe(results[0].iterations);
        expect(other.loss).toBe(results[0].loss);
        expect(other.W).toEqual(results[0].W);
      }
    }
  });

  it('fit stops between submits when aborted', async () => {
    const nmf = await GpuNmf.create(gpu.device, v, { rank: 3, tol: 0, maxIter: 100 });
    const abort = new AbortController();
    const result = await nmf.fit({
      iterationsPerSubmit: 5,
      onProgress: (iteration) => {
        if (iteration >= 10) abort.abort();
      },
      signal: abort.signal,
    });
    nmf.destroy();
    expect(result.iterations).toBe(10);
    expect(result.converged).toBe(false);
    expect(result.warning).toMatch(/aborted after 10 of 100 iterations/);
  });

  it('records carry every measure and the time per iteration', async () => {
    const nmf = await GpuNmf.create(gpu.device, v, { rank: 3, solver: 'cd', seed: 1 });
    const [record] = await nmf.run(4, { lossEvery: 4 });
    nmf.destroy();
    expect(Object.keys(record).sort()).toEqual(
      ['divergence', 'explainedVariance', 'iteration', 'loss', 'relativeError', 'seconds', 'secondsPerIteration', 'sparsenessH', 'sparsenessW', 'violation', 'zerosH', 'zerosW'].sort(),
    );
    expect(record.divergence).toBeCloseTo(record.loss ** 2 / 2, 6);
    expect(record.relativeError).toBeCloseTo(record.loss / Math.sqrt(nmf.normOfV ** 2), 6);
    expect(record.secondsPerIteration).toBeGreaterThan(0);
  });

  it('W·H scratch split into pieces gives the same curve', async () => {
    const run = async (maxScratchBytes?: number) => {
      const nmf = await GpuNmf.create(gpu.device, v, { rank: 3, beta: 0.5, seed: 4, maxScratchBytes, maxBlockBytes: 5 * 20 });
      const records = await nmf.run(10, { lossEvery: 5 });
      nmf.destroy();
      return records.map((r) => r.loss);
    };
    // 20 features need 160 scratch bytes a row: 320 bytes hold 2 rows, against V blocks of 5 rows.
    const pieces = await run(320);
    const whole = await run();
    pieces.forEach((loss, i) => expect(Math.abs(loss - whole[i]) / whole[i]).toBeLessThan(1e-5));
  });
});
