import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';
import { zipSync, type ZipOptions } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeDecoder } from '../../src/data/decode-node.ts';
import { crc32, formatCrc32 } from '../../src/data/crc32.ts';
import { loadImages } from '../../src/data/node.ts';
import { packImages, type ImageEntry } from '../../src/data/pack.ts';
import { readZipDirectory } from '../../src/data/zip-directory.ts';
import { listZipEntries, MAX_ZIP_ENTRY_BYTES } from '../../src/data/zip.ts';
import { colourPattern, concat, encodeJpeg, encodePng, findPython, makeTempDir, runPython } from './data-fixtures.ts';

const pngBytes = encodePng(colourPattern(64, 64), 2);
const jpegBytes = encodeJpeg(colourPattern(64, 64));
const otherJpegBytes = encodeJpeg(colourPattern(48, 40));

const temp = makeTempDir('zip');
afterAll(() => temp.remove());

/** Writes `zip` to a new file in the temporary folder and returns its path. */
function writeZip(name: string, zip: Uint8Array): string {
  const path = join(temp.path, name);
  writeFileSync(path, zip);
  return path;
}

/**
 * Returns the offset and length of an entry's data, found by scanning for its
 * local file header, so the tests locate data independently of src/data.
 */
function findEntryData(zip: Uint8Array, name: string): { start: number; length: number } {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const encoded = new TextEncoder().encode(name);
  for (let offset = 0; offset + 30 <= zip.length; offset++) {
    if (view.getUint32(offset, true) !== 0x04034b50) continue;
    const nameLength = view.getUint16(offset + 26, true);
    const entryName = zip.subarray(offset + 30, offset + 30 + nameLength);
    if (nameLength !== encoded.length || !entryName.every((byte, i) => byte === encoded[i])) continue;
    const start = offset + 30 + nameLength + view.getUint16(offset + 28, true);
    return { start, length: view.getUint32(offset + 18, true) };
  }
  throw new Error(`test setup: zip entry ${name} not found`);
}

