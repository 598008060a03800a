import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeDecoder } from '../../src/data/decode-node.ts';
import { loadImages } from '../../src/data/node.ts';
import { packImages, toGrayRow, type ImageEntry, type PackProgress, type SkippedFile } from '../../src/data/pack.ts';
import { resizeGray } from '../../src/data/resize.ts';
import {
  colourPattern,
  encodeJpeg,
  encodePalettePng,
  encodePng,
  encodePng16,
  expectedLuma,
  makeRgba,
  makeTempDir,
} from './data-fixtures.ts';

const gradient = makeRgba(64, 64, (x, y) => [(x * 4 + y) % 256, (x * 4 + y) % 256, (x * 4 + y) % 256, 255]);
const colour = colourPattern(64, 64);
const translucent = colourPattern(64, 64, true);
const wide = colourPattern(80, 50);
const samples16 = Uint16Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 2654435761) % 65536);
const palette: [number, number, number][] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [250, 200, 10],
];
const paletteIndices = Uint8Array.from({ length: 64 * 64 }, (_, i) => (i * 7) % 4);

const jpegBytes = encodeJpeg(colour);
const pngBytes = encodePng(colour, 2);

/** Returns a PNG whose IHDR claims 100000 × 100000 pixels. Its CRC no longer matches, but the size check comes first. */
function hugePng(): Uint8Array {
  const bytes = pngBytes.slice();
  const view = new DataView(bytes.buffer);
  view.setUint32(16, 100_000);
  view.setUint32(20, 100_000);
  return bytes;
}

