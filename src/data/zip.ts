import { unzipSync } from 'fflate';
import { ImageDecodeError } from './image.ts';
import { isIgnoredName, type ImageEntry } from './pack.ts';

/**
 * Largest uncompressed size, in bytes, of a zip entry that is extracted.
 * Larger entries are skipped, because fflate allocates the declared size up
 * front and no image within the decoders' pixel limit needs more.
 */
export const MAX_ZIP_ENTRY_BYTES = 256 * 1024 * 1024;

/** Compression methods fflate extracts: 0 (stored) and 8 (deflate). */
const EXTRACTABLE_METHODS = new Set([0, 8]);

/**
 * Returns the files of a zip archive as packing entries, using fflate in
 * Node and in the browser alike. Folders, hidden files and `__MACOSX/`
 * entries are left out. Entries that cannot be extracted (another
 * compression method, or over `MAX_ZIP_ENTRY_BYTES`) stay in the list and
 * are skipped with that reason when packed.
 *
 * NOTE: every extracted entry is decompressed at once and held in memory,
 * because fflate has no random access to single entries.
 *
 * Throws when the archive is invalid or an entry fails to decompress,
 * naming `source` and the last entry read.
 */
export function listZipEntries(zipBytes: Uint8Array, source: string): ImageEntry[] {
  const rejected: ImageEntry[] = [];
  let current = '';
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zipBytes, {
      filter(file) {
        if (file.name.endsWith('/') || isIgnoredName(file.name)) return false;
        const reason = extractionProblem(file.compression, file.originalSize);
        if (reason) {
          rejected.push({ name: file.name, bytes: () => Promise.reject(new ImageDecodeError(reason)) });
          return false;
        }
        current = file.name;
        return true;
      },
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const last = current ? ` (last entry read: ${current})` : '';
    throw new Error(
      `Failed to extract ${source}${last}: ${detail}. Check that the file is a complete, valid zip archive.`,
      { cause: error },
    );
  }

  const extracted = Object.entries(files).map(([name, bytes]): ImageEntry => ({ name, bytes }));
  return [...extracted, ...rejected];
}

/** Returns why an entry cannot be extracted, or null when it can. */
function extractionProblem(method: number, originalSize: number): string | null {
  if (!EXTRACTABLE_METHODS.has(method)) {
    return `the zip entry uses compression method ${method}; only stored (0) and deflate (8) entries are read`;
  }
  if (originalSize > MAX_ZIP_ENTRY_BYTES) {
    return `the zip entry is ${originalSize} bytes uncompressed, over the limit of ${MAX_ZIP_ENTRY_BYTES} bytes`;
  }
  return null;
}

/** Returns true when `bytes` starts like a zip archive (a local file header or an empty archive's end record). */
export function isZipArchive(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) return false;
  return (bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06);
}
