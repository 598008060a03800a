/**
 * The search bundle: what `<cat-search>` loads to search a trained model
 * without the data set or the training engine.
 *
 * A bundle is a folder of four files:
 * - `manifest.json`: {@link BundleManifest}.
 * - `W.npy`: float32, samples × rank, every row scaled to unit length
 *   (all-zero rows stay zero, they have no direction).
 * - `norms.npy`: float32, samples × 1, the length of each row of W before
 *   scaling, so W·H (the reconstruction) can be rebuilt.
 * - `H.npy`: float32, rank × features.
 * - `sprite.png`: 8-bit gray thumbnails of the samples, row-major in a grid.
 *
 * This module builds and checks bundles; hosts write and read the bytes
 * (Node: files, browser: fetch), and encode the sprite PNG.
 */
import { decodeNpy, encodeNpy } from '../data/npy.ts';
import { resizeGray } from '../data/resize.ts';

export const BUNDLE_FORMAT = 'catlab-search-bundle';
export const BUNDLE_VERSION = 1;

/** The manifest of a bundle, `manifest.json`. File names are data: show them as text only. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: number;
  /** Data set name for display, e.g. the folder it was packed from. */
  dataset: string;
  samples: number;
  rank: number;
  /** Image size of a row of V, in pixels; features = imageWidth · imageHeight. */
  imageWidth: number;
  imageHeight: number;
  /** File name of each sample, in row order. */
  files: string[];
  /** Thumbnail grid in `sprite.png`: sample i is tile (i % columns, ⌊i / columns⌋). */
  sprite: { columns: number; tileWidth: number; tileHeight: number };
  /** Groups of samples whose pixels are byte-identical, each listed in index order. */
  copies: number[][];
}

/** A gray image, one byte a pixel, row-major. */
export interface GrayPixels {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface SearchBundle {
  manifest: BundleManifest;
  /** samples × rank, unit rows. */
  normalizedW: Float32Array;
  /** samples values. */
  norms: Float32Array;
  /** rank × features. */
  H: Float32Array;
  sprite: GrayPixels;
}

export interface BundleInput {
  dataset: string;
  files: readonly string[];
  imageWidth: number;
  imageHeight: number;
  rank: number;
  /** samples × rank. */
  W: Float32Array;
  /** rank × features. */
  H: Float32Array;
  /** The data matrix the model was trained on, samples × features bytes, for the thumbnails. */
  pixels: Uint8Array;
  copies?: number[][];
  /** Largest thumbnail side in pixels; smaller images keep their size. */
  maxThumbnail?: number;
}

/** Thumbnail side that keeps a 15,747-sample sprite near 4,000 × 4,000 pixels, which browsers decode comfortably. */
export const DEFAULT_MAX_THUMBNAIL = 32;

/** Builds a bundle from trained factors and the pixels behind them. */
export function buildBundle(input: BundleInput): SearchBundle {
  const samples = input.files.length;
  const { rank, imageWidth, imageHeight } = input;
  const features = imageWidth * imageHeight;
  if (input.W.length !== samples * rank) {
    throw new RangeError(`W has ${input.W.length} values, but ${samples} files × rank ${rank} needs ${samples * rank}`);
  }
  if (input.H.length !== rank * features) {
    throw new RangeError(`H has ${input.H.length} values, but rank ${rank} × ${features} pixels needs ${rank * features}`);
  }
  if (input.pixels.length !== samples * features) {
    throw new RangeError(`the pixels hold ${input.pixels.length} bytes, but ${samples} images of ${imageWidth}×${imageHeight} need ${samples * features}`);
  }

  const normalizedW = new Float32Array(input.W.length);
  const norms = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    let sum = 0;
    for (let r = 0; r < rank; r++) sum += input.W[i * rank + r] ** 2;
    norms[i] = Math.sqrt(sum);
    for (let r = 0; r < rank; r++) normalizedW[i * rank + r] = norms[i] > 0 ? input.W[i * rank + r] / norms[i] : 0;
  }

  const scale = Math.min(1, (input.maxThumbnail ?? DEFAULT_MAX_THUMBNAIL) / Math.max(imageWidth, imageHeight));
  const tileWidth = Math.max(1, Math.round(imageWidth * scale));
  const tileHeight = Math.max(1, Math.round(imageHeight * scale));
  const columns = Math.max(1, Math.ceil(Math.sqrt(samples)));
  const rows = Math.ceil(samples / columns);
  const sprite: GrayPixels = { width: columns * tileWidth, height: rows * tileHeight, data: new Uint8Array(columns * tileWidth * rows * tileHeight) };
  for (let i = 0; i < samples; i++) {
    const image = { width: imageWidth, height: imageHeight, data: input.pixels.subarray(i * features, (i + 1) * features) };
    const tile = tileWidth === imageWidth && tileHeight === imageHeight ? image : resizeGray(image, tileWidth, tileHeight);
    const x0 = (i % columns) * tileWidth;
    const y0 = Math.floor(i / columns) * tileHeight;
    for (let y = 0; y < tileHeight; y++) {
      sprite.data.set(tile.data.subarray(y * tileWidth, (y + 1) * tileWidth), (y0 + y) * sprite.width + x0);
    }
  }

