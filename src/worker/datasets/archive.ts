/**
 * Zip archives among the files the user opened: each becomes the image
 * entries inside it, named `archive.zip/inner/path.jpg`.
 */
import { unzipSync } from 'fflate';
import type { SkippedFile } from '../protocol.ts';
import type { ImageEntry } from './types.ts';

/**
 * Replaces every `.zip` entry by the files it contains; folders and macOS
 * resource forks are left out, and zips that fail to open are skipped.
 */
export async function expandArchives(entries: ImageEntry[]): Promise<{ entries: ImageEntry[]; skipped: SkippedFile[] }> {
  const out: ImageEntry[] = [];
  const skipped: SkippedFile[] = [];
  for (const entry of entries) {
    if (!entry.name.toLowerCase().endsWith('.zip')) {
      out.push(entry);
      continue;
    }
    const bytes = new Uint8Array(await entry.blob.arrayBuffer());
    let files: Record<string, Uint8Array>;
    try {
      // NOTE: unzipSync blocks the worker while it inflates; a zip of the
      // whole cat set (about 60 MB) holds poll() up for a moment.
      files = unzipSync(bytes, { filter: (file) => !file.name.endsWith('/') && !file.name.startsWith('__MACOSX/') });
    } catch (error) {
      skipped.push({ name: entry.name, reason: `not a readable zip archive: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    for (const [name, data] of Object.entries(files)) {
      out.push({ name: `${entry.name}/${name}`, blob: new Blob([data as Uint8Array<ArrayBuffer>]) });
    }
  }
  return { entries: out, skipped };
}