/** Returns the offset of an entry's central directory header. */
function findCentralHeader(zip: Uint8Array, name: string): number {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const encoded = new TextEncoder().encode(name);
  for (let offset = 0; offset + 46 <= zip.length; offset++) {
    if (view.getUint32(offset, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(offset + 28, true);
    const entryName = zip.subarray(offset + 46, offset + 46 + nameLength);
    if (nameLength === encoded.length && entryName.every((byte, i) => byte === encoded[i])) return offset;
  }
  throw new Error(`test setup: central header of ${name} not found`);
}

/** Zips `files` with fflate and flips a few bytes in the middle of the data of entry `target`. */
function zipWithCorruptEntry(files: Record<string, Uint8Array>, target: string, options: ZipOptions): Uint8Array {
  const zip = zipSync(files, options);
  const { start, length } = findEntryData(zip, target);
  for (const position of [0.5, 0.55, 0.6]) zip[start + Math.floor(length * position)] ^= 0x10;
  return zip;
}

interface RawEntry {
  name: string | Uint8Array;
  data: Uint8Array;
  flags?: number;
  /** Uncompressed size written to the headers, when it should differ from the data's length. */
  declaredSize?: number;
}

/**
 * Builds a zip of stored entries by hand, for layouts fflate cannot write:
 * duplicate names, raw name bytes, flags, and zip64 records. With `zip64`,
 * every size and offset in the central directory is moved into a zip64
 * extra field and the end records are written in their zip64 form.
 */
function buildStoredZip(entries: RawEntry[], zip64 = false): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = typeof entry.name === 'string' ? new TextEncoder().encode(entry.name) : entry.name;
    const size = entry.declaredSize ?? entry.data.length;
    const crc = zlibCrc32(entry.data);

    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, entry.flags ?? 0, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, entry.data.length, true);
    local.setUint32(22, size, true);
    local.setUint16(26, name.length, true);
    parts.push(new Uint8Array(local.buffer), name, entry.data);

    const extra = new DataView(new ArrayBuffer(zip64 ? 28 : 0));
    if (zip64) {
      extra.setUint16(0, 0x0001, true);
      extra.setUint16(2, 24, true);
      extra.setBigUint64(4, BigInt(size), true);
      extra.setBigUint64(12, BigInt(entry.data.length), true);
      extra.setBigUint64(20, BigInt(offset), true);
    }
    const header = new DataView(new ArrayBuffer(46));
    header.setUint32(0, 0x02014b50, true);
    header.setUint16(4, zip64 ? 45 : 20, true);
    header.setUint16(6, zip64 ? 45 : 20, true);
    header.setUint16(8, entry.flags ?? 0, true);
    header.setUint32(16, crc, true);
    header.setUint32(20, zip64 ? 0xffffffff : entry.data.length, true);
    header.setUint32(24, zip64 ? 0xffffffff : size, true);
    header.setUint16(28, name.length, true);
    header.setUint16(30, extra.byteLength, true);
    header.setUint32(42, zip64 ? 0xffffffff : offset, true);
    central.push(new Uint8Array(header.buffer), name, new Uint8Array(extra.buffer));
    offset += 30 + name.length + entry.data.length;
  }

  const directory = concat(central);
  const records: Uint8Array[] = [];
  if (zip64) {
    const end64 = new DataView(new ArrayBuffer(56));
    end64.setUint32(0, 0x06064b50, true);
    end64.setBigUint64(4, 44n, true);
    end64.setUint16(12, 45, true);
    end64.setUint16(14, 45, true);
    end64.setBigUint64(24, BigInt(entries.length), true);
    end64.setBigUint64(32, BigInt(entries.length), true);
    end64.setBigUint64(40, BigInt(directory.length), true);
    end64.setBigUint64(48, BigInt(offset), true);
    const locator = new DataView(new ArrayBuffer(20));
    locator.setUint32(0, 0x07064b50, true);
    locator.setBigUint64(8, BigInt(offset + directory.length), true);
    locator.setUint32(16, 1, true);
    records.push(new Uint8Array(end64.buffer), new Uint8Array(locator.buffer));
  }
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, zip64 ? 0xffff : entries.length, true);
  end.setUint16(10, zip64 ? 0xffff : entries.length, true);
  end.setUint32(12, zip64 ? 0xffffffff : directory.length, true);
  end.setUint32(16, zip64 ? 0xffffffff : offset, true);
  records.push(new Uint8Array(end.buffer));
  return concat([...parts, directory, ...records]);
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('matches zlib on data and across chunks', () => {
    const data = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 2654435761) >>> 24);
    expect(crc32(data)).toBe(zlibCrc32(data));
    expect(crc32(data.subarray(40_000), crc32(data.subarray(0, 40_000)))).toBe(zlibCrc32(data));
  });

  it('formats as 8 hex digits', () => {
    expect(formatCrc32(0x1a2b3c4d)).toBe('1a2b3c4d');
    expect(formatCrc32(0xbeef)).toBe('0000beef');
  });
});

