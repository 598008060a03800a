/**
 * Reading the central directory of a zip archive: the end of central
 * directory record, the zip64 end record when present, and one 46-byte
 * header per entry. Nothing is decompressed here.
 */

import { formatCount } from './count.ts';

/** One entry of the central directory, with sizes and offsets resolved from zip64 fields where needed. */
export interface ZipDirectoryEntry {
  /** Path inside the archive, with `/` between folders. Folder entries end with `/`. */
  name: string;
  /** Compression method: 0 stored, 8 deflate, others unsupported here. */
  method: number;
  /** General-purpose bit flags, where bit 0 marks an encrypted entry. */
  flags: number;
  /** CRC-32 of the uncompressed data, as stored. */
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the entry's local file header from the start of the archive. */
  localHeaderOffset: number;
}

/** Error for an archive whose directory cannot be read. The message names the problem, not the file. */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

const END_SIGNATURE = 0x06054b50;
const END_LENGTH = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_LENGTH = 20;
const ZIP64_END_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_LENGTH = 46;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_LENGTH = 30;
const ZIP64_EXTRA_ID = 0x0001;
/** A 32-bit field with this value is stored in the zip64 extra field instead. */
const ZIP64_MARKER = 0xffffffff;
/** The end record may be followed by a comment of up to 65535 bytes. */
const MAX_COMMENT_LENGTH = 0xffff;

/** Flag bit 11: the name is UTF-8. Without it the name is in code page 437. */
const FLAG_UTF8 = 1 << 11;

/** Byte layout of the central directory and where it sits. */
interface DirectoryLocation {
  entryCount: number;
  offset: number;
  size: number;
}

/**
 * Reads every entry of the central directory of `zip`, in directory order.
 * Throws `ZipFormatError` when the end record is missing, the archive spans
 * several disks, or the directory lies outside the archive or is malformed.
 */
export function readZipDirectory(zip: Uint8Array): ZipDirectoryEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const location = locateDirectory(view);
  const entries: ZipDirectoryEntry[] = [];
  let offset = location.offset;
  for (let index = 0; index < location.entryCount; index++) {
    const { entry, next } = readCentralHeader(zip, view, offset, index);
    entries.push(entry);
    offset = next;
  }
  return entries;
}

/**
 * Returns the compressed bytes of `entry`, found through its local file
 * header, as a view into `zip`. Throws `ZipFormatError` when the header is
 * missing or the data runs past the end of the archive.
 */
export function entryData(zip: Uint8Array, entry: ZipDirectoryEntry): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const header = entry.localHeaderOffset;
  if (header + LOCAL_LENGTH > zip.length || view.getUint32(header, true) !== LOCAL_SIGNATURE) {
    throw new ZipFormatError(`no local file header at offset ${header}`);
  }
  // The local name and extra field may differ in length from the central ones, so their lengths are read here.
  const start = header + LOCAL_LENGTH + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const end = start + entry.compressedSize;
  if (end > zip.length) {
    throw new ZipFormatError(`the compressed data ends at byte ${end}, past the end of the archive at byte ${zip.length}`);
  }
  return zip.subarray(start, end);
}

function locateDirectory(view: DataView): DirectoryLocation {
  const end = findEndRecord(view);
  if (view.getUint16(end + 4, true) !== 0 || view.getUint16(end + 6, true) !== 0) {
    throw new ZipFormatError('the archive is split across several files (disks), which is not supported');
  }
  const location: DirectoryLocation = {
    entryCount: view.getUint16(end + 10, true),
    size: view.getUint32(end + 12, true),
    offset: view.getUint32(end + 16, true),
  };

  // Zip64 archives put a locator right before the end record, pointing at the zip64 end record.
  const locator = end - ZIP64_LOCATOR_LENGTH;
  if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR_SIGNATURE) {
    const zip64End = readUint64(view, locator + 8, 'zip64 end record offset');
    if (zip64End + 56 > end || view.getUint32(zip64End, true) !== ZIP64_END_SIGNATURE) {
      throw new ZipFormatError(`the zip64 end of central directory record is not at offset ${zip64End}`);
    }
    location.entryCount = readUint64(view, zip64End + 32, 'zip64 entry count');
    location.size = readUint64(view, zip64End + 40, 'zip64 central directory size');
    location.offset = readUint64(view, zip64End + 48, 'zip64 central directory offset');
  }

  if (location.offset + location.size > end) {
    throw new ZipFormatError(
      `the central directory (offset ${location.offset}, ${formatCount(location.size, 'byte')}) ` +
        `extends past its end record at offset ${end}`,
    );
  }
  return location;
}

