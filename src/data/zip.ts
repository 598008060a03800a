import { Inflate, inflateSync } from 'fflate';
import { formatCount } from './count.ts';
import { crc32, formatCrc32 } from './crc32.ts';
import { FORMAT_SIGNATURE_BYTES, ImageDecodeError, requireImageFormat } from './image.ts';
import { isIgnoredName, type ImageEntry } from './pack.ts';
import { entryData, readZipDirectory, ZipFormatError, type ZipDirectoryEntry } from './zip-directory.ts';

/**
 * Largest uncompressed size, in bytes, of a zip entry that is extracted.
 * Larger entries are skipped without decompressing them, because the whole
 * entry is held in memory while it is checked and decoded. An 8-bit RGBA
 * image at the decoders' default limit of 50 megapixels is about 200 MB
 * even stored without compression.
 */
export const MAX_ZIP_ENTRY_BYTES = 256 * 1024 * 1024;

const STORED = 0;
const DEFLATE = 8;

/** Flag bit 0: the entry is encrypted. */
const FLAG_ENCRYPTED = 1;

/**
 * Compressed bytes fed to the inflater at a time while reading an entry's
 * first bytes. Deflate expands at most about 1032 to 1, so one step yields
 * at most about 1 MiB.
 */
const HEAD_INFLATE_STEP = 1024;

/**
 * Returns the files of a zip archive as packing entries whose bytes are
 * read only when packing reaches them, one entry at a time. Works in Node
 * and in the browser alike. Folders, hidden files and `__MACOSX/` entries
 * are left out.
 *
 * Reading an entry first inflates only its leading bytes, so an entry that
 * is not JPEG or PNG is skipped without decompressing the rest of it. An
 * image entry is then decompressed whole and checked against the CRC-32
 * and size in the central directory. Entries that cannot be read
 * (encrypted, another compression method, over `MAX_ZIP_ENTRY_BYTES`,
 * corrupt) stay in the list, and packing skips them with the reason.
 * When several entries share a name, the last one is read and the others
 * are skipped.
 *
 * NOTE: the compressed archive itself stays in memory while packing.
 *
 * Throws when the central directory cannot be read, naming `source`.
 */
export function listZipEntries(zipBytes: Uint8Array, source: string): ImageEntry[] {
  let directory: ZipDirectoryEntry[];
  try {
    directory = readZipDirectory(zipBytes);
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error;
    throw new Error(
      `Invalid zip archive ${source}: ${error.message}. Check that the file is a complete, valid zip archive.`,
      { cause: error },
    );
  }

  const files = directory.filter((entry) => !entry.name.endsWith('/') && !isIgnoredName(entry.name));
  const lastIndexByName = new Map(files.map((entry, index) => [entry.name, index]));
  return files.map((entry, index): ImageEntry => {
    const problem =
      lastIndexByName.get(entry.name) !== index
        ? 'a later entry in the zip has the same name, and only the last one is read'
        : extractionProblem(entry);
    if (problem) return { name: entry.name, bytes: () => Promise.reject(new ImageDecodeError(problem)) };
    return { name: entry.name, bytes: async () => extractEntry(zipBytes, entry) };
  });
}

/** Returns true when `bytes` starts like a zip archive (a local file header or an empty archive's end record). */
export function isZipArchive(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) return false;
  return (bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06);
}

/** Returns why an entry cannot be extracted, or null when it can. */
function extractionProblem(entry: ZipDirectoryEntry): string | null {
  if (entry.flags & FLAG_ENCRYPTED) {
    return 'the zip entry is encrypted; catlab reads only unencrypted entries';
  }
  if (entry.method !== STORED && entry.method !== DEFLATE) {
    return `the zip entry uses compression method ${entry.method}; only stored (0) and deflate (8) entries are read`;
  }
  if (entry.uncompressedSize > MAX_ZIP_ENTRY_BYTES) {
    return `the zip entry is ${entry.uncompressedSize} bytes uncompressed, over the limit of ${MAX_ZIP_ENTRY_BYTES} bytes`;
  }
  return null;
}

/**
 * Decompresses one entry and checks it. Throws `ImageDecodeError` for an
 * entry that is not an image by its first bytes (with the decoder's own
 * reason) or that is corrupt.
 */
function extractEntry(zip: Uint8Array, entry: ZipDirectoryEntry): Uint8Array {
  const compressed = locateData(zip, entry);
  const headLength = Math.min(entry.uncompressedSize, FORMAT_SIGNATURE_BYTES);
  const head = entry.method === STORED ? compressed.subarray(0, headLength) : inflateHead(compressed, headLength);
  if (head.length < headLength) {
    throw corrupt(
      `the data ends after ${formatCount(head.length, 'byte')}, but the central directory declares ${entry.uncompressedSize}`,
    );
  }
  requireImageFormat(head);

  const data = entry.method === STORED ? storedData(compressed, entry) : inflateData(compressed, entry);
  const computed = crc32(data);
  if (computed !== entry.crc32) {
    throw corrupt(`CRC-32 mismatch (stored ${formatCrc32(entry.crc32)}, computed ${formatCrc32(computed)})`);
  }
  return data;
}

function locateData(zip: Uint8Array, entry: ZipDirectoryEntry): Uint8Array {
  try {
    return entryData(zip, entry);
  } catch (error) {
    if (error instanceof ZipFormatError) throw corrupt(error.message);
    throw error;
  }
}

function storedData(compressed: Uint8Array, entry: ZipDirectoryEntry): Uint8Array {
  if (compressed.length !== entry.uncompressedSize) {
    throw corrupt(
      `the entry is stored uncompressed, but its compressed size ${compressed.length} ` +
        `differs from its uncompressed size ${entry.uncompressedSize}`,
    );
  }
  return compressed;
}

function inflateData(compressed: Uint8Array, entry: ZipDirectoryEntry): Uint8Array {
  let data: Uint8Array;
  try {
    // A buffer of the declared size bounds memory: fflate truncates output that would overflow it, and the CRC-32 check then fails.
    data = inflateSync(compressed, { out: new Uint8Array(entry.uncompressedSize) });
  } catch (error) {
    throw corrupt(`invalid deflate data (fflate: ${error instanceof Error ? error.message : String(error)})`, error);
  }
  if (data.length !== entry.uncompressedSize) {
    throw corrupt(
      `the data inflates to ${formatCount(data.length, 'byte')}, but the central directory declares ${entry.uncompressedSize}`,
    );
  }
  return data;
}

/** Inflates only as much of `compressed` as it takes to produce its first `length` bytes, or fewer if it ends first. */
function inflateHead(compressed: Uint8Array, length: number): Uint8Array {
  const head = new Uint8Array(length);
  let filled = 0;
  const inflater = new Inflate((chunk) => {
    const taken = Math.min(chunk.length, length - filled);
    head.set(chunk.subarray(0, taken), filled);
    filled += taken;
  });
  try {
    for (let start = 0; filled < length && start < compressed.length; start += HEAD_INFLATE_STEP) {
      const end = Math.min(start + HEAD_INFLATE_STEP, compressed.length);
      inflater.push(compressed.subarray(start, end), end === compressed.length);
    }
  } catch (error) {
    throw corrupt(`invalid deflate data (fflate: ${error instanceof Error ? error.message : String(error)})`, error);
  }
  return head.subarray(0, filled);
}

function corrupt(problem: string, cause?: unknown): ImageDecodeError {
  return new ImageDecodeError(`corrupt zip entry: ${problem}`, { cause });
}