describe('corrupt zip entries', () => {
  const files = { 'a.png': pngBytes, 'b.jpg': jpegBytes, 'c.jpg': otherJpegBytes };

  it('stored entry with CRC-32 mismatch', async () => {
    const zip = zipWithCorruptEntry(files, 'b.jpg', { level: 0 });
    const { start, length } = findEntryData(zip, 'b.jpg');
    const computed = formatCrc32(zlibCrc32(zip.subarray(start, start + length)));
    const { manifest } = await loadImages(writeZip('stored-corrupt.zip', zip));
    expect(manifest.files).toEqual(['a.png', 'c.jpg']);
    expect(manifest.skipped).toEqual([
      {
        name: 'b.jpg',
        reason: `corrupt zip entry: CRC-32 mismatch (stored ${formatCrc32(zlibCrc32(jpegBytes))}, computed ${computed})`,
      },
    ]);
  });

  it('deflated entry with flipped bytes', async () => {
    const zip = zipWithCorruptEntry(files, 'b.jpg', { level: 6 });
    const { manifest } = await loadImages(writeZip('deflated-corrupt.zip', zip));
    expect(manifest.files).toEqual(['a.png', 'c.jpg']);
    expect(manifest.skipped.map((skip) => skip.name)).toEqual(['b.jpg']);
    expect(manifest.skipped[0].reason).toMatch(/^corrupt zip entry: (CRC-32 mismatch|invalid deflate data|the data )/);
  });

  it('deflated entry with wrong stored CRC-32', async () => {
    const zip = zipSync(files, { level: 6 });
    const header = findCentralHeader(zip, 'c.jpg');
    new DataView(zip.buffer).setUint32(header + 16, 0x1a2b3c4d, true);
    const { manifest } = await loadImages(writeZip('wrong-crc.zip', zip));
    expect(manifest.files).toEqual(['a.png', 'b.jpg']);
    expect(manifest.skipped).toEqual([
      {
        name: 'c.jpg',
        reason: `corrupt zip entry: CRC-32 mismatch (stored 1a2b3c4d, computed ${formatCrc32(zlibCrc32(otherJpegBytes))})`,
      },
    ]);
  });

  it('entry with invalid deflate data', async () => {
    const zip = zipSync(files, { level: 6 });
    const { start, length } = findEntryData(zip, 'c.jpg');
    // Block type 3 is reserved, so the first byte 0xff makes the stream invalid at once.
    zip.fill(0xff, start, start + length);
    const { manifest } = await loadImages(writeZip('not-deflate.zip', zip));
    expect(manifest.files).toEqual(['a.png', 'b.jpg']);
    expect(manifest.skipped).toEqual([
      { name: 'c.jpg', reason: 'corrupt zip entry: invalid deflate data (fflate: invalid block type)' },
    ]);
  });

  it('entry larger than its declared size', async () => {
    const zip = zipSync(files, { level: 6 });
    const header = findCentralHeader(zip, 'a.png');
    new DataView(zip.buffer).setUint32(header + 24, pngBytes.length - 10, true);
    const { manifest } = await loadImages(writeZip('short-size.zip', zip));
    expect(manifest.files).toEqual(['b.jpg', 'c.jpg']);
    expect(manifest.skipped.map((skip) => skip.name)).toEqual(['a.png']);
    expect(manifest.skipped[0].reason).toMatch(/^corrupt zip entry: CRC-32 mismatch \(stored [0-9a-f]{8}, computed /);
  });

  it('entry smaller than its declared size', async () => {
    const zip = zipSync(files, { level: 6 });
    const header = findCentralHeader(zip, 'a.png');
    new DataView(zip.buffer).setUint32(header + 24, pngBytes.length + 10, true);
    const { manifest } = await loadImages(writeZip('long-size.zip', zip));
    expect(manifest.files).toEqual(['b.jpg', 'c.jpg']);
    expect(manifest.skipped).toEqual([
      {
        name: 'a.png',
        reason:
          `corrupt zip entry: the data inflates to ${pngBytes.length} bytes, ` +
          `but the central directory declares ${pngBytes.length + 10}`,
      },
    ]);
  });
});

describe('zip entries read lazily', () => {
  it('lists entries without decompressing them', () => {
    const zip = zipSync({ 'a.png': pngBytes, 'b.jpg': jpegBytes });
    const entries = listZipEntries(zip, 'test.zip');
    expect(entries.map((entry) => entry.name)).toEqual(['a.png', 'b.jpg']);
    expect(entries.every((entry) => typeof entry.bytes === 'function')).toBe(true);
  });

  it('stops decompressing at the limit', async () => {
    const zip = zipSync({ '1.png': pngBytes, '2.jpg': jpegBytes }, { level: 6 });
    const { start, length } = findEntryData(zip, '2.jpg');
    zip.fill(0xff, start, start + length);
    const path = writeZip('limit.zip', zip);

    const limited = await loadImages(path, { limit: 1 });
    expect(limited.manifest.files).toEqual(['1.png']);
    expect(limited.manifest.skipped).toEqual([]);

    const all = await loadImages(path);
    expect(all.manifest.skipped.map((skip) => skip.name)).toEqual(['2.jpg']);
  });

  it('rejects non-images by their first bytes', async () => {
    // Pseudo-random letters compress to about 12 kB, far more than the first inflation step reads.
    let seed = 1;
    const text = Uint8Array.from({ length: 20_000 }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return 97 + ((seed >>> 16) % 26);
    });
    const zip = zipSync({ 'a.png': pngBytes, 'notes.txt': text }, { level: 6 });
    // Corrupting the second half of the stream shows that only its start was inflated.
    const { start, length } = findEntryData(zip, 'notes.txt');
    expect(length).toBeGreaterThan(4096);
    zip.fill(0xff, start + (length >> 1), start + length);
    const { manifest } = await loadImages(writeZip('text.zip', zip));
    expect(manifest.skipped).toEqual([
      { name: 'notes.txt', reason: expect.stringMatching(/^not an image; catlab reads JPEG and PNG/) },
    ]);
  });

  it('packs entries in natural order', async () => {
    const zip = zipSync({ '10.png': pngBytes, '9.jpg': jpegBytes, '1/2.jpg': otherJpegBytes });
    const { manifest } = await packImages(listZipEntries(zip, 'test.zip'), createNodeDecoder(), { source: 'test.zip' });
    expect(manifest.files).toEqual(['1/2.jpg', '9.jpg', '10.png']);
  });
});

