/**
 * Tests on the real cat faces, which are never committed: they run where
 * the folder exists (see findCatsDir) and skip elsewhere.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { createNodeDecoder } from '../../src/data/decode-node.ts';
import { findDuplicateRows } from '../../src/data/duplicates.ts';
import { loadImages } from '../../src/data/node.ts';
import { packImages, type ImageEntry, type PackProgress } from '../../src/data/pack.ts';
import { expectedLuma, findCatsDir, findPython, runPython, titleUnless } from './data-fixtures.ts';

const cats = findCatsDir();
const pillow = findPython('PIL');
const missingCats = 'cat images not found; set CATLAB_CATS_DIR or put them in shared/data/cats64 above the repository';

describe.skipIf(!cats)(titleUnless('cat faces', cats, missingCats), () => {
  const catPath = (index: number) => join(cats as string, `${index}.jpg`);

  it('packs the first 50 cats', async () => {
    const { matrix, manifest } = await loadImages(cats as string, { limit: 50 });
    expect([matrix.samples, matrix.features]).toEqual([50, 4096]);
    expect(manifest.files).toEqual(Array.from({ length: 50 }, (_, i) => `${i + 1}.jpg`));
    expect(manifest.skipped).toEqual([]);

    const first = jpeg.decode(readFileSync(catPath(1)), { useTArray: true });
    expect([first.width, first.height]).toEqual([64, 64]);
    expect(matrix.data.subarray(0, 4096)).toEqual(expectedLuma(first.data));
  });

  it('progress reaches its total at limit 300', async () => {
    const progress: PackProgress[] = [];
    await loadImages(cats as string, { limit: 300, onProgress: (update) => progress.push(update) });
    expect(progress.every((update) => update.totalFiles === 300)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ files: 300, totalFiles: 300, images: 300 });
  });

  it('finds 9304.jpg as a copy of an earlier cat', async () => {
    // Locate the earlier file with the same bytes independently of src/data.
    const copyBytes = readFileSync(catPath(9304));
    const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    const target = digest(copyBytes);
    let original = 0;
    for (let index = 1; index < 9304 && original === 0; index++) {
      if (digest(readFileSync(catPath(index))) === target) original = index;
    }
    expect(original, 'no earlier file has the bytes of 9304.jpg').toBeGreaterThan(0);

    const indices = [...new Set([...Array.from({ length: 20 }, (_, i) => i + 1), original, 9304])];
    const entries = indices.map((index): ImageEntry => ({ name: `${index}.jpg`, bytes: () => readFile(catPath(index)) }));
    const { matrix, manifest } = await packImages(entries, createNodeDecoder(), { source: cats as string });
    const rowOf = (index: number) => manifest.files.indexOf(`${index}.jpg`);

    const groups = findDuplicateRows(matrix);
    const group = groups.find((rows) => rows.includes(rowOf(9304)));
    expect(group, `9304.jpg should share its row with ${original}.jpg`).toContain(rowOf(original));
  });

  const pillowTitle = titleUnless("grayscale agrees with Pillow's convert('L')", pillow, 'no python3 imports PIL; apt-get install python3-pil');
  it.skipIf(!pillow)(pillowTitle, async () => {
    const count = 20;
    const { matrix } = await loadImages(cats as string, { limit: count });
    const script = `
import sys
from PIL import Image
for path in sys.argv[1:]:
    sys.stdout.buffer.write(Image.open(path).convert('L').tobytes())
`;
    const paths = Array.from({ length: count }, (_, i) => catPath(i + 1));
    const expected = runPython(pillow as string, script, paths);
    expect(expected.length).toBe(count * 4096);

    // jpeg-js and libjpeg round the inverse DCT and chroma upsampling differently, so allow ±2.
    for (let image = 0; image < count; image++) {
      let close = 0;
      for (let i = image * 4096; i < (image + 1) * 4096; i++) {
        if (Math.abs(matrix.data[i] - expected[i]) <= 2) close++;
      }
      expect(close / 4096, `${image + 1}.jpg: share of pixels within ±2 of Pillow`).toBeGreaterThanOrEqual(0.99);
    }
  });
});
