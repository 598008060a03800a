/**
 * `catlab export` in process on a synthetic model: the bundle it writes reads
 * back through `readBundle`, and data that does not match the model is rejected.
 */
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportCommand } from '../../src/cli/export.ts';
import { loadImages, writeNpyFile } from '../../src/data/node.ts';
import { readBundle, type GrayPixels } from '../../src/search/bundle.ts';
import { CATS_MISSING, findCats } from '../support/cats.ts';
import { HOSTILE_FILE_NAME, writeSyntheticModel, type SyntheticModel } from '../support/synthetic-model.ts';

let folder: string;
let synthetic: SyntheticModel;

async function decodeGrayPng(bytes: Uint8Array): Promise<GrayPixels & { colorType: number }> {
  const png = PNG.sync.read(Buffer.from(bytes));
  const data = new Uint8Array(png.width * png.height);
  for (let i = 0; i < data.length; i++) data[i] = png.data[i * 4];
  // pngjs reports the file's own color type in its metadata.
  return { width: png.width, height: png.height, data, colorType: (png as unknown as { colorType: number }).colorType };
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'catlab-export-'));
  synthetic = await writeSyntheticModel(folder);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await rm(folder, { recursive: true, force: true });
});

describe('catlab export', () => {
  it('writes a bundle that reads back', async () => {
    const out = join(folder, 'bundle');
    await exportCommand(['--model', synthetic.model, '--data', synthetic.images, '--out', out, '--max-thumbnail', '4']);

    const bundle = await readBundle((name) => readFile(join(out, name)), decodeGrayPng);
    expect(bundle.manifest.samples).toBe(12);
    expect(bundle.manifest.rank).toBe(3);
    expect(bundle.manifest.files).toEqual(synthetic.files);
    expect(bundle.manifest.files).toContain(HOSTILE_FILE_NAME);
    expect(bundle.manifest.copies).toEqual([synthetic.copyRows]);
    expect(bundle.manifest.sprite).toEqual({ columns: 4, tileWidth: 4, tileHeight: 4 });
    expect(bundle.manifest.dataset).toBe('images');
  });

  it('writes sprite.png as 8-bit gray', async () => {
    const sprite = await decodeGrayPng(await readFile(join(folder, 'bundle', 'sprite.png')));
    expect(sprite.colorType).toBe(0);
    expect([sprite.width, sprite.height]).toEqual([16, 12]);
  });

  it('stores unit rows of W and their norms', async () => {
    const bundle = await readBundle((name) => readFile(join(folder, 'bundle', name)), decodeGrayPng);
    for (let row = 0; row < 12; row++) {
      const unit = bundle.normalizedW.subarray(row * 3, row * 3 + 3);
      expect(Math.hypot(...unit)).toBeCloseTo(1, 5);
      expect(bundle.norms[row]).toBeGreaterThan(0);
    }
  });

  it('rejects data whose files differ from the model', async () => {
    const renamed = join(synthetic.images, 'c1.png');
    await rename(renamed, join(synthetic.images, 'zz.png'));
    try {
      await expect(exportCommand(['--model', synthetic.model, '--data', synthetic.images, '--out', join(folder, 'other')])).rejects.toThrow(
        /does not match the model: row \d+ is "c[0-9]+\.png" in the data but "c[0-9]+\.png" in the model's manifest/,
      );
    } finally {
      await rename(join(synthetic.images, 'zz.png'), renamed);
    }
  });

  it('rejects a model folder without a manifest', async () => {
    await expect(exportCommand(['--model', folder, '--data', synthetic.images, '--out', join(folder, 'other')])).rejects.toThrow(
      /model manifest not found/,
    );
  });
});

const cats = findCats();

describe.skipIf(!cats)(cats ? 'catlab export on the cats' : `catlab export on the cats (${CATS_MISSING})`, () => {
  it('exports the first 400 cats', async () => {
    // The model is made up (W from a fixed pattern, H constant): export only needs consistent shapes.
    const { matrix, manifest } = await loadImages(cats!, { size: 64, limit: 400 });
    const model = join(folder, 'cats-model');
    await mkdir(model, { recursive: true });
    const rank = 4;
    const W = Float32Array.from({ length: manifest.samples * rank }, (_, i) => 0.1 + (i % 7) / 7);
    await writeNpyFile(join(model, 'W.npy'), W, [manifest.samples, rank]);
    await writeNpyFile(join(model, 'H.npy'), new Float32Array(rank * matrix.features).fill(0.25), [rank, matrix.features]);
    await writeFile(join(model, 'manifest.json'), JSON.stringify({ ...manifest, rank }));

    const out = join(folder, 'cats-bundle');
    await exportCommand(['--model', model, '--data', cats!, '--out', out]);
    const bundle = await readBundle((name) => readFile(join(out, name)), decodeGrayPng);
    expect(bundle.manifest.samples).toBe(400);
    expect(bundle.manifest.sprite).toEqual({ columns: 20, tileWidth: 32, tileHeight: 32 });
    expect(bundle.manifest.files[0]).toBe('1.jpg');
    for (const group of bundle.manifest.copies) {
      const [first, ...others] = group;
      const pixels = (row: number) => Buffer.from(matrix.data.subarray(row * 4096, (row + 1) * 4096));
      for (const other of others) expect(pixels(other).equals(pixels(first))).toBe(true);
    }
  });
});