describe('zip entries that are not read', () => {
  async function skipReasons(entries: RawEntry[]): Promise<[string, string][]> {
    const listed: ImageEntry[] = listZipEntries(buildStoredZip(entries), 'test.zip');
    const reasons: [string, string][] = [];
    for (const entry of listed) {
      if (typeof entry.bytes !== 'function') throw new Error('test setup: expected lazy entries');
      await entry.bytes().then(
        () => reasons.push([entry.name, 'read']),
        (error: Error) => reasons.push([entry.name, error.message]),
      );
    }
    return reasons;
  }

  it('skips encrypted entries', async () => {
    expect(await skipReasons([{ name: 'a.png', data: pngBytes, flags: 1 }])).toEqual([
      ['a.png', 'the zip entry is encrypted; catlab reads only unencrypted entries'],
    ]);
  });

  it('skips entries over the size limit', async () => {
    const declaredSize = MAX_ZIP_ENTRY_BYTES + 1;
    expect(await skipReasons([{ name: 'big.png', data: pngBytes, declaredSize }])).toEqual([
      ['big.png', `the zip entry is ${declaredSize} bytes uncompressed, over the limit of ${MAX_ZIP_ENTRY_BYTES} bytes`],
    ]);
  });

  it('reads the last of duplicate names', async () => {
    expect(
      await skipReasons([
        { name: 'a.png', data: pngBytes },
        { name: 'a.png', data: jpegBytes },
      ]),
    ).toEqual([
      ['a.png', 'a later entry in the zip has the same name, and only the last one is read'],
      ['a.png', 'read'],
    ]);
  });

  it('stored entry with unequal sizes', async () => {
    const [[, reason]] = await skipReasons([{ name: 'a.png', data: pngBytes, declaredSize: pngBytes.length + 1 }]);
    expect(reason).toBe(
      `corrupt zip entry: the entry is stored uncompressed, but its compressed size ${pngBytes.length} ` +
        `differs from its uncompressed size ${pngBytes.length + 1}`,
    );
  });
});

