/**
 * Reads the data matrix V for a command: from a folder or .zip of images, or
 * from a V.npy that `catlab pack` wrote (with its manifest.json beside it).
 */
import { open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadImages } from '../data/node.ts';
import { readUserNpy } from './files.ts';
import type { Manifest, PackResult } from '../data/pack.ts';
import type { U8Matrix } from '../nmf/matrix.ts';
import { UsageError } from './args.ts';
import { ProgressBar } from './progress.ts';

export interface InputOptions {
  /** Side of the square images V is built from; absent means 64, and V.npy input rejects it. */
  size?: number;
  /** Use only the first `limit` images (rows). */
  limit?: number;
}

export async function loadInput(path: string, options: InputOptions): Promise<PackResult> {
  if (await isNpyFile(path)) {
    if (options.size !== undefined) {
      throw new UsageError('--size applies to folders and zips of images; a V.npy keeps the image size it was packed at');
    }
    return loadNpyInput(path, options.limit);
  }

  let bar: ProgressBar | undefined;
  const result = await loadImages(path, {
    size: options.size ?? 64,
    limit: options.limit,
    onProgress: (progress) => {
      bar ??= new ProgressBar('decode', progress.totalFiles);
      bar.update(progress.files);
    },
    onWarning: (skipped) => process.stderr.write(`warning: skipped ${skipped.name}: ${skipped.reason}\n`),
  });
  bar?.finish();
  if (result.manifest.skipped.length > 0) {
    process.stderr.write(`skipped ${result.manifest.skipped.length} file(s) that are not readable images\n`);
  }
  return result;
}

/** Checks the NumPy magic bytes, so a packed matrix is read whatever its file name. */
export async function isNpyFile(path: string): Promise<boolean> {
  if (path.toLowerCase().endsWith('.npy')) return true;
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(6);
    const { bytesRead } = await file.read(head, 0, 6, 0);
    return bytesRead === 6 && head.equals(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]));
  } catch {
    // A folder opens but cannot be read, and is then not a .npy file.
    return false;
  } finally {
    await file.close();
  }
}

async function loadNpyInput(path: string, limit?: number): Promise<PackResult> {
  const array = await readUserNpy(path, 'V.npy');
  if (array.shape[0] === 0 || array.shape[1] === 0) {
    throw new Error(`${path} is ${array.shape.join(' × ')}; V needs at least one row and one column`);
  }
  if (array.dtype !== 'uint8') {
    throw new Error(
      `${path} contains a ${array.shape.join(' × ')} array of dtype ${array.dtype}; V must be a 2-D uint8 array ` +
        '(samples × features), as `catlab pack` writes it. From values in [0, 1], NumPy makes one with ' +
        '(V * 255).round().astype(numpy.uint8)',
    );
  }
  const [allSamples, features] = array.shape;
  const samples = limit ? Math.min(limit, allSamples) : allSamples;
  const matrix: U8Matrix = { samples, features, data: (array.data as Uint8Array).subarray(0, samples * features) };

  const packed = await readSiblingManifest(path);
  const side = Math.round(Math.sqrt(features));
  const [width, height] = packed?.width && packed.height && packed.width * packed.height === features ? [packed.width, packed.height] : side * side === features ? [side, side] : [features, 1];
  const files = packed?.files && packed.files.length === allSamples ? packed.files.slice(0, samples) : Array.from({ length: samples }, (_, i) => `row ${i}`);
  // The skip list and resize counts describe the whole pack, before any --limit. Missing ones become an empty list and zeros.
  const manifest: Manifest = {
    source: path,
    files,
    skipped: packed?.skipped ?? [],
    width,
    height,
    samples,
    features,
    resizedFiles: packed?.resizedFiles ?? 0,
    aspectChangedFiles: packed?.aspectChangedFiles ?? 0,
  };
  return { matrix, manifest };
}

async function readSiblingManifest(npyPath: string): Promise<Partial<Manifest> | undefined> {
  try {
    return JSON.parse(await readFile(join(dirname(npyPath), 'manifest.json'), 'utf8')) as Partial<Manifest>;
  } catch {
    return undefined;
  }
}
