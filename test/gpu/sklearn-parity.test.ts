/**
 * The GPU solver against scikit-learn 1.2.1 (test/fixtures/sklearn-nmf.json):
 * same V, same float32 starting factors, f32 on the GPU against float64.
 */
import { describe, expect, it } from 'vitest';
import { GpuNmf } from '../../src/nmf/gpu-solver.ts';
import {
  caseName,
  maxAbsoluteDeviation,
  maxRelativeDeviation,
  plantedV,
  sklearn,
  sklearnInit,
  sklearnPositiveInit,
  sklearnPositiveV,
  sklearnV,
  transformV,
} from '../fixtures/sklearn.ts';
import { useDevice } from './helpers.ts';

const gpu = useDevice();
const rank = sklearn.rank;

describe('GPU solver against scikit-learn', () => {
  for (const c of sklearn.mu) {
    it(`MU curve over 200 iterations, ${caseName(c)}`, async () => {
      const nmf = await GpuNmf.create(gpu.device, c.positive ? sklearnPositiveV : sklearnV, {
        rank,
        beta: c.beta,
        alphaW: c.alphaW,
        alphaH: c.alphaH,
        l1Ratio: c.l1Ratio,
        init: c.positive ? sklearnPositiveInit : sklearnInit,
      });
      const records = await nmf.run(sklearn.iterations, { lossEvery: 1, iterationsPerSubmit: 50 });
      nmf.destroy();
      expect(records.map((r) => r.iteration)).toEqual(c.curve.map((_, i) => i + 1));
      expect(maxRelativeDeviation(records.map((r) => r.loss), c.curve)).toBeLessThan(1e-3);
    });
  }

  for (const c of sklearn.muTol) {
    it(`MU stops on scikit-learn's iteration, ${caseName(c)}`, async () => {
      const nmf = await GpuNmf.create(gpu.device, sklearnV, { rank, beta: c.beta, tol: c.tol, maxIter: c.maxIter, init: sklearnInit });
      const result = await nmf.fit({ recordEvery: 0, iterationsPerSubmit: 64 });
      nmf.destroy();
      expect(result.iterations).toBe(c.iterations);
      expect(result.converged).toBe(c.converged);
      expect(result.warning === null).toBe(c.converged);
      expect(Math.abs(result.history.at(-1)!.loss - c.loss) / c.loss).toBeLessThan(1e-3);
    });
  }

  for (const c of sklearn.cd) {
    it(`CD ends within 1e-3 of scikit-learn, ${caseName(c)}`, async () => {
      const nmf = await GpuNmf.create(gpu.device, sklearnV, {
        rank,
        solver: 'cd',
        tol: c.tol,
        maxIter: c.maxIter,
        alphaW: c.alphaW,
        alphaH: c.alphaH,
        l1Ratio: c.l1Ratio,
        init: sklearnInit,
      });
      const result = await nmf.fit({ recordEvery: 0, iterationsPerSubmit: 64 });
      nmf.destroy();
      expect(result.converged).toBe(c.converged);
      // f32 rounding can move the step where violation / violation_init crosses tol by a few iterations.
      expect(Math.abs(result.iterations - c.iterations)).toBeLessThanOrEqual(c.converged ? 5 : 0);
      expect(Math.abs(result.history.at(-1)!.loss - c.loss) / c.loss).toBeLessThan(1e-3);
    });
  }

  for (const c of sklearn.transform.cases) {
    it(`transform ${c.solver} beta ${c.beta} matches W`, async () => {
      const nmf = await GpuNmf.create(gpu.device, sklearnV, {
        rank,
        solver: c.solver,
        beta: c.beta,
        init: { W: sklearnInit.W, H: Float32Array.from(sklearn.transform.H) },
      });
      const result = await nmf.transform(transformV);
      nmf.destroy();
      expect(Math.abs(result.iterations - c.iterations)).toBeLessThanOrEqual(c.solver === 'mu' ? 0 : 2);
      expect(maxAbsoluteDeviation(result.W, c.W)).toBeLessThan(1e-3);
    });
  }

  for (const method of ['nndsvd', 'nndsvda'] as const) {
    it(`${method} matches scikit-learn's matrices`, async () => {
      const nmf = await GpuNmf.create(gpu.device, plantedV, { rank, init: method, seed: 5 });
      const W = await nmf.readW();
      const H = await nmf.readH();
      nmf.destroy();
      expect(maxAbsoluteDeviation(W, sklearn.nndsvd[method].W)).toBeLessThan(1e-4);
      expect(maxAbsoluteDeviation(H, sklearn.nndsvd[method].H)).toBeLessThan(1e-4);
    });
  }

  it('nndsvdar keeps the NNDSVD entries and fills its zeros', async () => {
    const nmf = await GpuNmf.create(gpu.device, plantedV, { rank, init: 'nndsvdar', seed: 5 });
    const factors = { W: await nmf.readW(), H: await nmf.readH() };
    nmf.destroy();
    const mean = plantedV.data.reduce((total, x) => total + x, 0) / 255 / plantedV.data.length;
    for (const name of ['W', 'H'] as const) {
      const base = sklearn.nndsvd.nndsvd[name];
      const kept = base.map((x, i) => (x === 0 ? 0 : factors[name][i]));
      const fills = factors[name].filter((_, i) => base[i] === 0);
      expect(maxAbsoluteDeviation(kept, base)).toBeLessThan(1e-4);
      expect(fills.length).toBeGreaterThan(0);
      // |mean · N(0, 1) / 100| passes mean · 6 / 100 once in about 10⁹ draws.
      expect(fills.every((x) => x > 0 && x < (mean * 6) / 100)).toBe(true);
    }
  });
});
