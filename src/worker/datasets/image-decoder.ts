/**
 * Images → V in the browser: decode with createImageBitmap, scale to
 * size × size on an OffscreenCanvas, convert to 8-bit gray, one row per
 * image in natural file-name order. Works in a dedicated worker.
 *
 * NOTE: interim. The grayscale, resize and ordering rules belong to src/data
 * so that Node and the browser share one copy; until its browser decoder
 * lands, this file is the whole of that interface (`decodeImages`), and the
 * rules here (luma 0.299 R + 0.587 G + 0.114 B rounded, non-square images
 * stretched, alpha ignored) may differ from the CLI's.
 */
import type { U8Matrix } from '../../nmf/matrix.ts';
import type { SkippedFile } from '../protocol.ts';
import { throwIfAborted, type ImageEntry, type ProgressReporter } from './types.ts';

export interface DecodeOptions {
  /** Side of the square images V is built from, in pixels. */
  size: number;
  /** Decode only until this many images succeeded. */
  limit?: number;
  signal?: AbortSignal;
  onProgress: ProgressReporter;
}

export interface DecodedImages {
  matrix: U8Matrix;
  names: string[];
  skipped: SkippedFile[];
  /** Image files found, before any limit; files that fail to decode beyond the limit are not found out. */
  availableSamples: number;
}

const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif', 'bmp', 'webp', 'avif']);
/** Images decoded at once: enough to keep the browser's decoder threads busy. */
const CONCURRENCY = 4;

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Sorts names as people count: `2.jpg` before `10.jpg`. */
export function compareNatural(a: string, b: string): number {
  return naturalOrder.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** Decodes the images among `entries`; files that are not images are listed as skipped with the reason. */
export async function decodeImages(entries: ImageEntry[], options: DecodeOptions): Promise<DecodedImages> {
  const { size } = options;
  if (!Number.isInteger(size) || size < 1 || size > 1024) {
    throw new RangeError(`image size ${size} is invalid; use an integer from 1 to 1024 pixels`);
  }
  const skipped: SkippedFile[] = [];
  const images: ImageEntry[] = [];
  for (const entry of [...entries].sort((a, b) => compareNatural(a.name, b.name))) {
    if (IMAGE_EXTENSIONS.has(extension(entry.name))) images.push(entry);
    else skipped.push({ name: entry.name, reason: `not an image file (extension "${extension(entry.name)}")` });
  }

  const limit = Math.min(options.limit ?? images.length, images.length);
  const features = size * size;
  const canvas = new OffscreenCanvas(size, size);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('this browser gives no 2D context on an OffscreenCanvas, which image decoding needs');
  context.imageSmoothingQuality = 'high';

  const rows: Uint8Array[] = [];
  const names: string[] = [];
  let next = 0;
  while (rows.length < limit && next < images.length) {
    throwIfAborted(options.signal);
    const batch = images.slice(next, next + Math.min(CONCURRENCY, limit - rows.length));
    next += batch.length;
    const bitmaps = await Promise.allSettled(batch.map((entry) => createImageBitmap(entry.blob)));
    bitmaps.forEach((result, i) => {
      if (result.status === 'rejected') {
        skipped.push({ name: batch[i].name, reason: `not a decodable image: ${describe(result.reason)}` });
        return;
      }
      rows.push(toGray(context, result.value, size));
      names.push(batch[i].name);
      result.value.close();
    });
    options.onProgress({ phase: 'decoding', done: next, total: limit });
  }

  const data = new Uint8Array(rows.length * features);
  rows.forEach((row, i) => data.set(row, i * features));
  return { matrix: { samples: rows.length, features, data }, names, skipped, availableSamples: images.length };
}

function toGray(context: OffscreenCanvasRenderingContext2D, bitmap: ImageBitmap, size: number): Uint8Array {
  context.clearRect(0, 0, size, size);
  context.drawImage(bitmap, 0, 0, size, size);
  const rgba = context.getImageData(0, 0, size, size).data;
  const gray = new Uint8Array(size * size);
  for (let i = 0; i < gray.length; i++) {
    gray[i] = Math.round(0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2]);
  }
  return gray;
}

function describe(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
