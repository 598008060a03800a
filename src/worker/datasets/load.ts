/**
 * Turns a `DatasetSource` into V: the MNIST digits, the dev server's folder
 * or zip, or files the user opened, through the browser cache where the
 * images would otherwise be decoded again.
 */
import type { DatasetSource } from '../protocol.ts';
import { cacheKey, readCached, writeCached } from './cache.ts';
import { loadMnist } from './mnist.ts';
import { packFiles } from './pack-files.ts';
import { fetchServerEntries, fetchServerIndex } from './server.ts';
import type { DecodedDataset, ImageEntry, ProgressReporter } from './types.ts';

export interface LoadOptions {
  signal?: AbortSignal;
  onProgress: ProgressReporter;
  /** Reports a problem that does not stop loading, such as a cache that cannot be written. */
  onWarning: (error: Error) => void;
}

export interface LoadedDataset {
  dataset: DecodedDataset;
  fromCache: boolean;
}

/** A file list to decode: how to name it, its cache key inputs, and how to get its entries. */
interface FileSource {
  name: string;
  files: { name: string; size: number; modified: number }[];
  entries: () => Promise<ImageEntry[]>;
}

export async function loadDataset(source: DatasetSource, options: LoadOptions): Promise<LoadedDataset> {
  if (source.kind === 'mnist') return { dataset: await loadMnist({ ...options, limit: source.limit }), fromCache: false };

  if (source.kind === 'auto') {
    const index = await fetchServerIndex(options.signal);
    if (!index) return { dataset: await loadMnist({ ...options, limit: source.limit }), fromCache: false };
    const fileSource: FileSource = {
      name: index.name,
      files: index.entries,
      entries: () => fetchServerEntries(index, options),
    };
    return decodeFileSource(fileSource, source.size, source.limit, options);
  }

  const files = source.files.map((file, i) => ({
    name: source.paths?.[i] || file.webkitRelativePath || file.name,
    size: file.size,
    modified: file.lastModified,
  }));
  const fileSource: FileSource = {
    name: describeFiles(files.map((file) => file.name)),
    files,
    entries: async () => source.files.map((file, i) => ({ name: files[i].name, blob: file })),
  };
  return decodeFileSource(fileSource, source.size, source.limit, options);
}

async function decodeFileSource(source: FileSource, size: number, limit: number | undefined, options: LoadOptions): Promise<LoadedDataset> {
  const key = await cacheKey(source.files, { name: source.name, size, limit: limit ?? null });
  const cached = await readCached(key).catch((error: unknown) => {
    options.onWarning(new Error(`reading the browser's dataset cache failed (${String(error)}); decoding the images again`));
    return undefined;
  });
  if (cached) return { dataset: cached, fromCache: true };

  const entries = await source.entries();
  const { matrix, manifest } = await packFiles(entries, { source: source.name, size, limit, signal: options.signal, onProgress: options.onProgress });
  const dataset: DecodedDataset = {
    name: source.name,
    matrix,
    width: manifest.width,
    height: manifest.height,
    names: manifest.files,
    skipped: manifest.skipped,
    // Packing stops at the limit, so past it the file count is all that is known.
    availableSamples: limit !== undefined && matrix.samples >= limit ? entries.length : matrix.samples,
  };
  await writeCached(key, dataset).catch((error: unknown) => {
    options.onWarning(new Error(`storing the decoded images in the browser's cache failed (${String(error)}); the next reload decodes them again`));
  });
  return { dataset, fromCache: false };
}

/** Names a file list by its top folder when all files share one, else by its size. */
function describeFiles(names: string[]): string {
  const tops = new Set(names.map((name) => (name.includes('/') ? name.slice(0, name.indexOf('/')) : '')));
  const [top] = tops;
  if (tops.size === 1 && top) return top;
  return names.length === 1 ? names[0] : `${names.length} files`;
}
