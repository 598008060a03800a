// The worker's sample search and bundle export on the CPU engine, through the
// trainer, on a tiny dataset that a rank-3 NMF fits well and that contains
// byte-identical copies.
import { unzipSync } from 'fflate';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { createNodeDecoder } from '../../src/data/decode-node.ts';
import type { U8Matrix } from '../../src/nmf/matrix.ts';
import type { GrayPixels } from '../../src/search/bundle.ts';
import { exportBundle } from '../../src/worker/bundle-export.ts';
import { describeDataset, SampleSearch } from '../../src/worker/search.ts';
import { createCpuSolver } from '../../src/worker/solver.ts';
import { Trainer, type TrainerHost } from '../../src/worker/trainer.ts';

const WIDTH = 6;
const HEIGHT = 4;
const FEATURES = WIDTH * HEIGHT;

/** Copies: row 9 repeats row 2, rows 10 and 11 repeat row 5. */
const COPIES = [[2, 9], [5, 10, 11]];

/**
 * 12 images of 6×4 pixels, each a mix of three patterns on disjoint pixel
 * columns (left, middle, right), so rank 3 fits them closely. Rows 9 to 11
 * are copies of earlier rows.
 */
function mixedPatterns(): U8Matrix {
  const mixes = [
    [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0.2, 0.3, 1], [0.9, 0.1, 0.4],
    [0.5, 0.5, 0.5], [0.1, 1, 0.2], [1, 0.2, 0.9],
  ];
  const data = new Uint8Array(12 * FEATURES);
  mixes.forEach((mix, row) => {
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) data[row * FEATURES + y * WIDTH + x] = Math.round(250 * mix[Math.floor(x / 2)]);
    }
  });
  for (const [original, ...copies] of COPIES) {
    for (const copy of copies) data.copyWithin(copy * FEATURES, original * FEATURES, (original + 1) * FEATURES);
  }
  return { samples: 12, features: FEATURES, data };
}

const cpuHost: TrainerHost = {
  createSolver: async (v, start) => createCpuSolver(v, start),
  isDeviceLoss: async () => false,
};

const NAMES = Array.from({ length: 12 }, (_, i) => `${i + 1}.jpg`);

async function trainedSearch(iterations = 300): Promise<{ trainer: Trainer; search: SampleSearch; v: U8Matrix }> {
  const v = mixedPatterns();
  const trainer = new Trainer(cpuHost, { rank: 3, seed: 7, iterationsPerUpdate: 20, maxIterations: 100_000 });
  await trainer.setData({ matrix: v, width: WIDTH, height: HEIGHT });
  const search = new SampleSearch(trainer, createNodeDecoder());
  search.setDataset(describeDataset(v, NAMES));
  if (iterations > 0) await trainer.step(iterations);
  return { trainer, search, v };
}

/** PNG bytes of row `row` of V, R = G = B, so decoding and grayscale give the row back. */
function rowAsPng(v: U8Matrix, row: number): Uint8Array {
  const png = new pngjs.PNG({ width: WIDTH, height: HEIGHT });
  for (let i = 0; i < FEATURES; i++) {
    const gray = v.data[row * FEATURES + i];
    png.data.set([gray, gray, gray, 255], 4 * i);
  }
  return new Uint8Array(pngjs.PNG.sync.write(png));
}

async function encodePngInNode(image: GrayPixels): Promise<Uint8Array> {
  const png = new pngjs.PNG({ width: image.width, height: image.height });
  image.data.forEach((gray, i) => png.data.set([gray, gray, gray, 255], 4 * i));
  return new Uint8Array(pngjs.PNG.sync.write(png));
}

