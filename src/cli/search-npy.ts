/**
 * A minimal reader of the 2-D float32 .npy files that `catlab train` writes
 * (W.npy, H.npy), for `catlab search` alone.
 *
 * TODO: replace with the .npy reader of src/data (decodeNpy/readNpyFile)
 * once that module is on this branch, and delete this file.
 *
 * Format: the magic `\x93NUMPY`, a version byte pair, the header length (u16
 * in version 1, u32 in versions 2 and 3), a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, then the data.
 */

/** A row-major float32 matrix read from a .npy file. */
export interface Float32Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

const MAGIC = '\x93NUMPY';

/** Parses `bytes` of a C-order little-endian float32 2-D .npy file; `name` appears in errors. */
export function parseNpyFloat32(bytes: Uint8Array, name: string): Float32Matrix {
  const latin1 = (start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));
  if (bytes.length < 10 || latin1(0, 6) !== MAGIC) {
    throw new Error(`${name} is not a .npy file: it does not start with the \\x93NUMPY magic`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    throw new Error(`${name} is .npy version ${major}.${bytes[7]}; versions 1 to 3 are read`);
  }
  const header = latin1(headerStart, headerStart + headerLength);

  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  if (descr !== '<f4') {
    throw new Error(`${name} has dtype '${descr}'; catlab search reads float32 ('<f4'), as catlab train writes`);
  }
  if (!/'fortran_order':\s*False/.test(header)) {
    throw new Error(`${name} is stored in Fortran order; save it in C order (numpy.ascontiguousarray)`);
  }
  const shape = /'shape':\s*\((\d+),\s*(\d+),?\s*\)/.exec(header);
  if (!shape) {
    throw new Error(`${name} is not a 2-D array: its header reads ${header.trim()}`);
  }
  const rows = Number(shape[1]);
  const cols = Number(shape[2]);

  const dataStart = headerStart + headerLength;
  const expected = rows * cols * 4;
  if (bytes.length - dataStart !== expected) {
    throw new Error(`${name} is ${rows} × ${cols} float32 (${expected} bytes of data) but contains ${bytes.length - dataStart} bytes of data`);
  }
  // Copy, because the data need not start at a multiple of 4 bytes within `bytes.buffer`.
  const data = new Float32Array(rows * cols);
  new Uint8Array(data.buffer).set(bytes.subarray(dataStart));
  return { rows, cols, data };
}
