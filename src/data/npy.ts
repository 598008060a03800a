/**
 * NumPy .npy files for 2-D arrays: writing and reading, as bytes, so the
 * browser and Node share it (node.ts adds the file helpers).
 *
 * A .npy file is the magic `\x93NUMPY`, a version (major, minor), the header
 * length, a header that is a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, and then
 * the raw array data. The format is specified in NumPy's documentation of
 * `numpy.lib.format`.
 */
import { formatCount } from './count.ts';
import { NpyHeaderError, parseHeaderDict, type NpyHeader } from './npy-header.ts';

/** Array data of the dtypes catlab reads: uint8, float32 and float64. */
export type NpyData = Uint8Array | Float32Array | Float64Array;

export type NpyDtype = 'uint8' | 'float32' | 'float64';

/** A 2-D array read from a .npy file, C order (row-major). */
export interface NpyArray {
  dtype: NpyDtype;
  shape: [rows: number, cols: number];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Bytes before the header text in version 1.0: magic, two version bytes and a u16 length. */
const V1_PREAMBLE_BYTES = 10;

/** NumPy pads the header so the data starts at a multiple of 64 bytes, which keeps it aligned for memory mapping. */
const HEADER_ALIGNMENT = 64;

const DESCR_BY_DTYPE: Record<NpyDtype, string> = { uint8: '|u1', float32: '<f4', float64: '<f8' };
const ITEM_BYTES: Record<NpyDtype, number> = { uint8: 1, float32: 4, float64: 8 };

/** Descr strings that are read, and their dtype. A single byte has no byte order, so any prefix is accepted for u1. */
const DTYPE_BY_DESCR: Record<string, NpyDtype> = {
  '|u1': 'uint8',
  '<u1': 'uint8',
  '>u1': 'uint8',
  '<f4': 'float32',
  '<f8': 'float64',
};

/**
 * Encodes a 2-D array as a version 1.0 .npy file in C order: uint8 as
 * `'|u1'`, float32 as `'<f4'`, float64 as `'<f8'` (little-endian whatever
 * the host's byte order).
 */
export function encodeNpy(data: NpyData, shape: readonly [number, number]): Uint8Array {
  const [rows, cols] = shape;
  for (const [name, value] of [['rows', rows], ['cols', cols]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`.npy shape ${name} ${value} is invalid; use a non-negative integer`);
    }
  }
  if (data.length !== rows * cols) {
    throw new RangeError(
      `.npy data has ${formatCount(data.length, 'value')}, but shape (${rows}, ${cols}) needs ${rows * cols}`,
    );
  }

