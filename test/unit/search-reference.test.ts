import { describe, expect, it } from 'vitest';
import { CpuSearch } from '../../src/search/cpu-search.ts';
import { isNearDuplicate, type Queries } from '../../src/search/engine.ts';
import { MAX_K } from '../../src/search/gpu-kernels.ts';
import { MIN_ROWS_PER_PARTITION, planChain } from '../../src/search/gpu-plan.ts';
import { projectOntoH } from '../../src/search/project.ts';
import { referenceAllPairs, referenceSearch, rowProblem, unitRows } from '../../src/search/reference.ts';

/** Deterministic rows in [0, 1) with about a third of the entries zero. */
function sparseRows(rows: number, rank: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  return Float32Array.from({ length: rows * rank }, () => (next() < 0.35 ? 0 : next()));
}

describe('search reference', () => {
  // Rows of a 2-D corpus with similarities easy to check by hand.
  const W = new Float32Array([
    1, 0, // 0
    0, 1, // 1
    1, 1, // 2
    2, 0, // 3: same direction as row 0, unit row exactly row 0's
    0, 0, // 4: zero
    2, 2, // 5: same direction as row 2; scaling by 2 keeps its unit row exactly row 2's
  ]);

  it('reference 6x2 orders ties by lower index in both lists', () => {
    const [result] = referenceSearch(W, 6, 2, [2], { k: 10, dissimilar: true });
    expect(result.nearest.map((n) => n.index)).toEqual([5, 0, 1, 3]);
    expect(result.nearest[0].similarity).toBeCloseTo(1, 15);
    expect(result.nearest[1].similarity).toBeCloseTo(Math.SQRT1_2, 15);
    expect(result.farthest.map((n) => n.index)).toEqual([0, 1, 3, 5]);
  });

  it('reference 6x2 leaves out the query row and zero rows', () => {
    const [result] = referenceSearch(W, 6, 2, [0], { k: 10, dissimilar: true });
    expect(result.nearest).toEqual([
      { index: 3, similarity: 1 },
      { index: 2, similarity: expect.closeTo(Math.SQRT1_2, 15) },
      { index: 5, similarity: expect.closeTo(Math.SQRT1_2, 15) },
      { index: 1, similarity: 0 },
    ]);
    expect(result.farthest.map((n) => n.index)).toEqual([1, 2, 5, 3]);
  });

  it('reference 6x2 returns k rows, all candidates when k exceeds them', () => {
    const [few] = referenceSearch(W, 6, 2, [1], { k: 2 });
    expect(few.nearest.map((n) => n.index)).toEqual([2, 5]);
    expect(few.farthest).toEqual([]);
    const [all] = referenceSearch(W, 6, 2, [1], { k: 64 });
    expect(all.nearest.length).toBe(4);
  });

  it('reference 6x2 reports a zero row and a zero vector as invalid queries', () => {
    const results = referenceSearch(W, 6, 2, [4], { k: 3, dissimilar: true });
    expect(results).toEqual([{ nearest: [], farthest: [], invalidQuery: 'zero' }]);
    const vectors = referenceSearch(W, 6, 2, new Float32Array([0, 0, 0, 5, Number.NaN, 1]), { k: 1 });
    expect(vectors.map((r) => r.invalidQuery)).toEqual(['zero', undefined, 'non-finite']);
    expect(vectors[1].nearest).toEqual([{ index: 1, similarity: 1 }]);
  });

  it('rowProblem treats subnormal-only rows as zero and flags NaN and Infinity', () => {
    expect(rowProblem([0, 0])).toBe('zero');
    expect(rowProblem([1e-40, -1e-39])).toBe('zero');
    expect(rowProblem([2 ** -126, 0])).toBeUndefined();
    expect(rowProblem([1, Number.NaN])).toBe('non-finite');
    expect(rowProblem([0, Number.NEGATIVE_INFINITY])).toBe('non-finite');
  });

  it('unitRows scales rows to length 1 and one-hot rows to exactly ±1', () => {
    const { unit, problems } = unitRows(new Float32Array([3, 4, 0, -7, 0, 0]), 3, 2);
    expect([...unit]).toEqual([0.6, 0.8, 0, -1, 0, 0]);
    expect(problems).toEqual([undefined, undefined, 'zero']);
  });

  it('reference rejects k 0, a row outside W and a ragged vector batch', () => {
    expect(() => referenceSearch(W, 6, 2, [0], { k: 0 })).toThrow(/k is 0; it must be an integer of at least 1/);
    expect(() => referenceSearch(W, 6, 2, [6], { k: 1 })).toThrow(/query row 6 is not a row of W; rows run from 0 to 5/);
    expect(() => referenceSearch(W, 6, 2, new Float32Array(3), { k: 1 })).toThrow(/3 query values do not split into vectors of rank 2/);
    expect(() => referenceSearch(W, 5, 2, [0], { k: 1 })).toThrow(/W has 12 values, but samples × rank = 5 × 2 = 10/);
  });

  it('isNearDuplicate marks similarities from 0.9999', () => {
    expect(isNearDuplicate(1)).toBe(true);
    expect(isNearDuplicate(0.9999)).toBe(true);
    expect(isNearDuplicate(0.99989)).toBe(false);
    expect(isNearDuplicate(0.95, 0.9)).toBe(true);
  });
});

