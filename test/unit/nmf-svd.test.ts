import { describe, expect, it } from 'vitest';
import { orthonormalColumns, svd } from '../../src/nmf/dense.ts';
import { nndsvdFromSvd, fillNndsvdZeros } from '../../src/nmf/nndsvd.ts';
import { createRandom } from '../../src/nmf/random.ts';
import { randomizedSvd } from '../../src/nmf/randomized-svd.ts';
import { cpuProducts, matmul } from '../../src/nmf/reference.ts';

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const random = createRandom(seed);
  return Float64Array.from({ length: rows * cols }, () => random.normal());
}

function maxAbs(values: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]));
  return worst;
}

describe('orthonormalColumns', () => {
  it('returns Q with QᵀQ = I that spans A', () => {
    const a = randomMatrix(9, 4, 1);
    const q = orthonormalColumns(a, 9, 4);
    const gram = matmul(q, q, 4, 4, 9, true, false);
    gram.forEach((value, i) => expect(value).toBeCloseTo(i % 5 === 0 ? 1 : 0, 12));
    // Projecting A onto span(Q) leaves A unchanged.
    const projected = matmul(q, matmul(q, a, 4, 4, 9, true, false), 9, 4, 4);
    expect(maxAbs(projected.map((x, i) => x - a[i]))).toBeLessThan(1e-12);
  });

  it('stays orthonormal for a rank-deficient A', () => {
    const a = new Float64Array(6 * 3);
    for (let i = 0; i < 6; i++) a[i * 3] = a[i * 3 + 1] = i + 1;
    const q = orthonormalColumns(a, 6, 3);
    const gram = matmul(q, q, 3, 3, 6, true, false);
    gram.forEach((value, i) => expect(value).toBeCloseTo(i % 4 === 0 ? 1 : 0, 12));
  });
});

describe('svd', () => {
  for (const [m, n] of [[7, 4], [4, 7], [5, 5]]) {
    it(`reconstructs a ${m}x${n} matrix with sorted singular values`, () => {
      const a = randomMatrix(m, n, m * 10 + n);
      const { U, S, Vt, k } = svd(a, m, n);
      expect(k).toBe(Math.min(m, n));
      for (let i = 1; i < k; i++) expect(S[i]).toBeLessThanOrEqual(S[i - 1]);
      const us = U.map((x, i) => x * S[i % k]);
      const back = matmul(us, Vt, m, n, k);
      expect(maxAbs(back.map((x, i) => x - a[i]))).toBeLessThan(1e-12);
    });
  }
});

describe('randomizedSvd', () => {
  it('finds the leading singular values of a matrix with a spectral gap', async () => {
    // A constant, a rank-1 and a rank-2 term of decreasing size, rounded to bytes.
    const samples = 40;
    const features = 30;
    const data = new Uint8Array(samples * features);
    for (let i = 0; i < samples; i++) {
      for (let j = 0; j < features; j++) {
        const value = 0.5 + 0.3 * Math.sin(i) * Math.cos(j) + 0.1 * Math.sin(2 * i + j);
        data[i * features + j] = Math.round(255 * Math.min(1, Math.max(0, value)));
      }
    }
    const v = { samples, features, data };
    const values = Float64Array.from(data, (x) => x / 255);
    const exact = svd(values, samples, features);
    const approximate = await randomizedSvd(cpuProducts(v), 3, 7);
    for (let j = 0; j < 3; j++) expect(approximate.S[j]).toBeCloseTo(exact.S[j], 8);
    // U columns agree up to sign; the largest entry of each is positive.
    for (let j = 0; j < 3; j++) {
      let sign = 0;
      for (let i = 0; i < samples; i++) sign += approximate.U[i * 3 + j] * exact.U[i * exact.k + j];
      expect(Math.abs(sign)).toBeCloseTo(1, 8);
    }
  });

  it('rejects a rank above min(samples, features)', async () => {
    const v = { samples: 3, features: 5, data: new Uint8Array(15).fill(9) };
    await expect(randomizedSvd(cpuProducts(v), 4, 0)).rejects.toThrow(/rank 4 is invalid for 3 × 5; choose 1 to 3/);
  });
});

describe('NNDSVD', () => {
  it('gives zero factors, not NaN, for an all-zero V', async () => {
    const v = { samples: 5, features: 4, data: new Uint8Array(20) };
    const decomposition = await randomizedSvd(cpuProducts(v), 2, 1);
    const base = nndsvdFromSvd(decomposition, 5, 4);
    expect(Array.from(base.W).every((x) => x === 0)).toBe(true);
    expect(Array.from(base.H).every((x) => x === 0)).toBe(true);
    const filled = fillNndsvdZeros(base, 'nndsvdar', 0, 3);
    expect(Array.from(filled.W).every((x) => x === 0)).toBe(true);
  });
});
