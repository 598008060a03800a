/**
 * Node-only entry points of the data layer: list a folder or a .zip from
 * disk and pack it with the Node decoder, and read and write .npy files.
 * Only files named node.ts or *-node.ts import Node APIs, so the browser
 * bundle never pulls them in.
 */
import type { Dirent } from 'node:fs';
import { open, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createNodeDecoder, type NodeDecoderOptions } from './decode-node.ts';
import { READABLE_FORMATS } from './image.ts';
import { decodeNpy, encodeNpy, type NpyArray, type NpyData } from './npy.ts';
import { isIgnoredName, packImages, type ImageEntry, type PackOptions, type PackResult } from './pack.ts';
import { isZipArchive, listZipEntries } from './zip.ts';

export interface LoadImagesOptions extends Omit<PackOptions, 'source'>, NodeDecoderOptions {}

/**
 * Packs the images of a folder (searched recursively) or of a .zip archive
 * into V and a manifest, decoding with jpeg-js and pngjs. `path` is the
 * manifest's `source`. Progress and skipped files are reported through
 * `onProgress` and `onWarning`, as `packImages` describes.
 *
 * Throws when `path` does not exist, is neither a folder nor a zip archive,
 * or yields no image.
 *
 * @example
 * const { matrix, manifest } = await loadImages('data/cats64', {
 *   limit: 1000,
 *   onWarning: ({ name, reason }) => console.warn(`skipped ${name}: ${reason}`),
 * });
 */
export async function loadImages(path: string, options: LoadImagesOptions = {}): Promise<PackResult> {
  const { maxPixels, ...packOptions } = options;
  const entries = await listImageSource(path);
  return packImages(entries, createNodeDecoder({ maxPixels }), { ...packOptions, source: path });
}

/**
 * Lists the files of a folder or a .zip archive at `path` as packing
 * entries. A zip is recognised by its first bytes, whatever its extension.
 */
export async function listImageSource(path: string): Promise<ImageEntry[]> {
  const info = await stat(path).catch((error: unknown) => {
    if (isNodeError(error, 'ENOENT')) {
      throw new Error(`Image source not found: ${path}. Give a folder of images or a .zip archive of them.`, {
        cause: error,
      });
    }
    throw error;
  });
  if (info.isDirectory()) return listImageFolder(path);

  // Check the first bytes before reading the whole file, which may be large and not a zip at all.
  const handle = await open(path);
  const { buffer: head, bytesRead } = await handle.read(new Uint8Array(4), 0, 4, 0).finally(() => handle.close());
  if (!isZipArchive(head.subarray(0, bytesRead))) {
    throw new Error(
      `${path} is neither a folder nor a zip archive. Give a folder of images or a .zip archive of them; ` +
        `catlab reads ${READABLE_FORMATS}.`,
    );
  }
  return listZipEntries(await readFile(path), path);
}

/**
 * Lists every file under `folder`, subfolders included, named by its path
 * relative to `folder` with `/` separators. Hidden files and folders are
 * not entered (`isIgnoredName`). Symbolic links to files are followed. Links
 * to folders are not, so a link cycle cannot loop forever, and broken links
 * are ignored.
 * Each entry reads its file only when packing reaches it.
 */
export async function listImageFolder(folder: string): Promise<ImageEntry[]> {
  const entries: ImageEntry[] = [];
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relative = pending.pop() as string;
    const children = await readdir(join(folder, relative), { withFileTypes: true });
    for (const child of children) {
      const name = relative ? `${relative}/${child.name}` : child.name;
      if (isIgnoredName(name)) continue;
      const kind = await kindOf(child, join(folder, name));
      if (kind === 'folder') pending.push(name);
      if (kind === 'file') entries.push({ name, bytes: () => readEntry(join(folder, name)) });
    }
  }
  return entries;
}

async function kindOf(child: Dirent, fullPath: string): Promise<'file' | 'folder' | 'other'> {
  if (child.isFile()) return 'file';
  if (child.isDirectory()) return 'folder';
  if (child.isSymbolicLink()) {
    const target = await stat(fullPath).catch(() => null);
    if (target?.isFile()) return 'file';
  }
  return 'other';
}

async function readEntry(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`Failed to read ${path}: ${detail}`, { cause: error });
  }
}

/** Writes a 2-D array to `path` as a NumPy .npy file (see `encodeNpy`). */
export async function writeNpyFile(path: string, data: NpyData, shape: readonly [number, number]): Promise<void> {
  await writeFile(path, encodeNpy(data, shape));
}

/** Reads a 2-D NumPy .npy file of dtype uint8, float32 or float64 (see `decodeNpy`). */
export async function readNpyFile(path: string): Promise<NpyArray> {
  return decodeNpy(await readFile(path), path);
}

function isNodeError(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