describe('CpuSearch against the reference', () => {
  // [samples, rank, queries, k]: k small (bounded lists) and large (one sort).
  const CASES: [number, number, number, number][] = [
    [1, 50, 1, 8],
    [63, 50, 7, 64],
    [257, 3, 33, 5],
    [500, 50, 7, 10],
    [500, 1, 7, 16],
  ];
  for (const [samples, rank, count, k] of CASES) {
    it(`cpu search ${samples}x${rank} corpus, ${count} ${count === 1 ? 'query' : 'queries'}, k ${k}`, async () => {
      const W = sparseRows(samples, rank, samples * 31 + rank);
      // Duplicates and zero rows, so ties and exclusions are on the path.
      for (let row = 2; row + 1 < samples; row += 9) W.copyWithin((row + 1) * rank, row * rank, (row + 1) * rank);
      for (let row = 5; row < samples; row += 13) W.fill(0, row * rank, (row + 1) * rank);
      const rows = Array.from({ length: count }, (_, q) => (q * 17) % samples);
      const vectors = sparseRows(count, rank, 99);

      const engine = CpuSearch.create(W, samples, rank);
      for (const queries of [rows, vectors] as Queries[]) {
        const actual = await engine.search(queries, { k, dissimilar: true });
        expect(actual).toEqual(referenceSearch(W, samples, rank, queries, { k, dissimilar: true }));
      }
      const zeroRows = Array.from({ length: samples }, (_, row) => row).filter((row) => W.subarray(row * rank, (row + 1) * rank).every((x) => x === 0));
      expect(engine.zeroRows).toEqual(zeroRows);
    });
  }

  it('cpu all-pairs 200x8, k 6 equals the reference', async () => {
    const W = sparseRows(200, 8, 5);
    W.fill(0, 8 * 8, 9 * 8);
    const actual = await CpuSearch.create(W, 200, 8).allPairs({ k: 6 });
    const expected = referenceAllPairs(W, 200, 8, 6);
    expect(actual).toEqual(expected);
    expect(actual.counts[8]).toBe(0);
    expect(actual.indices[8 * 6]).toBe(-1);
    expect(actual.similarities[8 * 6]).toBeNaN();
  });
});

