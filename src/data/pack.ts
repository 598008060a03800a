/**
 * Packing: image files → the 8-bit data matrix V (one image a row) and a
 * manifest. The code is the same in every host, because the host supplies
 * the files and an `ImageDecoder`.
 */
import type { U8Matrix } from '../nmf/matrix.ts';
import { toGrayscale } from './grayscale.ts';
import { formatCount } from './count.ts';
import {
  ImageDecodeError,
  READABLE_FORMATS,
  READABLE_FORMATS_SUFFIX,
  checkRgbaImage,
  type ImageDecoder,
  type RgbaImage,
} from './image.ts';
import { sortNatural } from './natural-order.ts';
import { resizeGray } from './resize.ts';

/** One file offered for packing. */
export interface ImageEntry {
  /** Path relative to the source, with `/` between folders. It orders the rows and names them in the manifest. */
  name: string;
  /** The file's bytes, or a function that reads them when the file's turn comes. */
  bytes: Uint8Array | (() => Promise<Uint8Array>);
}

/** A file that was not packed, and why. */
export interface SkippedFile {
  name: string;
  reason: string;
}

/** Record of one packing run: the file behind each row of V, the skipped files and the image size. */
export interface Manifest {
  /** Entry name of each row of V, in row order. */
  files: string[];
  /** Files that were examined and not packed, in the order they were met. */
  skipped: SkippedFile[];
  /** Width of every packed image in pixels. */
  width: number;
  /** Height of every packed image in pixels. */
  height: number;
  /** Rows of V, equal to `files.length`. */
  samples: number;
  /** Columns of V: `width · height` pixels of each image, row-major. */
  features: number;
  /** Packed images whose decoded size was not `width × height`, so they were resized (stretched, never cropped or padded). */
  resizedFiles: number;
  /** Resized images whose aspect ratio differs from `width : height`, so their content looks stretched or squashed. */
  aspectChangedFiles: number;
  /** Origin of the files: a path in Node, or a label chosen by the page in the browser. */
  source: string;
}

export interface PackResult {
  matrix: U8Matrix;
  manifest: Manifest;
}

/**
 * Progress after each examined file. `files / totalFiles` is the fraction
 * done for a progress bar: it never decreases, and it reaches 1 at the last
 * report whether packing stops at `limit` or runs out of files.
 */
export interface PackProgress {
  /**
   * Work done, out of `totalFiles`. Without a limit it equals `examined`.
   * With one, packing ends when `images` reaches the limit or when every
   * file has been examined, whichever comes first. `files` is
   * max(images, examined − (offered files − totalFiles)), and each of the
   * two terms reaches `totalFiles` exactly at one of those two ends.
   */
  files: number;
  /** Final value of `files`: the files offered (hidden files excluded), or `limit` when that is smaller. */
  totalFiles: number;
  /** Files examined so far, packed or skipped. */
  examined: number;
  /** Images packed so far (rows of V). */
  images: number;
  /** Name of the file just examined. */
  name: string;
}

export interface PackOptions {
  /** Label for the manifest and error messages, such as the folder path. */
  source: string;
  /** Size of every packed image: one number for a square, in pixels. Default 64 × 64. */
  size?: number | { width: number; height: number };
  /** Pack only the first `limit` images that decode, in natural file-name order. Default: all. */
  limit?: number;
  /** Called after each examined file. */
  onProgress?: (progress: PackProgress) => void;
  /** Called for each skipped file, as it is skipped. */
  onWarning?: (skipped: SkippedFile) => void;
  /** Cancels packing; the promise then rejects with a DOMException named `AbortError`. */
  signal?: AbortSignal;
}

export const DEFAULT_IMAGE_SIZE = 64;

/**
 * Maximum time in ms that packing keeps the thread busy before it lets
 * timers and messages run. Decoding in Node is synchronous, so without this
 * an abort requested from a timer or a message would only be seen at the end.
 */
const MAX_BUSY_MS = 30;

/**
 * Returns true for names that packing ignores without a warning: hidden
 * files and folders (a segment starting with `.`, such as `.DS_Store` or
 * the AppleDouble `._1.jpg`) and anything under a `__MACOSX` folder. These
 * are operating-system metadata, never the user's images, so listing them
 * as skipped would only add noise.
 */
export function isIgnoredName(name: string): boolean {
  return name.split('/').some((segment) => segment.startsWith('.') || segment === '__MACOSX');
}

/**
 * Decodes image files into the rows of V in natural file-name order: each
 * image is converted to grayscale (`toGrayscale`), resized to `size` unless
 * it already has that size (`resizeGray`), and stored row-major. Images of
 * another aspect ratio are stretched to fit, and the manifest counts them.
 *
 * Files the decoder rejects (not an image, corrupt, over the pixel limit)
 * are skipped with a reason in `manifest.skipped` and reported through
 * `onWarning`. Hidden files are ignored silently (`isIgnoredName`). Throws
 * when no image could be packed, naming the source and the formats read.
 *
 * @example
 * const { matrix, manifest } = await packImages(
 *   [{ name: 'a.png', bytes }],
 *   createBrowserDecoder(),
 *   { source: 'dropped files', size: 64 },
 * );
 */
