import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../bench/options.ts';
import { maxRelativeDifference, muIterationFlops, nmfProducts } from '../../bench/products.ts';
import { formatNumber, formatTable } from '../../bench/table.ts';
import { measure, measureSlope, median } from '../../bench/timing.ts';

/** Creates a run that sleeps `fixed` ms per call plus `each` ms per repetition and records its calls. */
function sleeper(fixed: number, each: number) {
  const calls: number[] = [];
  return {
    calls,
    run: async (repetitions: number) => {
      calls.push(repetitions);
      await new Promise((resolve) => setTimeout(resolve, fixed + each * repetitions));
    },
  };
}

describe('bench timing', () => {
  it('median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('measure sizes repetitions to the minimum time', async () => {
    const work = sleeper(0, 10);
    const [result] = await measure([work.run], { trials: 3, minSeconds: 0.05, maxRepetitions: 100 });
    expect(result.repetitions).toBeGreaterThanOrEqual(3);
    expect(result.repetitions).toBeLessThanOrEqual(5);
    expect(work.calls.slice(0, 2)).toEqual([1, 1]);
    expect(result.trialSeconds).toHaveLength(3);
    expect(result.seconds).toBeGreaterThan(0.009);
  });

  it('measure alternates the trials of runs', async () => {
    const order: string[] = [];
    const run = (name: string) => async () => {
      order.push(name);
      await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const results = await measure([run('a'), run('b')], { trials: 2, minSeconds: 0, maxRepetitions: 1 });
    expect(results).toHaveLength(2);
    expect(order).toEqual(['a', 'a', 'b', 'b', 'a', 'b', 'a', 'b']);
  });

  it('measureSlope separates per-call cost', async () => {
    const work = sleeper(40, 10);
    const [result] = await measureSlope([work.run], { trials: 3, minSeconds: 0.05, maxRepetitions: 100 });
    // Wall-clock bounds fail on a loaded machine, so only the order of the
    // two costs (40 ms fixed against 10 ms a repetition) is checked.
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.fixedSeconds).toBeGreaterThan(result.seconds);
    expect(work.calls).toContain(2 * result.repetitions);
  });

  it('measureSlope bounds repetitions for fixed-cost work', async () => {
    const work = sleeper(30, 0);
    const [result] = await measureSlope([work.run], { trials: 1, minSeconds: 0.05, maxRepetitions: 100 });
    // With no cost per repetition the floor three / 12 gives ceil(0.05 / 0.0025) = 20 at most.
    expect(result.repetitions).toBeLessThanOrEqual(20);
  });
});

describe('bench products', () => {
  it('shapes at the real sizes', () => {
    const products = nmfProducts({ samples: 15747, features: 4096, rank: 50 });
    expect(products.find((p) => p.name === 'Wᵀ·V')).toEqual({ name: 'Wᵀ·V', m: 50, n: 4096, k: 15747 });
    expect(products.find((p) => p.name === 'V·Hᵀ')).toEqual({ name: 'V·Hᵀ', m: 15747, n: 50, k: 4096 });
    expect(products).toHaveLength(6);
  });

  it('MU iteration flop count', () => {
    // 2·(2·r·F·S + 2·r²·S + 2·r²·F) for S = 10, F = 20, r = 2.
    expect(muIterationFlops({ samples: 10, features: 20, rank: 2 })).toBe(2 * (2 * 400 + 2 * 40 + 2 * 80));
  });

  it('relative difference scales by the reference', () => {
    expect(maxRelativeDifference(Float32Array.of(1, 2.5), Float32Array.of(1, 2))).toBeCloseTo(0.25);
    expect(maxRelativeDifference(Float32Array.of(0, Number.NaN), Float32Array.of(0, 1))).toBeNaN();
    expect(() => maxRelativeDifference(new Float32Array(1), new Float32Array(2))).toThrow(RangeError);
  });
});

describe('bench options', () => {
  it('defaults to automatic shape', () => {
    const options = parseBenchOptions([]);
    expect(options?.base).toEqual({ kind: 'auto' });
    expect(options?.timing).toEqual({ trials: 5, minSeconds: 0.2, maxRepetitions: 200 });
  });

  it('reads scale and overrides', () => {
    const options = parseBenchOptions(['--scale', '0.5', '--rank', '8', '--json', 'out.json']);
    expect(options?.base).toEqual({ kind: 'scale', factor: 0.5 });
    expect(options?.overrides).toEqual({ rank: 8 });
    expect(options?.jsonPath).toBe('out.json');
  });

  it('rejects invalid values', () => {
    expect(() => parseBenchOptions(['--rank', '0'])).toThrow(/--rank 0 is invalid/);
    expect(() => parseBenchOptions(['--scale', 'x'])).toThrow(/--scale x is invalid/);
    expect(() => parseBenchOptions(['--full', '--scale', '2'])).toThrow(/contradict/);
    expect(() => parseBenchOptions(['--bogus'])).toThrow();
  });

  it('returns null for help', () => {
    expect(parseBenchOptions(['--help'])).toBeNull();
  });
});

describe('bench table', () => {
  it('aligns numbers right', () => {
    const text = formatTable({ columns: ['name', 'ms'], rows: [['a', '1.5'], ['bb', '10.0']] });
    expect(text.split('\n')).toEqual(['name    ms', '----  ----', 'a      1.5', 'bb    10.0']);
  });

  it('formats significant digits', () => {
    expect(formatNumber(123.456)).toBe('123');
    expect(formatNumber(0.01234)).toBe('0.0123');
    expect(formatNumber(2.3e-7, 2)).toBe('2.3e-7');
    expect(formatNumber(null)).toBe('—');
  });
});
