/**
 * Files → V in the worker, through the packing code that the CLI shares
 * (src/data): JPEG and PNG files in natural name order, converted to gray
 * and resized by the same rules in Node and the browser. Zips among the
 * files are opened and their entries packed in their place.
 */
import { createBrowserDecoder } from '../../data/decode-browser.ts';
import { packImages, type ImageEntry as PackEntry, type PackResult, type SkippedFile } from '../../data/pack.ts';
import { isZipArchive, listZipEntries } from '../../data/zip.ts';
import type { ImageEntry, ProgressReporter } from './types.ts';

export interface PackFilesOptions {
  /** Label of the files in messages, such as the folder name. */
  source: string;
  /** Side of the square images V is built from, in pixels. */
  size: number;
  /** Pack only the first `limit` images that decode. */
  limit?: number;
  signal?: AbortSignal;
  onProgress: ProgressReporter;
}

const NOT_A_ZIP_REASON = 'not a valid zip archive, because the name ends in .zip but the file lacks the zip signature';

async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * Expands zips into their entries (named `archive.zip/inner/path`); a zip
 * that fails to open is listed as skipped, so the other files still load.
 */
async function expandZips(entries: ImageEntry[]): Promise<{ entries: PackEntry[]; skipped: SkippedFile[] }> {
  const out: PackEntry[] = [];
  const skipped: SkippedFile[] = [];
  for (const entry of entries) {
    if (!entry.name.toLowerCase().endsWith('.zip')) {
      out.push({ name: entry.name, bytes: () => bytesOf(entry.blob) });
      continue;
    }
    const bytes = await bytesOf(entry.blob);
    if (!isZipArchive(bytes)) {
      skipped.push({ name: entry.name, reason: NOT_A_ZIP_REASON });
      continue;
    }
    try {
      // NOTE: listZipEntries inflates the whole archive at once and blocks
      // the worker meanwhile, so poll() waits for a large zip to open.
      for (const inner of listZipEntries(bytes, entry.name)) out.push({ ...inner, name: `${entry.name}/${inner.name}` });
    } catch (error) {
      skipped.push({ name: entry.name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { entries: out, skipped };
}

/** Packs the images among `entries`; files that are not readable images come back in `manifest.skipped`. */
export async function packFiles(entries: ImageEntry[], options: PackFilesOptions): Promise<PackResult> {
  const expanded = await expandZips(entries);
  if (expanded.entries.length === 0 && expanded.skipped.length > 0) {
    // Only zips that failed to open were given, so say why each failed rather than report an empty file list.
    const reasons = expanded.skipped
      .map((skip) => (skip.reason === NOT_A_ZIP_REASON ? `${skip.name} is ${skip.reason}` : `${skip.name} failed to open: ${skip.reason}`))
      .join('. ');
    throw new Error(`${reasons}. Open a zip archive of images or a folder of images.`);
  }
  const result = await packImages(expanded.entries, createBrowserDecoder(), {
    source: options.source,
    size: options.size,
    limit: options.limit,
    signal: options.signal,
    onProgress: (progress) => options.onProgress({ phase: 'decoding', done: progress.files, total: progress.totalFiles }),
  });
  result.manifest.skipped.unshift(...expanded.skipped);
  return result;
}