export async function packImages(
  entries: Iterable<ImageEntry> | AsyncIterable<ImageEntry>,
  decoder: ImageDecoder,
  options: PackOptions,
): Promise<PackResult> {
  const { source, signal } = options;
  const { width, height } = resolveSize(options.size);
  const limit = resolveLimit(options.limit);
  const features = width * height;

  const listed: ImageEntry[] = [];
  throwIfAborted(signal, source, 0, 0);
  for await (const entry of entries) {
    // A host that lists files lazily (a browser directory walk) may be slow, so aborting works while listing too.
    throwIfAborted(signal, source, 0, 0);
    if (!isIgnoredName(entry.name)) listed.push(entry);
  }
  const ordered = sortNatural(listed, (entry) => entry.name);

  const capacity = Math.min(limit, ordered.length);
  // Files that packing may leave unexamined because the limit is reached first.
  const spareFiles = ordered.length - capacity;
  const data = new Uint8Array(capacity * features);
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  let examined = 0;
  let resizedFiles = 0;
  let aspectChangedFiles = 0;
  let lastYield = performance.now();

  for (const entry of ordered) {
    if (files.length >= limit) break;
    throwIfAborted(signal, source, examined, ordered.length);

    try {
      const bytes = typeof entry.bytes === 'function' ? await entry.bytes() : entry.bytes;
      const image = await decoder.decode(bytes, entry.name);
      checkRgbaImage(image, entry.name);
      data.set(toGrayRow(image, width, height), files.length * features);
      files.push(entry.name);
      if (image.width !== width || image.height !== height) resizedFiles++;
      if (image.width * height !== image.height * width) aspectChangedFiles++;
    } catch (error) {
      if (!(error instanceof ImageDecodeError)) throw error;
      const skip = { name: entry.name, reason: error.message };
      skipped.push(skip);
      options.onWarning?.(skip);
    }

    examined++;
    options.onProgress?.({
      files: Math.max(files.length, examined - spareFiles),
      totalFiles: capacity,
      examined,
      images: files.length,
      name: entry.name,
    });
    if (performance.now() - lastYield > MAX_BUSY_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
  }
  throwIfAborted(signal, source, examined, ordered.length);

  if (files.length === 0) throw new Error(describeNoImages(source, ordered.length, skipped));
  const samples = files.length;
  const matrix: U8Matrix = {
    samples,
    features,
    data: samples === capacity ? data : data.slice(0, samples * features),
  };
  const manifest: Manifest = {
    files,
    skipped,
    width,
    height,
    samples,
    features,
    resizedFiles,
    aspectChangedFiles,
    source,
  };
  return { matrix, manifest };
}

/** Converts a decoded image to one row of V: grayscale, then resized to `width × height` when needed. */
export function toGrayRow(image: RgbaImage, width: number, height: number): Uint8Array {
  const gray = toGrayscale(image);
  if (gray.width === width && gray.height === height) return gray.data;
  return resizeGray(gray, width, height).data;
}

function resolveSize(size: PackOptions['size']): { width: number; height: number } {
  const side = typeof size === 'number' ? size : DEFAULT_IMAGE_SIZE;
  const resolved = typeof size === 'object' ? size : { width: side, height: side };
  for (const [name, value] of [['width', resolved.width], ['height', resolved.height]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`image ${name} ${value} is invalid; use a positive integer number of pixels`);
    }
  }
  return resolved;
}

function resolveLimit(limit: number | undefined): number {
  if (limit === undefined) return Infinity;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(
      `limit ${limit} is invalid; use a positive integer number of images, or leave it out to pack all`,
    );
  }
  return limit;
}

function throwIfAborted(signal: AbortSignal | undefined, source: string, examined: number, total: number): void {
  if (signal?.aborted) {
    throw new DOMException(`Packing ${source} was aborted after ${examined} of ${formatCount(total, 'file')}`, 'AbortError');
  }
}

function describeNoImages(source: string, fileCount: number, skipped: SkippedFile[]): string {
  const formats = `catlab reads ${READABLE_FORMATS}.`;
  if (fileCount === 0) {
    return `No images found in ${source}: it contains no files (hidden files are ignored). ${formats}`;
  }
  // The closing sentence names the readable formats, so the examples leave out that ending of their reasons.
  const examples = skipped
    .slice(0, 3)
    .map((skip) => `${skip.name}: ${withoutSuffix(skip.reason, READABLE_FORMATS_SUFFIX)}`)
    .join('; ');
  const more = skipped.length > 3 ? `; and ${skipped.length - 3} more` : '';
  const skippedFiles = fileCount === 1 ? 'its only file was' : `all ${fileCount} files were`;
  return `No images found in ${source}: ${skippedFiles} skipped (${examples}${more}). ${formats}`;
}

function withoutSuffix(text: string, suffix: string): string {
  return text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
}
