import { describe, expect, it } from 'vitest';
import { CpuNmf } from '../../src/nmf/reference.ts';
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

// The reference runs in float64 like scikit-learn, so it must agree to rounding.
const TIGHT = 1e-9;

describe('CPU reference against scikit-learn', () => {
  for (const c of sklearn.mu) {
    it(`MU curve ${caseName(c)}`, () => {
      const v = c.positive ? sklearnPositiveV : sklearnV;
      const init = c.positive ? sklearnPositiveInit : sklearnInit;
      const nmf = new CpuNmf(v, { rank: sklearn.rank, beta: c.beta, alphaW: c.alphaW, alphaH: c.alphaH, l1Ratio: c.l1Ratio, init });
      const curve: number[] = [];
      for (let i = 0; i < sklearn.iterations; i++) {
        nmf.step();
        curve.push(nmf.loss());
      }
      expect(maxRelativeDeviation(curve, c.curve)).toBeLessThan(TIGHT);
      expect(maxAbsoluteDeviation(nmf.W, c.W)).toBeLessThan(1e-8);
      expect(maxAbsoluteDeviation(nmf.H, c.H)).toBeLessThan(1e-8);
    });
  }

  for (const c of sklearn.muTol) {
    it(`MU stops like scikit-learn, ${caseName(c)}`, () => {
      const nmf = new CpuNmf(sklearnV, { rank: sklearn.rank, beta: c.beta, tol: c.tol, maxIter: c.maxIter, init: sklearnInit });
      const result = nmf.fit({ recordEvery: 0 });
      expect(result.iterations).toBe(c.iterations);
      expect(result.converged).toBe(c.converged);
      expect(result.warning === null).toBe(c.converged);
      expect(Math.abs(result.history.at(-1)!.loss - c.loss) / c.loss).toBeLessThan(TIGHT);
    });
  }

  for (const c of sklearn.cd) {
    it(`CD ends like scikit-learn, ${caseName(c)}`, () => {
      const options = { rank: sklearn.rank, solver: 'cd' as const, tol: c.tol, maxIter: c.maxIter, alphaW: c.alphaW, alphaH: c.alphaH, l1Ratio: c.l1Ratio };
      const nmf = new CpuNmf(sklearnV, { ...options, init: sklearnInit });
      const result = nmf.fit({ recordEvery: 0 });
      expect(result.iterations).toBe(c.iterations);
      expect(result.converged).toBe(c.converged);
      expect(Math.abs(result.history.at(-1)!.loss - c.loss) / c.loss).toBeLessThan(TIGHT);
      expect(maxAbsoluteDeviation(nmf.W, c.W)).toBeLessThan(1e-8);
    });
  }

  for (const c of sklearn.transform.cases) {
    it(`transform ${c.solver} beta ${c.beta}`, () => {
      const fitted = new CpuNmf(sklearnV, { rank: sklearn.rank, solver: c.solver, beta: c.beta, init: { W: sklearnInit.W, H: Float32Array.from(sklearn.transform.H) } });
      // The fixture's H is float64; the reference takes it unrounded.
      fitted.H.set(sklearn.transform.H);
      const result = fitted.transform(transformV);
      expect(result.iterations).toBe(c.iterations);
      expect(maxAbsoluteDeviation(result.W, c.W)).toBeLessThan(1e-8);
    });
  }

  for (const method of ['nndsvd', 'nndsvda'] as const) {
    it(`${method} matches on planted rank-4 data`, async () => {
      const nmf = await CpuNmf.create(plantedV, { rank: sklearn.rank, init: method, seed: 3 });
      // Both randomized SVDs converge to the exact one on this data, to about 1e-8.
      expect(maxAbsoluteDeviation(nmf.W, sklearn.nndsvd[method].W)).toBeLessThan(1e-7);
      expect(maxAbsoluteDeviation(nmf.H, sklearn.nndsvd[method].H)).toBeLessThan(1e-7);
    });
  }

  it('nndsvdar keeps NNDSVD entries and fills its zeros with small values', async () => {
    const nmf = await CpuNmf.create(plantedV, { rank: sklearn.rank, init: 'nndsvdar', seed: 3 });
    const base = sklearn.nndsvd.nndsvd;
    const mean = plantedV.data.reduce((sum, x) => sum + x, 0) / 255 / plantedV.data.length;
    for (const name of ['W', 'H'] as const) {
      const actual = nmf[name];
      const filled = base[name].map((x, i) => (x === 0 ? i : -1)).filter((i) => i >= 0);
      expect(filled.length).toBeGreaterThan(0);
      for (let i = 0; i < actual.length; i++) {
        if (base[name][i] === 0) {
          // |mean · N(0, 1) / 100| stays below mean · 6 / 100 except once in 10⁹ draws.
          expect(actual[i]).toBeGreaterThanOrEqual(0);
          expect(actual[i]).toBeLessThan((mean * 6) / 100);
        } else {
          expect(Math.abs(actual[i] - base[name][i])).toBeLessThan(1e-6);
        }
      }
    }
  });
});
