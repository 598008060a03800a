import { describe, expect, it } from 'vitest';
import { checkRank, randomFactors } from '../../src/nmf/init.ts';
import { mean, packRows, squaredNorm, type U8Matrix } from '../../src/nmf/matrix.ts';
import { createRandom } from '../../src/nmf/random.ts';
import { CpuNmf, EPSILON, matmul, multiplicativeUpdate } from '../../src/nmf/reference.ts';

describe('createRandom', () => {
  it('repeats a stream for the same seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const first = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(first);
  });

  it('draws standard normals', () => {
    const random = createRandom(1);
    const values = Array.from({ length: 20_000 }, () => random.normal());
    const average = values.reduce((s, x) => s + x, 0) / values.length;
    const variance = values.reduce((s, x) => s + (x - average) ** 2, 0) / values.length;
    expect(Math.abs(average)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('rejects a seed that is not a u32', () => {
    expect(() => createRandom(1.5)).toThrow(/seed 1.5 is invalid/);
    expect(() => createRandom(2 ** 32)).toThrow(/from 0 to 4294967295/);
  });
});

describe('randomFactors', () => {
  it('scales |N(0,1)| by sqrt(mean / rank)', () => {
    const { W, H } = randomFactors({ samples: 200, features: 300, rank: 4 }, 0.5, 3);
    expect(W).toHaveLength(800);
    expect(H).toHaveLength(1200);
    const all = [...W, ...H];
    expect(all.every((x) => x >= 0)).toBe(true);
    // E|N(0,1)| = sqrt(2/π).
    const average = all.reduce((s, x) => s + x, 0) / all.length;
    expect(average / Math.sqrt(0.5 / 4)).toBeCloseTo(Math.sqrt(2 / Math.PI), 1);
  });
});

describe('checkRank', () => {
  it('accepts 1 to min(samples, features)', () => {
    expect(() => checkRank(1, 3, 5)).not.toThrow();
    expect(() => checkRank(3, 3, 5)).not.toThrow();
  });

  it('rejects zero, fractions and ranks above min(samples, features)', () => {
    expect(() => checkRank(0, 3, 5)).toThrow(/rank 0 is invalid for 3 samples × 5 features/);
    expect(() => checkRank(2.5, 3, 5)).toThrow(/rank 2.5/);
    expect(() => checkRank(4, 3, 5)).toThrow(/from 1 to 3/);
  });
});

describe('matrix helpers', () => {
  const v: U8Matrix = { samples: 2, features: 5, data: Uint8Array.from([1, 2, 3, 4, 5, 255, 0, 0, 0, 7]) };

  it('packs rows into little-endian words padded with zeros', () => {
    const words = packRows(v, 0, 2);
    expect(Array.from(words)).toEqual([0x04030201, 0x00000005, 0x000000ff, 0x00000007]);
    expect(Array.from(packRows(v, 1, 2))).toEqual([0x000000ff, 0x00000007]);
  });

  it('computes the norm and mean of V scaled to [0, 1]', () => {
    const sumOfSquares = [1, 2, 3, 4, 5, 255, 7].reduce((s, x) => s + x * x, 0);
    expect(squaredNorm(v)).toBeCloseTo(sumOfSquares / 255 ** 2, 12);
    expect(mean(v)).toBeCloseTo((1 + 2 + 3 + 4 + 5 + 255 + 7) / 255 / 10, 12);
  });
});

describe('CPU reference', () => {
  it('matmul handles both transposes', () => {
    const a = [1, 2, 3, 4, 5, 6]; // 2 × 3
    const b = [1, 2, 3, 4, 5, 6]; // 3 × 2
    expect(Array.from(matmul(a, b, 2, 2, 3))).toEqual([22, 28, 49, 64]);
    // Aᵀ·A with A stored 2 × 3: a 3 × 3 result.
    expect(Array.from(matmul(a, a, 3, 3, 2, true, false))).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
    // A·Aᵀ: 2 × 2.
    expect(Array.from(matmul(a, a, 2, 2, 3, false, true))).toEqual([14, 32, 32, 77]);
  });

  it('multiplicative update floors the denominator at epsilon', () => {
    const x = Float64Array.from([2, 3, 4]);
    multiplicativeUpdate(x, [1, 0, 1], [2, 5, 0]);
    expect(Array.from(x)).toEqual([1, 0, 4 / EPSILON]);
  });

  it('never increases the loss on random data', () => {
    const random = createRandom(8);
    const v: U8Matrix = { samples: 30, features: 40, data: Uint8Array.from({ length: 1200 }, () => Math.floor(random.uniform() * 256)) };
    const nmf = new CpuNmf(v, 5, randomFactors({ samples: 30, features: 40, rank: 5 }, mean(v), 1));
    let previous = nmf.loss();
    for (let i = 0; i < 100; i++) {
      nmf.step();
      const loss = nmf.loss();
      expect(loss).toBeLessThanOrEqual(previous * (1 + 1e-12));
      previous = loss;
    }
  });
});