  const dtype = dtypeOf(data);
  const dict = `{'descr': '${DESCR_BY_DTYPE[dtype]}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  // Spaces pad the header so that preamble + header, ending in '\n', fills whole 64-byte blocks.
  const unpadded = V1_PREAMBLE_BYTES + dict.length + 1;
  const padding = (HEADER_ALIGNMENT - (unpadded % HEADER_ALIGNMENT)) % HEADER_ALIGNMENT;
  const header = `${dict}${' '.repeat(padding)}\n`;
  const dataOffset = V1_PREAMBLE_BYTES + header.length;

  const bytes = new Uint8Array(dataOffset + data.length * ITEM_BYTES[dtype]);
  bytes.set(MAGIC, 0);
  bytes[6] = 1; // major version
  bytes[7] = 0; // minor version
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[V1_PREAMBLE_BYTES + i] = header.charCodeAt(i);
  writeValues(view, dataOffset, data);
  return bytes;
}

/**
 * Decodes a .npy file of versions 1.0 to 3.0 holding a 2-D C-order array of
 * dtype `|u1`, `<f4` or `<f8`. Throws naming `source` and the value found for
 * anything else: another dtype or byte order, Fortran order, another number
 * of dimensions, or data of the wrong length.
 */
export function decodeNpy(bytes: Uint8Array, source = '.npy data'): NpyArray {
  if (bytes.length < V1_PREAMBLE_BYTES || !MAGIC.every((value, i) => bytes[i] === value)) {
    throw npyError(source, 'not a NumPy .npy file (it does not start with \\x93NUMPY)');
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) {
    throw npyError(source, `.npy format version ${major}.${bytes[7]} is not supported; versions 1.0 to 3.0 are read`);
  }
  // Version 1 stores the header length as u16; versions 2 and 3 as u32, and version 3 allows UTF-8 in the header.
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw npyError(source, 'the file is truncated inside its preamble');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  const dataOffset = headerStart + headerLength;
  if (bytes.length < dataOffset) throw npyError(source, `the file is truncated inside its ${headerLength}-byte header`);
  const headerBytes = bytes.subarray(headerStart, dataOffset);
  const headerText = major === 3 ? new TextDecoder().decode(headerBytes) : latin1(headerBytes);

  let header: NpyHeader;
  try {
    header = parseHeaderDict(headerText);
  } catch (error) {
    if (!(error instanceof NpyHeaderError)) throw error;
    throw npyError(source, `invalid header ${JSON.stringify(headerText.trim())}: ${error.message}`);
  }

  const dtype = DTYPE_BY_DESCR[header.descr];
  if (!dtype) throw npyError(source, describeUnsupportedDescr(header.descr));
  if (header.fortranOrder) {
    throw npyError(
      source,
      'the array is in Fortran (column-major) order; save it in C order, e.g. np.save(path, np.ascontiguousarray(a))',
    );
  }
  if (header.shape.length !== 2) {
    // Python writes a 1-tuple with a trailing comma: (5,).
    const shape = `(${header.shape.join(', ')}${header.shape.length === 1 ? ',' : ''})`;
    throw npyError(source, `the array has shape ${shape}; only 2-D arrays are read`);
  }

  const [rows, cols] = header.shape;
  const expected = rows * cols * ITEM_BYTES[dtype];
  const found = bytes.length - dataOffset;
  if (found < expected) {
    throw npyError(
      source,
      `the data is truncated: shape (${rows}, ${cols}) of ${header.descr} needs ${formatCount(expected, 'byte')}, found ${found}`,
    );
  }
  if (found > expected) {
    const extra = found - expected;
    const follow = extra === 1 ? 'follows' : 'follow';
    throw npyError(
      source,
      `${formatCount(extra, 'byte')} ${follow} the data of shape (${rows}, ${cols}); the file may be corrupt`,
    );
  }

  return { dtype, shape: [rows, cols], data: readValues(view, dataOffset, dtype, rows * cols) };
}

function npyError(source: string, problem: string): Error {
  return new Error(`${source}: ${problem}`);
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  const found = Object.prototype.toString.call(data);
  throw new TypeError(`.npy data must be a Uint8Array, Float32Array or Float64Array, not ${found}`);
}

function describeUnsupportedDescr(descr: string): string {
  const supported = "catlab reads uint8 ('|u1'), float32 ('<f4') and float64 ('<f8')";
  if (descr === '>f4' || descr === '>f8') {
    return `dtype '${descr}' is big-endian; ${supported}. Convert it with a.astype('${descr.replace('>', '<')}')`;
  }
  return `dtype '${descr}' is not supported; ${supported}`;
}

/** Writes values little-endian through a DataView, so the output does not depend on the host's byte order. */
function writeValues(view: DataView, offset: number, data: NpyData): void {
  if (data instanceof Uint8Array) {
    new Uint8Array(view.buffer, view.byteOffset + offset, data.length).set(data);
  } else if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) view.setFloat32(offset + i * 4, data[i], true);
  } else {
    for (let i = 0; i < data.length; i++) view.setFloat64(offset + i * 8, data[i], true);
  }
}

function readValues(view: DataView, offset: number, dtype: NpyDtype, count: number): NpyData {
  if (dtype === 'uint8') return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
  if (dtype === 'float32') {
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getFloat32(offset + i * 4, true);
    return values;
  }
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = view.getFloat64(offset + i * 8, true);
  return values;
}
