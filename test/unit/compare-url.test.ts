import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RUNS,
  formatCompareOptions,
  formatRun,
  parseCompareOptions,
  parseRun,
  runSettingsError,
  type CompareOptions,
} from '../../src/ui/compare-url.ts';
import type { RunSettings } from '../../src/worker/protocol.ts';

const MU: RunSettings = { solver: 'mu', beta: 2, init: 'random', seed: 1, rank: 8, alphaW: 0, alphaH: 0, l1Ratio: 0 };

describe('compare URL encoding', () => {
  it('formats a run without penalties in five fields', () => {
    expect(formatRun(MU)).toBe('mu:2:random:1:8');
  });

  it('formats a run with penalties in eight fields', () => {
    expect(formatRun({ ...MU, beta: 0.5, alphaW: 0.01, alphaH: 0.02, l1Ratio: 0.5 })).toBe('mu:0.5:random:1:8:0.01:0.02:0.5');
  });

  it('parses what it formats', () => {
    const runs: RunSettings[] = [
      MU,
      { ...MU, beta: 1, init: 'nndsvda', seed: 4294967295 },
      { ...MU, solver: 'cd', init: 'nndsvdar', rank: 3, alphaW: 1e-3, alphaH: 0, l1Ratio: 1 },
    ];
    for (const run of runs) expect(parseRun(formatRun(run))).toEqual(run);
  });

  it('round-trips the page options', () => {
    const options: CompareOptions = { runs: [MU, { ...MU, beta: 0 }, { ...MU, solver: 'cd' }], limit: 200, stepSize: 7, xAxis: 'seconds', forceCpu: true };
    const search = formatCompareOptions(options);
    expect(search).toBe('?runs=mu:2:random:1:8|mu:0:random:1:8|cd:2:random:1:8&limit=200&step=7&x=seconds&cpu=1');
    expect(parseCompareOptions(search)).toEqual({ options, errors: [] });
  });

  it('reads percent-encoded separators', () => {
    const { options, errors } = parseCompareOptions('?runs=mu%3A2%3Arandom%3A1%3A8%7Ccd%3A2%3Anndsvd%3A1%3A8');
    expect(errors).toEqual([]);
    expect(options.runs.map(formatRun)).toEqual(['mu:2:random:1:8', 'cd:2:nndsvd:1:8']);
  });

  it('uses the defaults when the URL sets nothing', () => {
    const { options, errors } = parseCompareOptions('');
    expect(errors).toEqual([]);
    expect(options.runs).toEqual(DEFAULT_RUNS);
    expect(options.stepSize).toBe(10);
    expect(options.xAxis).toBe('iteration');
    expect(options.limit).toBeUndefined();
    expect(options.forceCpu).toBe(false);
  });

  it('falls back to the defaults on an invalid run', () => {
    const { options, errors } = parseCompareOptions('?runs=mu:2:random:1:8|cd:1:random:1:8');
    expect(options.runs).toEqual(DEFAULT_RUNS);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/run 'cd:1:random:1:8': solver cd minimises the Frobenius loss only/);
  });

  it('falls back to the defaults on too few or too many runs', () => {
    for (const runs of ['mu:2:random:1:8', Array(5).fill('mu:2:random:1:8').join('|')]) {
      const { options, errors } = parseCompareOptions(`?runs=${runs}`);
      expect(options.runs).toEqual(DEFAULT_RUNS);
      expect(errors[0]).toMatch(/runs in the URL is invalid; compare 2 to 4 runs/);
    }
  });

  it('rejects runs with a wrong number of fields', () => {
    expect(() => parseRun('mu:2:random:1')).toThrow(/write solver:beta:init:seed:rank/);
    expect(() => parseRun('mu:2:random:1:8:0')).toThrow(/write solver:beta:init:seed:rank/);
  });
});

describe('run settings validation', () => {
  it('accepts valid settings', () => {
    expect(runSettingsError(MU)).toBeUndefined();
    expect(runSettingsError({ ...MU, solver: 'cd', alphaW: 0.1, l1Ratio: 0.3 })).toBeUndefined();
    expect(runSettingsError({ ...MU, beta: -0.5 })).toBeUndefined();
  });

  it.each([
    [{ solver: 'als' }, /solver 'als' is invalid/],
    [{ beta: NaN }, /beta 'NaN' is invalid/],
    [{ solver: 'cd', beta: 1 }, /solver cd minimises the Frobenius loss only \(β = 2\), but beta is 1/],
    [{ solver: 'cd', beta: 0 }, /use solver mu for other β/],
    [{ init: 'svd' }, /init 'svd' is invalid/],
    [{ seed: -1 }, /seed -1 is invalid/],
    [{ seed: 1.5 }, /seed 1.5 is invalid/],
    [{ seed: 2 ** 32 }, /seed 4294967296 is invalid/],
    [{ rank: 0 }, /rank 0 is invalid/],
    [{ rank: 2.5 }, /rank 2.5 is invalid/],
    [{ alphaW: -1 }, /alphaW -1 is invalid/],
    [{ alphaH: Infinity }, /alphaH Infinity is invalid/],
    [{ l1Ratio: 1.5 }, /l1Ratio 1.5 is invalid/],
    [{ l1Ratio: NaN }, /l1Ratio NaN is invalid/],
  ] as [Partial<Record<keyof RunSettings, unknown>>, RegExp][])('rejects %o', (change, message) => {
    expect(runSettingsError({ ...MU, ...change } as RunSettings)).toMatch(message);
  });
});
