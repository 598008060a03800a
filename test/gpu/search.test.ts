import { describe, expect, it } from 'vitest';
import { encodeDispatches } from '../../src/gpu/kernel.ts';
import { GpuResources, readBuffer, readFloat32, writeBuffer } from '../../src/gpu/resources.ts';
import type { Neighbour, Queries, SearchResult } from '../../src/search/engine.ts';
import { SearchKernels, unitStride } from '../../src/search/gpu-kernels.ts';
import { GpuSearch, type GpuSearchOptions } from '../../src/search/gpu-search.ts';
import { referenceAllPairs, referenceSearch, unitRows } from '../../src/search/reference.ts';
import { useDevice } from './helpers.ts';
import { duplicateRow, separate, sparseRows, zeroRow } from './search-fixtures.ts';

const gpu = useDevice();

/** Asserts one GPU list equals the reference list: indices exactly, similarities to 1e-5. */
function expectSameList(actual: Neighbour[], expected: Neighbour[], label: string): void {
  expect(actual.map((n) => n.index), `${label}: indices`).toEqual(expected.map((n) => n.index));
  const worst = Math.max(0, ...actual.map((n, i) => Math.abs(n.similarity - expected[i].similarity)));
  expect(worst, `${label}: largest similarity error`).toBeLessThanOrEqual(1e-5);
}