describe('search chain plan', () => {
  const limits = { maxStorageBufferBindingSize: 128 << 20, maxBufferSize: 256 << 20, maxQueriesPerDispatch: 8 * 65535 };

  it('plan 15747x50 all-pairs k 10 splits queries into tiles within 64 MiB', () => {
    const plan = planChain(15747, 15747, 10, 1, limits);
    expect(plan.pageSizes).toEqual([10]);
    expect(plan.partitions).toBe(Math.ceil(15747 / MIN_ROWS_PER_PARTITION));
    expect(plan.partialBytes).toBeLessThanOrEqual(64 << 20);
    expect(plan.tiles.reduce((sum, tile) => sum + tile.count, 0)).toBe(15747);
    expect(plan.tiles.every((tile, t) => t === 0 || tile.offset === plan.tiles[t - 1].offset + plan.tiles[t - 1].count)).toBe(true);
  });

  it('plan k 150 runs pages of MAX_K', () => {
    const plan = planChain(7, 500, 150, 2, limits);
    expect(plan.pageSizes).toEqual([MAX_K, MAX_K, 150 - 2 * MAX_K]);
    expect(plan.partitions).toBe(Math.ceil(500 / Math.max(MIN_ROWS_PER_PARTITION, 4 * MAX_K)));
  });

  it('plan honours maxQueriesPerTile and a small binding limit', () => {
    expect(planChain(500, 500, 10, 1, limits, { maxQueriesPerTile: 64 }).tiles.length).toBe(8);
    const small = { ...limits, maxStorageBufferBindingSize: 4096 };
    const plan = planChain(500, 500, 10, 1, small, { rowsPerPartition: 125 });
    expect(plan.partitions).toBe(4);
    expect(plan.partialBytes).toBeLessThanOrEqual(4096);
    expect(plan.tileQueries).toBe(Math.floor(4096 / (4 * 10 * 8)));
  });

  it('plan rejects a query whose lists exceed the binding limit', () => {
    const tiny = { ...limits, maxStorageBufferBindingSize: 256 };
    expect(() => planChain(1, 500, 64, 2, tiny, { rowsPerPartition: 250 })).toThrow(/one query needs 2\.0 KiB of scratch for k = 64, more than the 256 B allowed/);
  });
});

describe('projectOntoH', () => {
  it('projectOntoH recovers w from v = wᵀH for a 4x64 H to 1e-3', () => {
    const rank = 4;
    const features = 64;
    // Rows of H on disjoint pixels with a little overlap noise: well conditioned.
    const H = new Float64Array(rank * features);
    for (let f = 0; f < features; f++) {
      H[(f % rank) * features + f] = 1;
      H[((f + 1) % rank) * features + f] = 0.1;
    }
    const wTrue = [0.5, 0.25, 2, 1];
    const v = Array.from({ length: features }, (_, f) => wTrue.reduce((sum, w, i) => sum + w * H[i * features + f], 0));
    const w = projectOntoH(v, H, rank, features);
    w.forEach((value, i) => expect(Math.abs(value - wTrue[i]), `w[${i}]`).toBeLessThan(1e-3));
  });

  it('projectOntoH never increases the loss and keeps w non-negative', () => {
    const H = sparseRows(5, 100, 3);
    const v = sparseRows(1, 100, 4);
    const loss = (w: Float64Array) => {
      let sum = 0;
      for (let f = 0; f < 100; f++) {
        let x = 0;
        for (let i = 0; i < 5; i++) x += w[i] * H[i * 100 + f];
        sum += (v[f] - x) ** 2;
      }
      return sum;
    };
    let previous = Infinity;
    for (const iterations of [0, 1, 10, 50, 200]) {
      const w = projectOntoH(v, H, 5, 100, iterations);
      expect(w.every((x) => x >= 0)).toBe(true);
      expect(loss(w)).toBeLessThanOrEqual(previous + 1e-12);
      previous = loss(w);
    }
  });

  it('projectOntoH maps a black image to the zero vector', () => {
    const w = projectOntoH(new Float64Array(100), sparseRows(5, 100, 3), 5, 100);
    expect([...w]).toEqual([0, 0, 0, 0, 0]);
  });

  it('projectOntoH rejects a v whose length is not the feature count', () => {
    expect(() => projectOntoH([1, 2], new Float64Array(12), 3, 4)).toThrow(/v has 2 values and H 12, but features = 4/);
  });
});
