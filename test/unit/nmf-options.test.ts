import { describe, expect, it } from 'vitest';
import { planSubmit } from '../../src/nmf/gpu-schedule.ts';
import { hoyerSparseness, meanSparseness } from '../../src/nmf/measures.ts';
import { checkZerosForBeta, matrixStats, sumOverEntries } from '../../src/nmf/matrix.ts';
import { muExponent, parseBeta, regularization, resolveOptions } from '../../src/nmf/options.ts';
import { convergenceWarning, StoppingRule } from '../../src/nmf/stopping.ts';

describe('parseBeta', () => {
  it('maps scikit-learn names and numbers', () => {
    expect(parseBeta('frobenius')).toBe(2);
    expect(parseBeta('kullback-leibler')).toBe(1);
    expect(parseBeta('itakura-saito')).toBe(0);
    expect(parseBeta('0.5')).toBe(0.5);
    expect(parseBeta(-1.5)).toBe(-1.5);
  });

  it('rejects other words and non-finite numbers', () => {
    expect(() => parseBeta('euclid')).toThrow(/beta 'euclid' is invalid; use a number or frobenius/);
    expect(() => parseBeta('')).toThrow(/beta '' is invalid/);
    expect(() => parseBeta(Number.NaN)).toThrow(/beta NaN is invalid/);
  });
});

describe('resolveOptions', () => {
  it('applies scikit-learn defaults except solver and init', () => {
    expect(resolveOptions({ rank: 3 })).toEqual({
      rank: 3, solver: 'mu', beta: 2, gamma: 1, init: 'random', seed: 0,
      alphaW: 0, alphaH: 0, l1Ratio: 0, tol: 1e-4, maxIter: 200, shuffle: false,
    });
  });

  it('copies alphaW into alphaH for same', () => {
    expect(resolveOptions({ rank: 1, alphaW: 0.3 }).alphaH).toBe(0.3);
    expect(resolveOptions({ rank: 1, alphaW: 0.3, alphaH: 0 }).alphaH).toBe(0);
  });

  it('computes gamma as scikit-learn does', () => {
    expect(muExponent(0)).toBe(0.5);
    expect(muExponent(0.5)).toBeCloseTo(1 / 1.5, 15);
    expect(muExponent(1.5)).toBe(1);
    expect(muExponent(3)).toBe(0.5);
  });

  it('rejects each invalid option by name and range', () => {
    expect(() => resolveOptions({ rank: 2, solver: 'als' as 'mu' })).toThrow(/solver 'als' is invalid; use mu or cd/);
    expect(() => resolveOptions({ rank: 2, solver: 'cd', beta: 0.5 })).toThrow(/solver cd minimises the Frobenius loss only/);
    expect(() => resolveOptions({ rank: 2, init: 'svd' as 'random' })).toThrow(/init 'svd' is invalid/);
    expect(() => resolveOptions({ rank: 2, alphaW: -1 })).toThrow(/alphaW -1 is invalid; give a finite number ≥ 0/);
    expect(() => resolveOptions({ rank: 2, alphaH: -0.1 })).toThrow(/alphaH -0.1 is invalid/);
    expect(() => resolveOptions({ rank: 2, l1Ratio: 1.5 })).toThrow(/l1Ratio 1.5 is invalid; give a number from 0 to 1/);
    expect(() => resolveOptions({ rank: 2, tol: -1 })).toThrow(/tol -1 is invalid/);
    expect(() => resolveOptions({ rank: 2, maxIter: 0 })).toThrow(/maxIter 0 is invalid/);
    expect(() => resolveOptions({ rank: 2.5 })).toThrow(/rank 2.5 is invalid/);
    expect(() => resolveOptions({ rank: 2, seed: -3 })).toThrow(/seed -3 is invalid/);
  });
});

describe('regularization', () => {
  it('scales W terms by features and H terms by samples', () => {
    const terms = regularization({ alphaW: 0.1, alphaH: 0.2, l1Ratio: 0.25 }, 30, 20);
    expect(terms.l1W).toBeCloseTo(20 * 0.1 * 0.25, 15);
    expect(terms.l2W).toBeCloseTo(20 * 0.1 * 0.75, 15);
    expect(terms.l1H).toBeCloseTo(30 * 0.2 * 0.25, 15);
    expect(terms.l2H).toBeCloseTo(30 * 0.2 * 0.75, 15);
  });
});

