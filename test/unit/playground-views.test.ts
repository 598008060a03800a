import { describe, expect, it } from 'vitest';
import { matmul } from '../../src/nmf/reference.ts';
import { colormapTable } from '../../src/ui/colormap.ts';
import { formatPageOptions, parsePageOptions, readPageOptions } from '../../src/ui/url-state.ts';
import { largestInColumn, reconstruct, spreadSamples } from '../../src/worker/snapshot.ts';

describe('page options in the URL', () => {
  it('round-trip through the query string', () => {
    const options = parsePageOptions('?rank=50&seed=9&update=5&max=300&limit=64&size=32&cmap=bone&step=7&cpu=1&debug=1');
    expect(options.settings).toEqual({ rank: 50, seed: 9, iterationsPerUpdate: 5, maxIterations: 300 });
    expect(options).toMatchObject({ limit: 64, size: 32, colormap: 'bone', stepSize: 7, forceCpu: true, debug: true });
    expect(parsePageOptions(formatPageOptions(options))).toEqual(options);
  });

  it('fall back to defaults on invalid values', () => {
    const options = parsePageOptions('?rank=-3&seed=1.5&cmap=jet&limit=abc');
    const defaults = parsePageOptions('');
    expect(options).toEqual(defaults);
    expect(formatPageOptions(defaults)).toBe('');
  });

  it('name each invalid parameter in a notice', () => {
    const { options, notices } = readPageOptions('?rank=0&seed=-1&max=-5&size=0&update=0&limit=abc&cmap=jet&step=2.5');
    expect(options).toEqual(parsePageOptions(''));
    expect(notices).toEqual([
      'URL parameter limit=abc is invalid (an integer from 1 to 9007199254740991); using all images',
      'URL parameter rank=0 is invalid (an integer from 1 to 4096); using 16',
      'URL parameter seed=-1 is invalid (an integer from 0 to 4294967295); using 1',
      'URL parameter update=0 is invalid (an integer from 1 to 100000); using 10',
      'URL parameter max=-5 is invalid (an integer from 1 to 100000000); using 5000',
      'URL parameter size=0 is invalid (an integer from 1 to 1024); using 64',
      'URL parameter cmap=jet is invalid (one of viridis, bone, gray); using viridis',
      'URL parameter step=2.5 is invalid (an integer from 1 to 1000000); using 10',
    ]);
  });

  it('reject rank=99999, rank=2.5 and an empty rank', () => {
    for (const text of ['99999', '2.5', '']) {
      const { options, notices } = readPageOptions(`?rank=${text}`);
      expect(options.settings.rank).toBe(16);
      expect(notices).toEqual([`URL parameter rank=${text} is invalid (an integer from 1 to 4096); using 16`]);
    }
  });

  it('give no notice for valid or missing values', () => {
    expect(readPageOptions('?rank=50&cpu=1').notices).toEqual([]);
    expect(readPageOptions('').notices).toEqual([]);
  });
});

describe('snapshot views', () => {
  it('reconstruct matches W·H rows', () => {
    const v = { samples: 3, features: 4, data: Uint8Array.from([0, 255, 51, 102, 255, 255, 0, 0, 10, 20, 30, 40]) };
    const W = Float32Array.from([0.5, 0.1, 0.2, 0.3, 0.9, 0]);
    const H = Float32Array.from([1, 0, 0.5, 0.25, 0, 1, 0.5, 0.75]);
    const shown = reconstruct(v, { W, H }, 2, [2, 0]);
    const full = matmul(W, H, 3, 4, 2);
    expect(Array.from(shown.values)).toEqual(Array.from(Float32Array.from([...full.slice(8, 12), ...full.slice(0, 4)])));
    expect(Array.from(shown.originals)).toEqual([10, 20, 30, 40, 0, 255, 51, 102]);
    expect(Array.from(shown.weights)).toEqual(Array.from(Float32Array.from([0.9, 0, 0.5, 0.1])));
    const target = [10, 20, 30, 40].map((x) => x / 255);
    const residual = Math.hypot(...target.map((x, j) => x - full[8 + j]));
    expect(shown.errors[0]).toBeCloseTo(residual / Math.hypot(...target), 12);
  });

  it('largestInColumn orders rows by weight', () => {
    const W = Float32Array.from([0.1, 5, 0.7, 1, 0.7, 2, 0.3, 0]);
    expect(largestInColumn(W, 2, 0, 3)).toEqual({ indices: [1, 2, 3], weights: [0.699999988079071, 0.699999988079071, 0.30000001192092896] });
    expect(() => largestInColumn(W, 2, 2, 1)).toThrow(/component 2 is out of range/);
  });

  it('spreadSamples picks distinct rows inside V', () => {
    for (const [samples, count] of [[200, 6], [12, 6], [3, 6], [37, 6], [1, 1]]) {
      const picks = spreadSamples(samples, count);
      expect(new Set(picks).size).toBe(Math.min(samples, count));
      expect(Math.max(...picks)).toBeLessThan(samples);
      expect(picks[0]).toBe(0);
    }
  });

  it('colormaps span dark to light', () => {
    for (const name of ['viridis', 'bone', 'gray'] as const) {
      const table = colormapTable(name);
      const brightness = (i: number) => table[i * 3] + table[i * 3 + 1] + table[i * 3 + 2];
      expect(brightness(0)).toBeLessThan(brightness(255));
    }
    expect(Array.from(colormapTable('viridis').subarray(0, 3))).toEqual([0x44, 0x01, 0x54]);
    expect(Array.from(colormapTable('bone').subarray(765))).toEqual([255, 255, 255]);
  });
});