  return {
    manifest: {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      dataset: input.dataset,
      samples,
      rank,
      imageWidth,
      imageHeight,
      files: [...input.files],
      sprite: { columns, tileWidth, tileHeight },
      copies: input.copies ?? [],
    },
    normalizedW,
    norms,
    H: input.H,
    sprite,
  };
}

/** Returns the bundle's files other than `sprite.png`, which the host encodes. */
export function bundleFiles(bundle: SearchBundle): Map<string, Uint8Array> {
  const { samples, rank, imageWidth, imageHeight } = bundle.manifest;
  return new Map([
    ['manifest.json', new TextEncoder().encode(`${JSON.stringify(bundle.manifest, null, 2)}\n`)],
    ['W.npy', encodeNpy(bundle.normalizedW, [samples, rank])],
    ['norms.npy', encodeNpy(bundle.norms, [samples, 1])],
    ['H.npy', encodeNpy(bundle.H, [rank, imageWidth * imageHeight])],
  ]);
}

/**
 * Reads a bundle through `readFile` (a name in the bundle → its bytes) and
 * `decodeSprite` (PNG bytes → gray pixels), checking every size against the
 * manifest so a damaged bundle fails with a message naming the file.
 */
export async function readBundle(
  readFile: (name: string) => Promise<Uint8Array>,
  decodeSprite: (png: Uint8Array) => Promise<GrayPixels>,
): Promise<SearchBundle> {
  const manifest = checkManifest(JSON.parse(new TextDecoder().decode(await readFile('manifest.json'))));
  const { samples, rank, imageWidth, imageHeight } = manifest;
  const matrix = async (name: string, rows: number, cols: number) => {
    const array = decodeNpy(await readFile(name), name);
    if (array.dtype !== 'float32' || array.shape[0] !== rows || array.shape[1] !== cols) {
      throw new Error(`bundle file ${name} is ${array.dtype} ${array.shape.join(' × ')}; the manifest needs float32 ${rows} × ${cols}`);
    }
    return array.data as Float32Array;
  };
  const [normalizedW, norms, H, sprite] = await Promise.all([
    matrix('W.npy', samples, rank),
    matrix('norms.npy', samples, 1),
    matrix('H.npy', rank, imageWidth * imageHeight),
    readFile('sprite.png').then(decodeSprite),
  ]);
  const { columns, tileWidth, tileHeight } = manifest.sprite;
  if (sprite.width < columns * tileWidth || sprite.height < Math.ceil(samples / columns) * tileHeight) {
    throw new Error(`bundle file sprite.png is ${sprite.width}×${sprite.height}, smaller than the manifest's grid of ${samples} tiles`);
  }
  return { manifest, normalizedW, norms, H, sprite };
}

/** Checks a parsed manifest field by field and returns it typed. */
export function checkManifest(value: unknown): BundleManifest {
  const manifest = value as Partial<BundleManifest> | null;
  if (!manifest || typeof manifest !== 'object' || manifest.format !== BUNDLE_FORMAT) {
    throw new Error(`manifest.json is not a catlab search bundle manifest (format must be "${BUNDLE_FORMAT}")`);
  }
  if (manifest.version !== BUNDLE_VERSION) {
    throw new Error(`manifest.json has bundle version ${String(manifest.version)}; this catlab reads version ${BUNDLE_VERSION}`);
  }
  const positive = (name: string, field: unknown) => {
    if (!Number.isInteger(field) || (field as number) < 1) throw new Error(`manifest.json: ${name} is ${String(field)}; it must be a positive integer`);
  };
  positive('samples', manifest.samples);
  positive('rank', manifest.rank);
  positive('imageWidth', manifest.imageWidth);
  positive('imageHeight', manifest.imageHeight);
  positive('sprite.columns', manifest.sprite?.columns);
  positive('sprite.tileWidth', manifest.sprite?.tileWidth);
  positive('sprite.tileHeight', manifest.sprite?.tileHeight);
  if (!Array.isArray(manifest.files) || manifest.files.length !== manifest.samples || !manifest.files.every((f) => typeof f === 'string')) {
    throw new Error(`manifest.json: files must be ${String(manifest.samples)} strings, one per sample`);
  }
  if (typeof manifest.dataset !== 'string') throw new Error('manifest.json: dataset must be a string');
  const copies = manifest.copies ?? [];
  if (!Array.isArray(copies) || !copies.every((group) => Array.isArray(group) && group.every((i) => Number.isInteger(i) && i >= 0 && i < manifest.samples!))) {
    throw new Error('manifest.json: copies must be lists of sample indices');
  }
  return { ...(manifest as BundleManifest), copies };
}

/** Rebuilds row `index` of W·H, the reconstruction of one sample, as pixels in [0, 255]. */
export function reconstruct(bundle: SearchBundle, index: number): Uint8Array {
  const { rank, imageWidth, imageHeight } = bundle.manifest;
  const features = imageWidth * imageHeight;
  const out = new Uint8Array(features);
  const norm = bundle.norms[index];
  for (let f = 0; f < features; f++) {
    let sum = 0;
    for (let r = 0; r < rank; r++) sum += bundle.normalizedW[index * rank + r] * bundle.H[r * features + f];
    out[f] = Math.max(0, Math.min(255, Math.round(sum * norm * 255)));
  }
  return out;
}