describe('matrixStats', () => {
  const v = { samples: 2, features: 3, data: Uint8Array.from([255, 0, 51, 255, 102, 51]) };

  it('sums V, its squares and its variance about the column means', () => {
    const stats = matrixStats(v);
    expect(stats.sum).toBeCloseTo((255 + 51 + 255 + 102 + 51) / 255, 12);
    expect(stats.squaredNorm).toBeCloseTo(1 + 0.04 + 1 + 0.16 + 0.04, 12);
    // Only the middle column varies: (0 − 0.2)² + (0.4 − 0.2)².
    expect(stats.centeredSquaredNorm).toBeCloseTo(0.08, 12);
    expect(stats.firstZero).toEqual([0, 1]);
    expect(sumOverEntries(stats, (x) => x * x)).toBeCloseTo(stats.squaredNorm, 12);
  });

  it('rejects zeros only for beta ≤ 0', () => {
    const stats = matrixStats(v);
    expect(() => checkZerosForBeta(stats, 0.1)).not.toThrow();
    expect(() => checkZerosForBeta(stats, 0)).toThrow(/V has zeros \(the first at \[0, 1\]\)/);
    expect(() => checkZerosForBeta(matrixStats({ ...v, data: v.data.map((x) => x || 1) }), -2)).not.toThrow();
  });
});

describe('hoyerSparseness', () => {
  it('is 0 for equal entries and 1 for one non-zero', () => {
    expect(hoyerSparseness(4, 4, 4)).toBeCloseTo(0, 12);
    expect(hoyerSparseness(3, 9, 4)).toBeCloseTo(1, 12);
    expect(hoyerSparseness(0, 0, 5)).toBe(1);
    expect(hoyerSparseness(2, 4, 1)).toBe(1);
  });

  it('averages over components', () => {
    const stats = { l1: Float64Array.from([4, 3]), squaredL2: Float64Array.from([4, 9]), zeros: 3, length: 4 };
    expect(meanSparseness(stats)).toBeCloseTo(0.5, 12);
  });
});

describe('StoppingRule', () => {
  it('checks MU every 10 iterations against the starting error', () => {
    const rule = new StoppingRule({ solver: 'mu', tol: 0.01, maxIter: 100 });
    rule.start(10);
    expect(rule.needsLossAt(5)).toBe(false);
    expect(rule.observeLoss(5, 1)).toBe(false);
    expect(rule.observeLoss(10, 8)).toBe(false); // (10 − 8) / 10 = 0.2
    expect(rule.observeLoss(20, 7.95)).toBe(true); // 0.005 < 0.01
    expect(rule.convergedAt).toBe(20);
  });

  it('never checks MU with tol 0', () => {
    const rule = new StoppingRule({ solver: 'mu', tol: 0, maxIter: 100 });
    expect(rule.needsLossAt(10)).toBe(false);
  });

  it('stops CD on the violation ratio', () => {
    const rule = new StoppingRule({ solver: 'cd', tol: 0.1, maxIter: 100 });
    expect(rule.observeViolation(1, 50)).toBe(false);
    expect(rule.observeViolation(2, 6)).toBe(false);
    expect(rule.observeViolation(3, 5)).toBe(true);
    const zero = new StoppingRule({ solver: 'cd', tol: 0, maxIter: 100 });
    expect(zero.observeViolation(1, 0)).toBe(true);
  });

  it('warns only without convergence and with tol > 0', () => {
    expect(convergenceWarning({ tol: 1e-4, maxIter: 5 }, false)).toMatch(/reached maxIter = 5 iterations/);
    expect(convergenceWarning({ tol: 1e-4, maxIter: 5 }, true)).toBeNull();
    expect(convergenceWarning({ tol: 0, maxIter: 5 }, false)).toBeNull();
  });
});

describe('planSubmit', () => {
  const limits = { iterationsPerSubmit: 16, measureSlots: 64, snapshotSlots: 0, recordEvery: 5 };

  it('ends a submit at its last measure', () => {
    expect(planSubmit(0, 100, limits, null)).toEqual({ first: 1, end: 15, measureAt: [5, 10, 15], snapshotAt: [] });
    expect(planSubmit(15, 17, limits, null)).toEqual({ first: 16, end: 17, measureAt: [17], snapshotAt: [] });
  });

  it('adds MU checks as measures and snapshots', () => {
    const rule = new StoppingRule({ solver: 'mu', tol: 1e-4, maxIter: 100 });
    const plan = planSubmit(0, 100, { ...limits, recordEvery: 0, snapshotSlots: 4 }, rule);
    expect(plan).toEqual({ first: 1, end: 10, measureAt: [10], snapshotAt: [10] });
  });

  it('cuts a CD submit where snapshot slots run out', () => {
    const rule = new StoppingRule({ solver: 'cd', tol: 1e-4, maxIter: 100 });
    const plan = planSubmit(0, 100, { ...limits, recordEvery: 0, snapshotSlots: 3 }, rule);
    expect(plan).toEqual({ first: 1, end: 3, measureAt: [], snapshotAt: [1, 2, 3] });
  });

  it('cuts a submit where measure slots run out', () => {
    const plan = planSubmit(0, 100, { ...limits, recordEvery: 1, measureSlots: 2 }, null);
    expect(plan).toEqual({ first: 1, end: 2, measureAt: [1, 2], snapshotAt: [] });
  });
});
