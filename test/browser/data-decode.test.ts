import { zipSync, zlibSync } from 'fflate';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { createBrowserDecoder } from '../../src/data/decode-browser.ts';
import { ImageDecodeError } from '../../src/data/image.ts';
import { packImages, type ImageEntry, type SkippedFile } from '../../src/data/pack.ts';
import { listZipEntries } from '../../src/data/zip.ts';

/** Computes Pillow's convert('L') luma, written out here apart from src/data. */
function luma(rgba: ArrayLike<number>): Uint8Array {
  const gray = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < gray.length; i++) {
    gray[i] = Math.floor((rgba[4 * i] * 19595 + rgba[4 * i + 1] * 38470 + rgba[4 * i + 2] * 7471 + 0x8000) / 65536);
  }
  return gray;
}

function pattern(width: number, height: number, alpha: (x: number, y: number) => number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([(x * 7 + y * 3) % 256, (x * y + 40) % 256, (255 - x * 5 + y * 11) % 256, alpha(x, y)], (y * width + x) * 4);
    }
  }
  return data;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Encodes straight (not premultiplied) 8-bit RGBA as a PNG, built by hand because no canvas may touch the pixels. */
function encodeRgbaPng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const chunk = (type: string, body: Uint8Array): Uint8Array => {
    const out = new Uint8Array(12 + body.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, body.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(body, 8);
    view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, adaptive filter, no interlace
  const rows = new Uint8Array(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk('IHDR', header),
    chunk('IDAT', zlibSync(rows)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    png.set(part, offset);
    offset += part.length;
  }
  return png;
}

async function canvasJpeg(width: number, height: number, rgba: Uint8Array): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(width, height);
  (canvas.getContext('2d') as OffscreenCanvasRenderingContext2D).putImageData(
    new ImageData(new Uint8ClampedArray(rgba), width, height),
    0,
    0,
  );
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
  return new Uint8Array(await blob.arrayBuffer());
}

const opaque = pattern(64, 64, () => 255);
const opaquePng = encodeRgbaPng(64, 64, opaque);

describe('createBrowserDecoder', () => {
  it('decodes an opaque PNG exactly', async () => {
    const image = await createBrowserDecoder().decode(opaquePng, 'a.png');
    expect([image.width, image.height]).toEqual([64, 64]);
    expect(new Uint8Array(image.data)).toEqual(opaque);
  });

  it('decodes a JPEG within 2 levels of jpeg-js', async () => {
    // A smooth image: Chromium's encoder subsamples chroma, and on the
    // sharp-edged `opaque` pattern only 93% of pixels agreed within 2 levels.
    const smooth = new Uint8Array(64 * 64 * 4);
    for (let i = 0; i < 64 * 64; i++) smooth.set([(i % 64) * 4, Math.floor(i / 64) * 4, 128, 255], i * 4);
    const bytes = await canvasJpeg(64, 64, smooth);
    const ours = luma((await createBrowserDecoder().decode(bytes, 'a.jpg')).data);
    const reference = luma(jpeg.decode(bytes, { useTArray: true }).data);
    let close = 0;
    let worst = 0;
    for (let i = 0; i < ours.length; i++) {
      const difference = Math.abs(ours[i] - reference[i]);
      if (difference <= 2) close++;
      worst = Math.max(worst, difference);
    }
    expect(close / ours.length).toBeGreaterThanOrEqual(0.99);
    expect(worst).toBeLessThanOrEqual(4);
  });

  it('reads transparent pixels as black', async () => {
    // A 2D canvas stores premultiplied colour, so the colour of a pixel with
    // alpha 0 is lost. The Node decoder keeps it (see decode-browser.ts).
    const rgba = Uint8Array.of(200, 100, 50, 255, 200, 100, 50, 0);
    const image = await createBrowserDecoder().decode(encodeRgbaPng(2, 1, rgba), 'alpha.png');
    expect([...image.data.subarray(0, 4)]).toEqual([200, 100, 50, 255]);
    expect([...image.data.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
  });

  it('rejects non-images and truncated files', async () => {
    const decoder = createBrowserDecoder();
    const text = new TextEncoder().encode('notes');
    await expect(decoder.decode(text, 'notes.txt')).rejects.toThrow(/^not an image; catlab reads JPEG and PNG/);
    const truncated = (await canvasJpeg(64, 64, opaque)).subarray(0, 300);
    const failure = decoder.decode(truncated, 'cut.jpg');
    await expect(failure).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(failure).rejects.toThrow(/^invalid or truncated JPEG \(browser: /);
  });
});

describe('packImages in the browser', () => {
  const entries = (): ImageEntry[] => [
    { name: '10.png', bytes: encodeRgbaPng(80, 50, pattern(80, 50, () => 255)) },
    { name: '2.png', bytes: opaquePng },
    { name: 'notes.txt', bytes: new TextEncoder().encode('cats') },
  ];

  it('packs rows in natural order', async () => {
    const { matrix, manifest } = await packImages(entries(), createBrowserDecoder(), { source: 'dropped files' });
    expect(manifest.files).toEqual(['2.png', '10.png']);
    expect(manifest.skipped.map((skip) => skip.name)).toEqual(['notes.txt']);
    expect(matrix.data.subarray(0, 4096)).toEqual(luma(opaque));
  });

  it('packs a zip and skips a corrupt entry', async () => {
    const notes = new TextEncoder().encode('cats');
    const zip = zipSync({ '2.png': [opaquePng, { level: 0 }], '1.png': opaquePng, 'notes.txt': notes });
    // 2.png is stored and comes first in the zip, so the first copy of its bytes is its own. Flip one in the middle.
    const signature = opaquePng.subarray(0, 16);
    const start = zip.findIndex((_, i) => signature.every((byte, j) => zip[i + j] === byte));
    expect(start).toBeGreaterThan(0);
    zip[start + (opaquePng.length >> 1)] ^= 0x10;

    const { matrix, manifest } = await packImages(listZipEntries(zip, 'cats.zip'), createBrowserDecoder(), {
      source: 'cats.zip',
    });
    expect(manifest.files).toEqual(['1.png']);
    expect(manifest.skipped.map((skip) => skip.name)).toEqual(['2.png', 'notes.txt']);
    expect(manifest.skipped[0].reason).toMatch(/^corrupt zip entry: CRC-32 mismatch \(stored [0-9a-f]{8}, computed [0-9a-f]{8}\)$/);
    expect(manifest.skipped[1].reason).toMatch(/^not an image; catlab reads JPEG and PNG/);
    expect(matrix.data).toEqual(luma(opaque));
  });

  it('packs the same rows in a Web Worker', async () => {
    const onPage = await packImages(entries(), createBrowserDecoder(), { source: 'page' });
    const worker = new Worker(new URL('./data-decode.worker.ts', import.meta.url), { type: 'module' });
    try {
      const reply = await new Promise<WorkerReply>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<WorkerReply>) => resolve(event.data);
        worker.onerror = (event) => reject(new Error(`worker failed: ${event.message}`));
        worker.postMessage(entries());
      });
      expect(reply.error).toBeUndefined();
      expect(reply.files).toEqual(onPage.manifest.files);
      expect(reply.skipped).toEqual(onPage.manifest.skipped);
      expect(reply.data).toEqual(onPage.matrix.data);
    } finally {
      worker.terminate();
    }
  });
});

/** Message from data-decode.worker.ts: the packed rows, or the error that stopped packing. */
interface WorkerReply {
  data?: Uint8Array;
  files?: string[];
  skipped?: SkippedFile[];
  error?: string;
}
