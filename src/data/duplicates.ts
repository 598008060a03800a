/**
 * Exact-copy detection among the rows of V. Rows are bucketed by a 64-bit
 * content hash and then compared byte by byte, so a hash collision can
 * never merge two different rows.
 */
import type { U8Matrix } from '../nmf/matrix.ts';

/** A content hash of `length` bytes from `offset`. */
export type RowHash = (bytes: Uint8Array, offset: number, length: number) => string;

/**
 * Hashes `length` bytes from `offset` to 16 hex digits: 32-bit FNV-1a
 * followed by a second, independent 32-bit hash (murmur3's multiply-rotate
 * step per byte with its finaliser). The hash identifies candidates for
 * exact copies, not content in general. It is not cryptographic.
 */
export function hashBytes(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  let fnv = 0x811c9dc5;
  let murmur = 0x9747b28c;
  const end = offset + length;
  for (let i = offset; i < end; i++) {
    const byte = bytes[i];
    fnv = Math.imul(fnv ^ byte, 0x01000193);
    let k = Math.imul(byte, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    murmur ^= k;
    murmur = (Math.imul((murmur << 13) | (murmur >>> 19), 5) + 0xe6546b64) | 0;
  }
  murmur ^= length;
  murmur = Math.imul(murmur ^ (murmur >>> 16), 0x85ebca6b);
  murmur = Math.imul(murmur ^ (murmur >>> 13), 0xc2b2ae35);
  murmur ^= murmur >>> 16;
  return hex32(fnv) + hex32(murmur);
}

/** Returns the content hash of every row of V, in row order (see `hashBytes`). */
export function hashRows(matrix: U8Matrix): string[] {
  const hashes: string[] = [];
  for (let row = 0; row < matrix.samples; row++) {
    hashes.push(hashBytes(matrix.data, row * matrix.features, matrix.features));
  }
  return hashes;
}

/**
 * Groups the rows of V that are byte-identical. Returns only groups of two
 * or more rows, each sorted ascending, and the groups ordered by their
 * first row. Rows whose hashes match but whose bytes differ land in
 * different groups. `hash` defaults to `hashBytes`; the tests pass a
 * colliding one to show that bytes, not hashes, decide.
 *
 * @example
 * findDuplicateRows(matrix); // [[3, 9304], [17, 9410, 12001]]
 */
export function findDuplicateRows(matrix: U8Matrix, hash: RowHash = hashBytes): number[][] {
  const { data, features } = matrix;
  // Each hash maps to the groups of identical rows that have it: usually one group.
  const buckets = new Map<string, number[][]>();
  for (let row = 0; row < matrix.samples; row++) {
    const key = hash(data, row * features, features);
    const groups = buckets.get(key);
    if (!groups) {
      buckets.set(key, [[row]]);
      continue;
    }
    const same = groups.find((group) => rowsEqual(data, features, group[0], row));
    if (same) same.push(row);
    else groups.push([row]);
  }

  const duplicates: number[][] = [];
  for (const groups of buckets.values()) {
    for (const group of groups) if (group.length > 1) duplicates.push(group);
  }
  return duplicates.sort((a, b) => a[0] - b[0]);
}

function rowsEqual(data: Uint8Array, features: number, a: number, b: number): boolean {
  const offsetA = a * features;
  const offsetB = b * features;
  for (let i = 0; i < features; i++) {
    if (data[offsetA + i] !== data[offsetB + i]) return false;
  }
  return true;
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
