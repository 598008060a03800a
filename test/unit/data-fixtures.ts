/**
 * Helpers for the data tests: real JPEG and PNG files made with the same
 * encoders a user's tools would use, the cat images when present, and
 * Python with NumPy or Pillow when installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';

/** An RGBA image as plain bytes, 4 a pixel. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Builds an RGBA image whose pixel (x, y) is `pixel(x, y)`. */
export function makeRgba(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Rgba {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 4);
  }
  return { width, height, data };
}

/** A colourful, non-symmetric test pattern, opaque unless `alpha` varies. */
export function colourPattern(width: number, height: number, alpha = false): Rgba {
  return makeRgba(width, height, (x, y) => [
    (x * 7 + y * 3) % 256,
    (x * y + 40) % 256,
    (255 - x * 5 + y * 11) % 256,
    alpha ? (x * 13 + y * 29) % 256 : 255,
  ]);
}

/** The luma of Pillow's convert('L'), written out here apart from src/data so the tests check it independently. */
export function expectedLuma(rgba: ArrayLike<number>): Uint8Array {
  const gray = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < gray.length; i++) {
    gray[i] = Math.floor((rgba[4 * i] * 19595 + rgba[4 * i + 1] * 38470 + rgba[4 * i + 2] * 7471 + 0x8000) / 65536);
  }
  return gray;
}

export function encodeJpeg(image: Rgba, quality = 90): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: image.width, height: image.height, data: image.data }, quality).data);
}

/** PNG colour types: 0 gray, 2 RGB, 4 gray + alpha, 6 RGBA. */
export type PngColorType = 0 | 2 | 4 | 6;

/** Encodes 8-bit RGBA pixels as a PNG of the given colour type with pngjs, dropping what the type cannot store. */
export function encodePng(image: Rgba, colorType: PngColorType = 6): Uint8Array {
  const png = new pngjs.PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data);
  return new Uint8Array(pngjs.PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true }));
}

/** Encodes 16-bit RGB samples (3 a pixel) as a 16-bit RGB PNG with pngjs. */
export function encodePng16(width: number, height: number, rgb: Uint16Array): Uint8Array {
  const png = new pngjs.PNG({ width, height });
  // pngjs reads 16-bit input through a Uint16Array over the whole buffer, so the buffer must be exactly the samples.
  png.data = Buffer.from(new Uint16Array(rgb).buffer);
  return new Uint8Array(pngjs.PNG.sync.write(png, { colorType: 2, inputColorType: 2, bitDepth: 16, inputHasAlpha: false }));
}

/** Builds an 8-bit palette PNG by hand, since pngjs cannot write one. */
export function encodePalettePng(
  width: number,
  height: number,
  palette: [number, number, number][],
  indices: Uint8Array,
): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 3, 0, 0, 0], 8); // bit depth 8, colour type 3 (palette), deflate, adaptive filter, no interlace
  const scanlines = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) scanlines.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return concat([
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    pngChunk('IHDR', ihdr),
    pngChunk('PLTE', Uint8Array.from(palette.flat())),
    pngChunk('IDAT', new Uint8Array(deflateSync(scanlines))),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const typed = concat([new TextEncoder().encode(type), body]);
  const chunk = new Uint8Array(8 + body.length + 4);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, body.length);
  chunk.set(typed, 4);
  view.setUint32(8 + body.length, crc32(typed));
  return chunk;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Makes a temporary folder and returns it with a function that deletes it. */
export function makeTempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `catlab-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Returns the folder of cat images: $CATLAB_CATS_DIR, or the first
 * `shared/data/cats64` found walking up from the repository root. Returns
 * null when neither exists.
 */
export function findCatsDir(): string | null {
  const fromEnv = process.env.CATLAB_CATS_DIR;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  let dir = fileURLToPath(new URL('../..', import.meta.url));
  for (;;) {
    const candidate = join(dir, 'shared', 'data', 'cats64');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const pythonByModule = new Map<string, string | null>();

/**
 * Returns a Python that can import `module`: $CATLAB_PYTHON, then `python3`
 * on PATH, then /usr/bin/python3, where Debian's python3-numpy and
 * python3-pil install even when a pyenv or venv python3 comes first on PATH.
 * Returns null when none can.
 */
export function findPython(module: string): string | null {
  if (pythonByModule.has(module)) return pythonByModule.get(module) ?? null;
  const candidates = [process.env.CATLAB_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  const found = candidates.find((python) => spawnSync(python, ['-c', `import ${module}`]).status === 0) ?? null;
  pythonByModule.set(module, found);
  return found;
}

/** Runs a Python script with arguments and optional stdin, and returns its stdout; throws with stderr when it fails. */
export function runPython(python: string, script: string, args: string[] = [], input?: Uint8Array): Buffer {
  const result = spawnSync(python, ['-c', script, ...args], { input, maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${python} failed with status ${result.status}: ${result.stderr?.toString() ?? result.error}`);
  }
  return result.stdout;
}

/** Appends the reason and the fix to the title of a test group that skips without an optional tool. */
export function titleUnless(title: string, available: unknown, missing: string): string {
  return available ? title : `${title} (skipped: ${missing})`;
}
