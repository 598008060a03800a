import { describe, expect, it } from 'vitest';
import { dispatchSize, dispatchSizeLinear, wgslConstant } from '../../src/gpu/kernel.ts';
import { MATMUL } from '../../src/gpu/matmul.ts';

const kernel = { label: 'test/kernel', workgroupSize: [8, 8] as const, elementsPerInvocation: [4, 4] as const };

describe('dispatchSize', () => {
  it('covers ragged outputs with whole workgroups', () => {
    expect(dispatchSize(kernel, 1, 1, 65535)).toEqual([1, 1, 1]);
    expect(dispatchSize(kernel, 32, 32, 65535)).toEqual([1, 1, 1]);
    expect(dispatchSize(kernel, 33, 65, 65535)).toEqual([2, 3, 1]);
  });

  it('folds columns past the limit into z', () => {
    expect(dispatchSize(kernel, 32 * 70_000, 1, 65535)).toEqual([65535, 1, 2]);
    expect(dispatchSize(kernel, 32 * 9, 1, 4)).toEqual([4, 1, 3]);
  });

  it('rejects rows above the limit with the count', () => {
    expect(() => dispatchSize(kernel, 1, 32 * 70_000, 65535)).toThrow(
      /test\/kernel: a 2240000 × 1 output needs 70000 workgroups along y, but maxComputeWorkgroupsPerDimension is 65535/,
    );
    expect(() => dispatchSize(kernel, 32 * 17, 1, 4)).toThrow(/needs 5 workgroups along z/);
  });
});

describe('dispatchSizeLinear', () => {
  const linear = { label: 'test/linear', workgroupSize: [256, 1] as const, elementsPerInvocation: [1, 1] as const };

  it('folds long 1-D dispatches into rows', () => {
    expect(dispatchSizeLinear(linear, 1, 65535)).toEqual([1, 1, 1]);
    expect(dispatchSizeLinear(linear, 257, 65535)).toEqual([2, 1, 1]);
    expect(dispatchSizeLinear(linear, 256 * 10, 4)).toEqual([4, 3, 1]);
  });

  it('rejects counts no fold can address', () => {
    expect(() => dispatchSizeLinear(linear, 256 * 17, 4)).toThrow(/4352 elements need 17 workgroups/);
  });
});

describe('wgslConstant', () => {
  it('reads the matmul register block from its shader', () => {
    expect(MATMUL.elementsPerInvocation).toEqual([4, 4]);
    expect(wgslConstant('const TILE = 16u;', 'TILE')).toBe(16);
    expect(wgslConstant('const TILE: u32 = 8;', 'TILE')).toBe(8);
  });

  it('throws for a missing constant', () => {
    expect(() => wgslConstant('const A = 1u;', 'B')).toThrow(/WGSL constant B not found/);
  });
});