describe('playground search on the CPU engine', () => {
  it('detects exact copies on load', async () => {
    const { search } = await trainedSearch(0);
    expect(search.copies).toEqual(COPIES);
  });

  it('reports exact copies of an index query', async () => {
    const { search } = await trainedSearch();
    const result = await search.search({ query: { index: 5 }, k: 4, dissimilar: false });
    expect(result.exactCopies).toEqual([10, 11]);
    expect(result.engine).toBe('cpu');
    const top = result.nearest.slice(0, 2);
    expect(top.map((hit) => hit.index).sort((a, b) => a - b)).toEqual([10, 11]);
    for (const hit of top) {
      expect(hit.exactCopy).toBe(true);
      expect(hit.nearDuplicate).toBe(true);
      expect(hit.name).toBe(NAMES[hit.index]);
    }
    expect(result.nearest[2].exactCopy).toBe(false);
  });

  it('leaves the query out of its results', async () => {
    const { search } = await trainedSearch();
    const result = await search.search({ query: { index: 3 }, k: 12, dissimilar: true });
    expect(result.nearest.map((hit) => hit.index)).not.toContain(3);
    expect(result.farthest.map((hit) => hit.index)).not.toContain(3);
    expect(result.nearest).toHaveLength(11);
  });

  it('lists dissimilar samples from the other end', async () => {
    const { search } = await trainedSearch();
    const all = await search.search({ query: { index: 0 }, k: 11, dissimilar: false });
    const result = await search.search({ query: { index: 0 }, k: 3, dissimilar: true });
    // Reversed, because both lists order equal similarities (here the copies 2 and 9) by index.
    const ascending = [...all.nearest].reverse().slice(0, 3);
    expect(result.farthest.map((hit) => hit.similarity)).toEqual(ascending.map((hit) => hit.similarity));
    expect(new Set(result.farthest.map((hit) => hit.index))).toEqual(new Set(ascending.map((hit) => hit.index)));
    expect(result.farthest[0].similarity).toBeLessThan(result.nearest[0].similarity);
  });

  it('returns pixels and reconstructions of each hit', async () => {
    const { search, v } = await trainedSearch();
    const result = await search.search({ query: { index: 1 }, k: 2, dissimilar: true });
    const hits = [...result.nearest, ...result.farthest];
    expect(result.originals).toHaveLength(hits.length * FEATURES);
    expect(result.reconstructions).toHaveLength(hits.length * FEATURES);
    hits.forEach((hit, slot) => {
      const original = v.data.subarray(hit.index * FEATURES, (hit.index + 1) * FEATURES);
      expect([...result.originals.subarray(slot * FEATURES, (slot + 1) * FEATURES)]).toEqual([...original]);
    });
    expect([...result.queryPixels]).toEqual([...v.data.subarray(FEATURES, 2 * FEATURES)]);
  });

  it('photo of a dataset image finds it first', async () => {
    const { search, v } = await trainedSearch();
    const result = await search.search({ query: { photo: rowAsPng(v, 2), name: 'upload.png' }, k: 3, dissimilar: false });
    expect(result.queryIndex).toBeUndefined();
    expect(result.exactCopies).toEqual([2, 9]);
    expect([2, 9]).toContain(result.nearest[0].index);
    expect(result.nearest[0].exactCopy).toBe(true);
    expect(result.nearest[0].similarity).toBeGreaterThan(0.999);
  });

  it('reports zero rows of W and leaves them out', async () => {
    const v = mixedPatterns();
    // An all-black image has a zero row of W after one multiplicative update.
    v.data.fill(0, 7 * FEATURES, 8 * FEATURES);
    const trainer = new Trainer(cpuHost, { rank: 3, seed: 7, iterationsPerUpdate: 20, maxIterations: 100_000 });
    await trainer.setData({ matrix: v, width: WIDTH, height: HEIGHT });
    const search = new SampleSearch(trainer, createNodeDecoder());
    search.setDataset(describeDataset(v, NAMES));
    await trainer.step(5);
    const result = await search.search({ query: { index: 0 }, k: 12, dissimilar: true });
    expect(result.zeroRows).toEqual([7]);
    expect(result.nearest.map((hit) => hit.index)).not.toContain(7);
    const zeroQuery = await search.search({ query: { index: 7 }, k: 3, dissimilar: false });
    expect(zeroQuery.invalidQuery).toBe('zero');
    expect(zeroQuery.nearest).toEqual([]);
  });

  it('rejects an index outside the dataset', async () => {
    const { search } = await trainedSearch(0);
    await expect(search.search({ query: { index: 12 }, k: 3, dissimilar: false })).rejects.toThrow(/samples 0 to 11/);
  });

  it('rejects a photo over the pixel limit', async () => {
    const { search } = await trainedSearch(0);
    // A PNG signature and an IHDR chunk that declares 10000×10000 pixels, over the 50 megapixel limit.
    const header = new Uint8Array(33);
    header.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(header.buffer).setUint32(16, 10_000);
    new DataView(header.buffer).setUint32(20, 10_000);
    const searching = search.search({ query: { photo: header, name: 'huge.png' }, k: 3, dissimilar: false });
    await expect(searching).rejects.toThrow(/over the limit of .*; shrink it before searching with it$/);
  });

  it('rejects a search while the data set loads', async () => {
    const trainer = new Trainer(cpuHost, { rank: 3, seed: 7, iterationsPerUpdate: 20, maxIterations: 100_000 });
    const search = new SampleSearch(trainer, createNodeDecoder());
    await expect(search.search({ query: { index: 0 }, k: 3, dissimilar: false })).rejects.toThrow(
      'the data set is still loading; search again once training starts',
    );
  });

  it('searches while training runs', async () => {
    const { trainer, search } = await trainedSearch(0);
    await trainer.play();
    const result = await search.search({ query: { index: 2 }, k: 2, dissimilar: false });
    expect(trainer.state).toBe('training');
    expect(result.exactCopies).toEqual([9]);
    await trainer.pause();
  });

  it('exports a zip whose manifest lists the files', async () => {
    const { trainer, v } = await trainedSearch(20);
    const dataset = { name: 'patterns', ...describeDataset(v, NAMES) };
    const exported = await trainer.betweenBatches((solver, factors) =>
      exportBundle(trainer.trainingData!, factors, solver.rank, dataset, encodePngInNode),
    );
    const files = unzipSync(exported.zip);
    expect(Object.keys(files).sort()).toEqual(['bundle/H.npy', 'bundle/W.npy', 'bundle/manifest.json', 'bundle/norms.npy', 'bundle/sprite.png']);
    const manifest = JSON.parse(new TextDecoder().decode(files['bundle/manifest.json']));
    expect(manifest.files).toEqual(NAMES);
    expect(manifest.copies).toEqual(COPIES);
    expect(exported.iteration).toBe(20);
  });
});