/** Returns the JPEG's header followed by pseudo-random bytes in place of its scan. */
function garbageJpeg(): Uint8Array {
  const bytes = jpegBytes.slice();
  for (let i = 700; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
  return bytes;
}

/** Every file of the test folder, by relative path. */
const files: Record<string, Uint8Array> = {
  '1.jpg': jpegBytes,
  '2.png': encodePng(gradient, 0),
  '9b.png': encodePng16(64, 64, samples16),
  '10.png': encodePng(translucent, 6),
  'gray-alpha.png': encodePng(makeRgba(64, 64, (x, y) => [x * 3, x * 3, x * 3, y * 4]), 4),
  'palette.png': encodePalettePng(64, 64, palette, paletteIndices),
  'sub/3.png': pngBytes,
  'wide.png': encodePng(wide, 2),
  'anim.gif': new TextEncoder().encode('GIF89a\x01\x00\x01\x00'),
  'broken.png': (() => {
    const bytes = pngBytes.slice();
    bytes[bytes.length >> 1] ^= 0xff;
    return bytes;
  })(),
  'corrupt.jpg': jpegBytes.subarray(0, Math.floor(jpegBytes.length * 0.6)),
  'empty.png': new Uint8Array(0),
  'fake.jpg': new TextEncoder().encode('this is not a JPEG\n'),
  'garbage.jpg': garbageJpeg(),
  'huge.png': hugePng(),
  'notes.txt': new TextEncoder().encode('cats, round 1\n'),
  '.DS_Store': Uint8Array.of(0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31),
  '.hidden/4.png': pngBytes,
};

const packedNames = ['1.jpg', '2.png', '9b.png', '10.png', 'gray-alpha.png', 'palette.png', 'sub/3.png', 'wide.png'];
const skippedReasons: [string, RegExp][] = [
  ['anim.gif', /^GIF files are not supported; catlab reads JPEG and PNG/],
  ['broken.png', /^invalid or truncated PNG \(pngjs: /],
  ['corrupt.jpg', /^invalid or truncated JPEG \(jpeg-js: /],
  ['empty.png', /^the file is empty$/],
  ['fake.jpg', /^not an image; catlab reads JPEG and PNG/],
  ['garbage.jpg', /^invalid or truncated JPEG \(jpeg-js: /],
  ['huge.png', /^the image is 100000×100000 = 10000000000 pixels, over the limit of 50000000 pixels; shrink it/],
  ['notes.txt', /^not an image; catlab reads JPEG and PNG/],
];

/** Computes the expected row of each packed file from the pixels that went into it. */
function expectedRows(): Record<string, Uint8Array> {
  const scale16 = Uint8Array.from(
    { length: 64 * 64 * 4 },
    (_, i) => (i % 4 === 3 ? 255 : Math.round((samples16[Math.floor(i / 4) * 3 + (i % 4)] * 255) / 65535)),
  );
  const paletteRgba = Uint8Array.from(
    { length: 64 * 64 * 4 },
    (_, i) => (i % 4 === 3 ? 255 : palette[paletteIndices[i >> 2]][i % 4]),
  );
  return {
    '1.jpg': expectedLuma(jpeg.decode(jpegBytes, { useTArray: true }).data),
    '2.png': expectedLuma(gradient.data),
    '9b.png': expectedLuma(scale16),
    '10.png': expectedLuma(translucent.data),
    'gray-alpha.png': Uint8Array.from({ length: 64 * 64 }, (_, i) => (i % 64) * 3),
    'palette.png': expectedLuma(paletteRgba),
    'sub/3.png': expectedLuma(colour.data),
    // Resizing itself is checked against Pillow in data-pixels.test.ts.
    'wide.png': resizeGray({ width: 80, height: 50, data: expectedLuma(wide.data) }, 64, 64).data,
  };
}

function writeTree(root: string, tree: Record<string, Uint8Array>): void {
  for (const [name, bytes] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), bytes);
  }
}

/** Sets the compression method of one entry in a zip's central directory, where fflate reads it. */
function setZipMethod(zip: Uint8Array, name: string, method: number): void {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const encoded = new TextEncoder().encode(name);
  for (let offset = 0; offset + 46 <= zip.length; offset++) {
    if (view.getUint32(offset, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(offset + 28, true);
    const entryName = zip.subarray(offset + 46, offset + 46 + nameLength);
    if (nameLength === encoded.length && entryName.every((byte, i) => byte === encoded[i])) {
      view.setUint16(offset + 10, method, true);
      return;
    }
  }
  throw new Error(`test setup: zip entry ${name} not found`);
}

const temp = makeTempDir('pack');
const folder = join(temp.path, 'images');
const zipPath = join(temp.path, 'images.zip');

beforeAll(() => {
  writeTree(folder, files);
  const zipped = zipSync({ ...files, '__MACOSX/._1.jpg': Uint8Array.of(0, 5, 22, 7), 'emptydir/': new Uint8Array(0) });
  writeFileSync(zipPath, zipped);
});
afterAll(() => temp.remove());

describe('loadImages from a folder', () => {
  it('packs images in natural order', async () => {
    const { matrix, manifest } = await loadImages(folder);
    expect(manifest.files).toEqual(packedNames);
    expect(manifest.source).toBe(folder);
    expect([manifest.width, manifest.height, manifest.samples, manifest.features]).toEqual([64, 64, 8, 4096]);
    expect([matrix.samples, matrix.features, matrix.data.length]).toEqual([8, 4096, 8 * 4096]);
  });

  it('stores the grayscale of each image as its row', async () => {
    const { matrix, manifest } = await loadImages(folder);
    const expected = expectedRows();
    manifest.files.forEach((name, row) => {
      expect(matrix.data.subarray(row * 4096, (row + 1) * 4096), name).toEqual(expected[name]);
    });
  });

  it('skips non-images and corrupt files with a reason', async () => {
    const warnings: SkippedFile[] = [];
    const { manifest } = await loadImages(folder, { onWarning: (skip) => warnings.push(skip) });
    expect(manifest.skipped.map((skip) => skip.name)).toEqual(skippedReasons.map(([name]) => name));
    for (const [name, reason] of skippedReasons) {
      expect(manifest.skipped.find((skip) => skip.name === name)?.reason, name).toMatch(reason);
    }
    expect(warnings).toEqual(manifest.skipped);
  });

  it('reports progress after every file', async () => {
    const progress: PackProgress[] = [];
    await loadImages(folder, { onProgress: (update) => progress.push(update) });
    expect(progress).toHaveLength(16);
    expect(progress.map((update) => update.files)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(progress.map((update) => update.examined)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(progress.every((update) => update.totalFiles === 16)).toBe(true);
    expect(progress.at(-1)).toEqual({ files: 16, totalFiles: 16, examined: 16, images: 8, name: 'wide.png' });
  });

  it('progress reaches its total with a limit', async () => {
    // 8 of the 16 files are images, and 6 of the first 11 are skipped.
    const cases: [limit: number, totalFiles: number, examined: number, images: number][] = [
      [3, 3, 3, 3],
      [5, 5, 11, 5],
      [10, 10, 16, 8],
      [100, 16, 16, 8],
    ];
    for (const [limit, totalFiles, examined, images] of cases) {
      const progress: PackProgress[] = [];
      await loadImages(folder, { limit, onProgress: (update) => progress.push(update) });
      const done = progress.map((update) => update.files);
      expect(progress.every((update) => update.totalFiles === totalFiles), `limit ${limit}: totalFiles`).toBe(true);
      expect(done, `limit ${limit}: files never decreases`).toEqual([...done].sort((a, b) => a - b));
      expect(Math.max(...done), `limit ${limit}: files never exceeds totalFiles`).toBe(totalFiles);
      expect(progress.at(-1), `limit ${limit}: last report`).toMatchObject({ files: totalFiles, examined, images });
    }
  });

  it('limit takes the first images that decode', async () => {
    const first = await loadImages(folder, { limit: 3 });
    expect(first.manifest.files).toEqual(packedNames.slice(0, 3));
    expect(first.manifest.skipped).toEqual([]);

    const { matrix, manifest } = await loadImages(folder, { limit: 5 });
    expect(manifest.files).toEqual(packedNames.slice(0, 5));
    expect(manifest.skipped.map((skip) => skip.name)).toEqual(skippedReasons.slice(0, 6).map(([name]) => name));
    expect(matrix.samples).toBe(5);
    expect(matrix.data.length).toBe(5 * 4096);
    const all = await loadImages(folder);
    expect(matrix.data).toEqual(all.matrix.data.subarray(0, 5 * 4096));
  });

  it('size sets the packed image size', async () => {
    const square = await loadImages(folder, { size: 32, limit: 1 });
    expect([square.manifest.width, square.manifest.height, square.matrix.features]).toEqual([32, 32, 1024]);
    const decoded = jpeg.decode(jpegBytes, { useTArray: true });
    expect(square.matrix.data).toEqual(toGrayRow(decoded, 32, 32));

    const oblong = await loadImages(folder, { size: { width: 20, height: 10 }, limit: 2 });
    expect([oblong.manifest.width, oblong.manifest.height]).toEqual([20, 10]);
    expect([oblong.matrix.features, oblong.matrix.data.length]).toEqual([200, 400]);
  });

  it('manifest counts resized and stretched images', async () => {
    // Seven images are 64 × 64 and wide.png is 80 × 50, the aspect ratio of 40 × 25.
    const cases: [size: number | { width: number; height: number }, resized: number, aspectChanged: number][] = [
      [64, 1, 1],
      [32, 8, 1],
      [{ width: 40, height: 25 }, 8, 7],
      [{ width: 80, height: 50 }, 7, 7],
    ];
    for (const [size, resized, aspectChanged] of cases) {
      const { manifest } = await loadImages(folder, { size });
      expect(manifest.resizedFiles, `size ${JSON.stringify(size)}: resizedFiles`).toBe(resized);
      expect(manifest.aspectChangedFiles, `size ${JSON.stringify(size)}: aspectChangedFiles`).toBe(aspectChanged);
    }
  });

  it('maxPixels skips larger images', async () => {
    await expect(loadImages(folder, { maxPixels: 3999 })).rejects.toThrow(/all 16 files were skipped/);
    const { manifest } = await loadImages(folder, { maxPixels: 4000 });
    expect(manifest.files).toEqual(['wide.png']);
    expect(manifest.skipped.find((skip) => skip.name === '1.jpg')?.reason).toBe(
      'the image is 64×64 = 4096 pixels, over the limit of 4000 pixels; shrink it before packing',
    );
  });

  it('follows links to files but not to folders', async () => {
    const linked = join(temp.path, 'linked');
    writeTree(linked, { 'a.png': pngBytes });
    symlinkSync(join(linked, 'a.png'), join(linked, 'b.png'));
    symlinkSync(linked, join(linked, 'loop'));
    const { manifest } = await loadImages(linked);
    expect(manifest.files).toEqual(['a.png', 'b.png']);
  });
});

describe('loadImages from a zip', () => {
  it('packs the same matrix as the folder', async () => {
    const fromZip = await loadImages(zipPath);
    const fromFolder = await loadImages(folder);
    expect(fromZip.manifest.files).toEqual(fromFolder.manifest.files);
    expect(fromZip.manifest.skipped).toEqual(fromFolder.manifest.skipped);
    expect(fromZip.manifest.source).toBe(zipPath);
    expect(fromZip.matrix.data).toEqual(fromFolder.matrix.data);
  });

  it('skips entries it cannot extract', async () => {
    const zipped = zipSync({ 'a.png': pngBytes, 'b.png': pngBytes });
    setZipMethod(zipped, 'b.png', 14);
    const path = join(temp.path, 'lzma.zip');
    writeFileSync(path, zipped);
    const { manifest } = await loadImages(path);
    expect(manifest.files).toEqual(['a.png']);
    expect(manifest.skipped).toEqual([
      { name: 'b.png', reason: 'the zip entry uses compression method 14; only stored (0) and deflate (8) entries are read' },
    ]);
  });

  it('rejects a truncated zip', async () => {
    const path = join(temp.path, 'truncated.zip');
    writeFileSync(path, zipSync({ 'a.png': pngBytes }).subarray(0, 40));
    await expect(loadImages(path)).rejects.toThrow(
      `Invalid zip archive ${path}: the end of central directory record was not found`,
    );
  });
});

describe('loadImages errors', () => {
  it('rejects a missing path', async () => {
    const path = join(temp.path, 'no-such-folder');
    await expect(loadImages(path)).rejects.toThrow(
      `Image source not found: ${path}. Give a folder of images or a .zip archive of them.`,
    );
  });

  it('rejects an empty folder', async () => {
    const path = join(temp.path, 'empty');
    mkdirSync(path);
    writeFileSync(join(path, '.DS_Store'), 'x');
    await expect(loadImages(path)).rejects.toThrow(
      `No images found in ${path}: it contains no files (hidden files are ignored). catlab reads JPEG and PNG`,
    );
  });

  it('rejects a folder without images', async () => {
    const path = join(temp.path, 'text-only');
    writeTree(path, { 'notes.txt': files['notes.txt'] });
    await expect(loadImages(path)).rejects.toThrow(
      `No images found in ${path}: its only file was skipped (notes.txt: not an image). catlab reads JPEG and PNG`,
    );
  });

  it('names the readable formats once', async () => {
    const path = join(temp.path, 'no-images');
    writeTree(path, {
      'a.txt': files['notes.txt'],
      'b.gif': files['anim.gif'],
      'c.txt': files['notes.txt'],
      'd.png': files['empty.png'],
    });
    const failure = await loadImages(path).then(
      () => expect.fail('expected loadImages to reject'),
      (error: Error) => error.message,
    );
    expect(failure).toBe(
      `No images found in ${path}: all 4 files were skipped (a.txt: not an image; b.gif: GIF files are not supported; ` +
        'c.txt: not an image; and 1 more). catlab reads JPEG and PNG (recognised by their content, not their file extension).',
    );
    expect(failure.split('catlab reads')).toHaveLength(2);
  });

  it('rejects an empty zip', async () => {
    const path = join(temp.path, 'empty.zip');
    writeFileSync(path, zipSync({}));
    await expect(loadImages(path)).rejects.toThrow(`No images found in ${path}: it contains no files`);
  });

  it('rejects a file that is not a zip', async () => {
    const path = join(temp.path, 'cats.zip');
    writeFileSync(path, 'not a zip');
    await expect(loadImages(path)).rejects.toThrow(`${path} is neither a folder nor a zip archive.`);
  });

  it('rejects invalid options', async () => {
    await expect(loadImages(folder, { limit: 0 })).rejects.toThrow('limit 0 is invalid; use a positive integer');
    await expect(loadImages(folder, { size: 0 })).rejects.toThrow('image width 0 is invalid');
    await expect(loadImages(folder, { size: { width: 8, height: 1.5 } })).rejects.toThrow('image height 1.5 is invalid');
    await expect(loadImages(folder, { maxPixels: -1 })).rejects.toThrow('maxPixels -1 is invalid');
  });
});

describe('packImages', () => {
  it('reads lazy entries from an async iterable', async () => {
    async function* entries(): AsyncGenerator<ImageEntry> {
      yield { name: 'b/10.png', bytes: async () => pngBytes };
      yield { name: 'b/9.jpg', bytes: jpegBytes };
      yield { name: '__MACOSX/b/._9.jpg', bytes: jpegBytes };
    }
    const { manifest } = await packImages(entries(), createNodeDecoder(), { source: 'dropped files' });
    expect(manifest.files).toEqual(['b/9.jpg', 'b/10.png']);
    expect(manifest.source).toBe('dropped files');
  });

  it('stops with AbortError when aborted during packing', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const packing = loadImages(folder, {
      signal: controller.signal,
      onProgress: ({ files: done }) => {
        progress.push(done);
        if (done === 2) controller.abort();
      },
    });
    await expect(packing).rejects.toMatchObject({
      name: 'AbortError',
      message: `Packing ${folder} was aborted after 2 of 16 files`,
    });
    expect(progress).toEqual([1, 2]);
  });

  it('abort message counts one file', async () => {
    const controller = new AbortController();
    const packing = packImages([{ name: 'a.png', bytes: pngBytes }], createNodeDecoder(), {
      source: 'one file',
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(packing).rejects.toMatchObject({ name: 'AbortError', message: 'Packing one file was aborted after 1 of 1 file' });
  });

  it('stops with AbortError when already aborted', async () => {
    await expect(loadImages(folder, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('sees an abort from a timer while decoding', async () => {
    const entries = Array.from({ length: 5000 }, (_, i): ImageEntry => ({ name: `${i}.jpg`, bytes: jpegBytes }));
    let examined = 0;
    const packing = packImages(entries, createNodeDecoder(), {
      source: 'many copies',
      signal: AbortSignal.timeout(20),
      onProgress: ({ files: done }) => (examined = done),
    });
    await expect(packing).rejects.toMatchObject({ name: 'AbortError' });
    expect(examined).toBeGreaterThan(0);
    expect(examined).toBeLessThan(5000);
  });
});