describe('zip directory', () => {
  it('reads zip64 sizes and offsets', async () => {
    const zip = buildStoredZip(
      [
        { name: 'a.png', data: pngBytes },
        { name: 'b.jpg', data: jpegBytes },
      ],
      true,
    );
    expect(readZipDirectory(zip).map(({ name, compressedSize }) => [name, compressedSize])).toEqual([
      ['a.png', pngBytes.length],
      ['b.jpg', jpegBytes.length],
    ]);
    const { manifest } = await loadImages(writeZip('zip64.zip', zip));
    expect(manifest.files).toEqual(['a.png', 'b.jpg']);
    expect(manifest.skipped).toEqual([]);
  });

  const python = findPython('zipfile');
  it.skipIf(!python)('zip64 test archive is valid for Python', () => {
    const zip = buildStoredZip([{ name: 'a.png', data: pngBytes }], true);
    const script = 'import io, sys, zipfile\nz = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\nprint(z.testzip(), z.namelist())';
    expect(runPython(python as string, script, [], zip).toString().trim()).toBe("None ['a.png']");
  });

  it('decodes names by their flag and content', () => {
    const cp437 = Uint8Array.of(0x63, 0x61, 0x66, 0x82, 0x2e, 0x70, 0x6e, 0x67); // "caf" 0x82 ".png": 0x82 is é in code page 437
    const entries = readZipDirectory(
      buildStoredZip([
        { name: 'flagged-é.png', data: pngBytes, flags: 1 << 11 },
        { name: 'unflagged-é.png', data: pngBytes },
        { name: cp437, data: pngBytes },
      ]),
    );
    expect(entries.map((entry) => entry.name)).toEqual(['flagged-é.png', 'unflagged-é.png', 'café.png']);
  });

  it('lists no folders or hidden entries', () => {
    const zip = zipSync({ 'cats/': new Uint8Array(0), 'cats/a.png': pngBytes, '__MACOSX/cats/._a.png': pngBytes, '.x.png': pngBytes });
    expect(listZipEntries(zip, 'test.zip').map((entry) => entry.name)).toEqual(['cats/a.png']);
  });

  it('rejects archives without a readable directory', () => {
    const zip = zipSync({ 'a.png': pngBytes });
    const cases: [string, Uint8Array, string][] = [
      ['truncated', zip.subarray(0, 40), 'the end of central directory record was not found'],
      ['directory moved', (() => {
        const moved = zip.slice();
        new DataView(moved.buffer).setUint32(moved.length - 6, 1, true);
        return moved;
      })(), 'central directory entry 1 at offset 1 is missing or invalid'],
      ['split', (() => {
        const split = zip.slice();
        new DataView(split.buffer).setUint16(split.length - 18, 1, true);
        return split;
      })(), 'the archive is split across several files'],
    ];
    for (const [name, bytes, message] of cases) {
      expect(() => listZipEntries(bytes, 'cats.zip'), name).toThrow(
        new RegExp(`^Invalid zip archive cats\\.zip: ${message}.*Check that the file is a complete, valid zip archive\\.$`),
      );
    }
  });

  it('reads a deflated entry written by zlib', async () => {
    // A raw deflate stream from zlib rather than fflate, so inflation does not only see fflate's own output.
    const deflated = deflateRawSync(jpegBytes);
    const zip = zipSync({ 'a.jpg': jpegBytes }, { level: 6 });
    const { start, length } = findEntryData(zip, 'a.jpg');
    const rebuilt = concat([zip.subarray(0, start), deflated, zip.subarray(start + length)]);
    const view = new DataView(rebuilt.buffer);
    const shift = deflated.length - length;
    view.setUint32(18, deflated.length, true);
    const header = findCentralHeader(rebuilt, 'a.jpg');
    view.setUint32(header + 20, deflated.length, true);
    view.setUint32(rebuilt.length - 6, view.getUint32(rebuilt.length - 6, true) + shift, true);
    const { manifest } = await loadImages(writeZip('zlib.zip', rebuilt));
    expect(manifest.files).toEqual(['a.jpg']);
  });
});