function expectSameResults(actual: SearchResult[], expected: SearchResult[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((result, q) => {
    expect(result.invalidQuery, `query ${q}: invalidQuery`).toBe(expected[q].invalidQuery);
    expectSameList(result.nearest, expected[q].nearest, `query ${q} nearest`);
    expectSameList(result.farthest, expected[q].farthest, `query ${q} farthest`);
  });
}

/** Runs the same search on the GPU and in the reference and compares them. */
async function compareSearch(W: Float32Array, samples: number, rank: number, queries: Queries, k: number, options: GpuSearchOptions = {}) {
  const search = await GpuSearch.create(gpu.device, W, samples, rank, options);
  try {
    const actual = await search.search(queries, { k, dissimilar: true });
    expectSameResults(actual, referenceSearch(W, samples, rank, queries, { k, dissimilar: true }));
    return actual;
  } finally {
    search.destroy();
  }
}

/** Query rows spread over the corpus: 0, the last row and evenly spaced ones between. */
function spreadRows(count: number, samples: number): number[] {
  return Array.from({ length: count }, (_, q) => (count === 1 ? 0 : Math.round((q * (samples - 1)) / (count - 1))));
}

describe('search normalize kernel', () => {
  it('normalize 9x50 rows with zero, subnormal, NaN, Inf and one-hot rows', async () => {
    const rank = 50;
    const W = sparseRows(9, rank, 3);
    zeroRow(W, rank, 1);
    W.fill(1e-40, 2 * rank, 3 * rank); // subnormal only: counts as zero
    W[3 * rank + 4] = Number.NaN;
    W[4 * rank + 7] = Number.POSITIVE_INFINITY;
    zeroRow(W, rank, 5);
    W[5 * rank + 9] = 3.5; // one nonzero: unit row exactly e₉
    W.fill(1e30, 6 * rank, 7 * rank); // squares would overflow f32 without scaling
    W.fill(1e-30, 7 * rank, 8 * rank); // squares would underflow f32 without scaling

    const res = new GpuResources(gpu.device);
    try {
      const stride = unitStride(rank);
      const x = res.storage('test/W', W);
      const unit = res.storage('test/unit', 9 * stride * 4);
      const flags = res.storage('test/flags', 9 * 4);
      const dispatch = new SearchKernels(gpu.device).normalize(res, x, unit, flags, 9, rank, 'test/normalize');
      const encoder = gpu.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      encodeDispatches(pass, [dispatch]);
      pass.end();
      gpu.device.queue.submit([encoder.finish()]);

      const actualFlags = [...new Uint32Array(await readBuffer(gpu.device, flags, 9 * 4))];
      expect(actualFlags).toEqual([0, 1, 1, 2, 2, 0, 0, 0, 0]);

      const actual = await readFloat32(gpu.device, unit, 9 * stride);
      const expected = unitRows(W, 9, rank).unit;
      for (let row = 0; row < 9; row++) {
        for (let j = 0; j < stride; j++) {
          const want = j < rank ? expected[row * rank + j] : 0;
          expect(Math.abs(actual[row * stride + j] - want), `row ${row}, entry ${j}`).toBeLessThanOrEqual(1e-6);
        }
      }
      expect(actual[5 * stride + 9]).toBe(1);
    } finally {
      res.destroy();
    }
  });
});

describe('search top-k and bottom-k', () => {
  // [samples, rank, queries, k]: corpora that fit and do not fit the partitions, ragged batches.
  const CASES: [number, number, number, number][] = [
    [1, 50, 1, 8],
    [63, 50, 7, 64],
    [257, 50, 7, 64],
    [257, 50, 33, 5],
    [500, 50, 1, 64],
    [500, 50, 33, 10],
    [500, 3, 7, 64],
    [257, 3, 33, 16],
  ];
  for (const [samples, rank, count, k] of CASES) {
    it(`top-k ${samples}x${rank} corpus, ${count} ${count === 1 ? 'query' : 'queries'}, k ${k}`, async () => {
      const W = sparseRows(samples, rank, samples + rank);
      const queries = spreadRows(count, samples);
      separate(W, samples, rank, () => queries, k);
      await compareSearch(W, samples, rank, queries, k);
    });
  }

  it('top-k 257x1 corpus, 7 queries, k 64: every similarity ties', async () => {
    const W = sparseRows(257, 1, 5).map((value, i) => (i % 3 === 0 ? -value : value));
    const results = await compareSearch(W, 257, 1, spreadRows(7, 257), 64);
    const similarities = results.flatMap((result) => [...result.nearest, ...result.farthest].map((n) => n.similarity));
    expect(similarities.length).toBeGreaterThan(0);
    expect(similarities.filter((similarity) => Math.abs(similarity) !== 1)).toEqual([]);
  });

  it('top-k 257x50 with 40 duplicate rows, 7 queries, k 64', async () => {
    const rank = 50;
    const W = sparseRows(257, rank, 11);
    const fixed = new Set<number>();
    for (let copy = 0; copy < 40; copy++) {
      const [from, to] = [(copy * 37) % 120, 130 + copy * 3];
      duplicateRow(W, rank, from, to);
      fixed.add(from).add(to);
    }
    duplicateRow(W, rank, 5, 6); // a query with an exact copy of itself: similarity 1
    fixed.add(5).add(6);
    const queries = [0, 5, 37, 74, 131, 200, 256];
    separate(W, 257, rank, () => queries, 64, { fixed });
    const results = await compareSearch(W, 257, rank, queries, 64);
    expect(results[1].nearest[0]).toEqual({ index: 6, similarity: expect.closeTo(1, 6) });
  });

  it('top-k 257x50 with zero rows, zero-row query, k 300', async () => {
    const rank = 50;
    const W = sparseRows(257, rank, 13);
    const zeros = [0, 17, 100, 101, 256];
    for (const row of zeros) zeroRow(W, rank, row);
    const queries = [17, 1, 128, 255];
    separate(W, 257, rank, () => queries, 300, { fixed: new Set(zeros) });
    const search = await GpuSearch.create(gpu.device, W, 257, rank, { rowsPerPartition: 50 });
    try {
      expect(search.zeroRows).toEqual(zeros);
      const results = await search.search(queries, { k: 300, dissimilar: true });
      expectSameResults(results, referenceSearch(W, 257, rank, queries, { k: 300, dissimilar: true }));
      expect(results[0]).toEqual({ nearest: [], farthest: [], invalidQuery: 'zero' });
      expect(results[1].nearest.length).toBe(257 - zeros.length - 1);
    } finally {
      search.destroy();
    }
  });

  it('top-k 257x50 corpus, 7 query vectors, k 16', async () => {
    const rank = 50;
    const W = sparseRows(257, rank, 17);
    const vectors = sparseRows(7, rank, 19);
    vectors.fill(0, 2 * rank, 3 * rank);
    vectors[4 * rank] = Number.NaN;
    // Query 5 is a copy of row 9, so it finds row 9 with similarity 1.
    const withCopy = () => {
      vectors.set(W.subarray(9 * rank, 10 * rank), 5 * rank);
      return vectors;
    };
    separate(W, 257, rank, withCopy, 16, { fixed: new Set([9]) });
    withCopy();
    const results = await compareSearch(W, 257, rank, vectors, 16);
    expect(results[2].invalidQuery).toBe('zero');
    expect(results[4].invalidQuery).toBe('non-finite');
    expect(results[5].nearest[0].index).toBe(9);
  });

  it('top-k 500x50 corpus, 7 queries, k 150 in three pages of k', async () => {
    const W = sparseRows(500, 50, 23);
    const queries = spreadRows(7, 500);
    separate(W, 500, 50, () => queries, 150);
    await compareSearch(W, 500, 50, queries, 150, { rowsPerPartition: 100 });
  });

  it('top-k 500x50 corpus, 7 queries, k 64 over 32 partitions of 16 rows', async () => {
    const W = sparseRows(500, 50, 29);
    const queries = spreadRows(7, 500);
    separate(W, 500, 50, () => queries, 64);
    await compareSearch(W, 500, 50, queries, 64, { rowsPerPartition: 16 });
  });

  it('top-k 500x50 corpus, 33 queries, k 10, 3x2 select workgroups', async () => {
    const W = sparseRows(500, 50, 31);
    const queries = spreadRows(33, 500);
    separate(W, 500, 50, () => queries, 10);
    await compareSearch(W, 500, 50, queries, 10, { selectWorkgroupSize: [3, 2], rowsPerPartition: 40 });
  });

  it('top-k 63x50 corpus with every row zero, k 8', async () => {
    const search = await GpuSearch.create(gpu.device, new Float32Array(63 * 50), 63, 50);
    try {
      expect(search.zeroRows.length).toBe(63);
      const [result] = await search.search(sparseRows(1, 50, 31), { k: 8, dissimilar: true });
      expect(result).toEqual({ nearest: [], farthest: [] });
    } finally {
      search.destroy();
    }
  });
});

describe('search all-pairs', () => {
  it('all-pairs 500x50, k 10, query tiles of 64, 8 partitions', async () => {
    const rank = 50;
    const W = sparseRows(500, rank, 37);
    const zeros = [3, 250];
    for (const row of zeros) zeroRow(W, rank, row);
    const rows = Array.from({ length: 500 }, (_, row) => row);
    separate(W, 500, rank, () => rows, 10, { fixed: new Set(zeros), farthest: false });

    const search = await GpuSearch.create(gpu.device, W, 500, rank);
    try {
      const actual = await search.allPairs({ k: 10, maxQueriesPerTile: 64, rowsPerPartition: 64 });
      const expected = referenceAllPairs(W, 500, rank, 10);
      expect([...actual.counts]).toEqual([...expected.counts]);
      expect([...actual.indices]).toEqual([...expected.indices]);
      let worst = 0;
      expected.similarities.forEach((value, i) => {
        if (!Number.isNaN(value)) worst = Math.max(worst, Math.abs(actual.similarities[i] - value));
      });
      expect(worst).toBeLessThanOrEqual(1e-5);
      expect(actual.counts[3]).toBe(0);
      expect(Number.isNaN(actual.similarities[3 * 10])).toBe(true);
    } finally {
      search.destroy();
    }
  });

  // Signed values in rank 8 spread the similarities widely enough that the
  // fixture can separate 70 neighbours of every row.
  it('all-pairs 300x8, k 70, query tiles of 100', async () => {
    const signedRows = (count: number, seed: number) => sparseRows(count, 8, seed).map((value) => 2 * value - 1);
    const W = signedRows(300, 41);
    const rows = Array.from({ length: 300 }, (_, row) => row);
    separate(W, 300, 8, () => rows, 70, { farthest: false, draw: (seed) => signedRows(1, seed) });
    const search = await GpuSearch.create(gpu.device, W, 300, 8);
    try {
      const actual = await search.allPairs({ k: 70, maxQueriesPerTile: 100 });
      expect([...actual.indices]).toEqual([...referenceAllPairs(W, 300, 8, 70).indices]);
    } finally {
      search.destroy();
    }
  });
});

describe('search on a W buffer', () => {
  it('search reads W from a GPU buffer and refreshes after it changes', async () => {
    const rank = 50;
    const first = sparseRows(63, rank, 43);
    const second = sparseRows(63, rank, 47);
    zeroRow(second, rank, 10);
    const queries = [0, 10, 62];
    separate(first, 63, rank, () => queries, 8);
    separate(second, 63, rank, () => queries, 8, { fixed: new Set([10]) });

    const res = new GpuResources(gpu.device);
    try {
      const buffer = res.storage('test/solver-W', first);
      const search = await GpuSearch.create(gpu.device, buffer, 63, rank);
      expectSameResults(await search.search(queries, { k: 8 }), referenceSearch(first, 63, rank, queries, { k: 8 }));

      writeBuffer(gpu.device, buffer, second);
      await search.refresh();
      expect(search.zeroRows).toEqual([10]);
      expectSameResults(await search.search(queries, { k: 8 }), referenceSearch(second, 63, rank, queries, { k: 8 }));
      await expect(search.refresh(first)).rejects.toThrow(/would overwrite the caller's buffer 'test\/solver-W'/);
      search.destroy();
    } finally {
      res.destroy();
    }
  });

  it('search rejects a W buffer without STORAGE usage', async () => {
    const buffer = gpu.device.createBuffer({ label: 'test/mappable', size: 64, usage: GPUBufferUsage.COPY_DST });
    await expect(GpuSearch.create(gpu.device, buffer, 4, 4)).rejects.toThrow(/lacks STORAGE usage/);
    buffer.destroy();
  });

  it('search refresh uploads new values to its own W', async () => {
    const first = sparseRows(63, 50, 59);
    const second = sparseRows(63, 50, 61);
    separate(first, 63, 50, () => [4], 8);
    separate(second, 63, 50, () => [4], 8);
    const search = await GpuSearch.create(gpu.device, first, 63, 50);
    try {
      await search.refresh(second);
      expectSameResults(await search.search([4], { k: 8 }), referenceSearch(second, 63, 50, [4], { k: 8 }));
    } finally {
      search.destroy();
    }
  });

  it('search rejects k 0 and a row outside W', async () => {
    const search = await GpuSearch.create(gpu.device, sparseRows(8, 4, 53), 8, 4);
    try {
      await expect(search.search([1], { k: 0 })).rejects.toThrow(/k is 0/);
      await expect(search.search([8], { k: 3 })).rejects.toThrow(/query row 8 is not a row of W/);
    } finally {
      search.destroy();
    }
  });
});