/** Returns the offset of the end of central directory record, searching back over a possible comment. */
function findEndRecord(view: DataView): number {
  const last = view.byteLength - END_LENGTH;
  const first = Math.max(0, last - MAX_COMMENT_LENGTH);
  for (let offset = last; offset >= first; offset--) {
    if (view.getUint32(offset, true) === END_SIGNATURE) return offset;
  }
  throw new ZipFormatError('the end of central directory record was not found, so the archive is truncated or not a zip');
}

function readCentralHeader(
  zip: Uint8Array,
  view: DataView,
  offset: number,
  index: number,
): { entry: ZipDirectoryEntry; next: number } {
  if (offset + CENTRAL_LENGTH > zip.length || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) {
    throw new ZipFormatError(`central directory entry ${index + 1} at offset ${offset} is missing or invalid`);
  }
  const flags = view.getUint16(offset + 8, true);
  const nameLength = view.getUint16(offset + 28, true);
  const extraLength = view.getUint16(offset + 30, true);
  const commentLength = view.getUint16(offset + 32, true);
  const nameStart = offset + CENTRAL_LENGTH;
  const extraStart = nameStart + nameLength;
  const next = extraStart + extraLength + commentLength;
  if (next > zip.length) {
    throw new ZipFormatError(`central directory entry ${index + 1} at offset ${offset} runs past the end of the archive`);
  }

  const name = decodeName(zip.subarray(nameStart, extraStart), (flags & FLAG_UTF8) !== 0);
  const sizes = resolveZip64(view, extraStart, extraLength, {
    uncompressedSize: view.getUint32(offset + 24, true),
    compressedSize: view.getUint32(offset + 20, true),
    localHeaderOffset: view.getUint32(offset + 42, true),
  });
  const entry: ZipDirectoryEntry = {
    name,
    method: view.getUint16(offset + 10, true),
    flags,
    crc32: view.getUint32(offset + 16, true),
    ...sizes,
  };
  return { entry, next };
}

type EntrySizes = Pick<ZipDirectoryEntry, 'uncompressedSize' | 'compressedSize' | 'localHeaderOffset'>;

/**
 * Replaces the 32-bit fields that hold `ZIP64_MARKER` with their 64-bit
 * values from the zip64 extra field, which lists only the marked fields, in
 * the order uncompressed size, compressed size, local header offset.
 */
function resolveZip64(view: DataView, extraStart: number, extraLength: number, sizes: EntrySizes): EntrySizes {
  const marked = (['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const).filter(
    (field) => sizes[field] === ZIP64_MARKER,
  );
  if (marked.length === 0) return sizes;

  const extraEnd = extraStart + extraLength;
  for (let block = extraStart; block + 4 <= extraEnd; block += 4 + view.getUint16(block + 2, true)) {
    if (view.getUint16(block, true) !== ZIP64_EXTRA_ID) continue;
    const blockLength = view.getUint16(block + 2, true);
    if (blockLength < marked.length * 8 || block + 4 + blockLength > extraEnd) {
      throw new ZipFormatError(`the zip64 extra field at offset ${block} is too short for ${marked.length * 8} bytes of sizes`);
    }
    const resolved = { ...sizes };
    marked.forEach((field, i) => (resolved[field] = readUint64(view, block + 4 + i * 8, `zip64 ${field}`)));
    return resolved;
  }
  throw new ZipFormatError(`an entry's ${marked.join(' and ')} needs a zip64 extra field, but it has none`);
}

function readUint64(view: DataView, offset: number, field: string): number {
  if (offset + 8 > view.byteLength) throw new ZipFormatError(`the ${field} at offset ${offset} is past the end of the archive`);
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ZipFormatError(`the ${field} ${value} is larger than any archive catlab can hold in memory`);
  }
  return Number(value);
}

/** Code page 437 characters for bytes 0x80 to 0xFF: the zip format's encoding of names without the UTF-8 flag. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const utf8 = new TextDecoder('utf-8');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes an entry name. Names without the UTF-8 flag are still read as
 * UTF-8 when they are valid UTF-8, because macOS's Archive Utility writes
 * UTF-8 names without setting the flag. Other names are read as code page 437.
 */
function decodeName(bytes: Uint8Array, flaggedUtf8: boolean): string {
  if (flaggedUtf8) return utf8.decode(bytes);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return Array.from(bytes, (byte) => (byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80])).join('');
  }
}
