import { describe, expect, it } from 'vitest';
import { findDuplicateRows, hashBytes, hashRows } from '../../src/data/duplicates.ts';
import type { U8Matrix } from '../../src/nmf/matrix.ts';

function matrixOf(rows: number[][]): U8Matrix {
  return { samples: rows.length, features: rows[0].length, data: Uint8Array.from(rows.flat()) };
}

describe('hashBytes', () => {
  it('starts with the FNV-1a 32-bit hash', () => {
    const ascii = (text: string) => new TextEncoder().encode(text);
    // Published FNV-1a test vectors.
    expect(hashBytes(ascii('')).slice(0, 8)).toBe('811c9dc5');
    expect(hashBytes(ascii('a')).slice(0, 8)).toBe('e40c292c');
    expect(hashBytes(ascii('foobar')).slice(0, 8)).toBe('bf9cf968');
  });

  it('hashes only the given range', () => {
    const bytes = Uint8Array.from([9, 1, 2, 3, 9]);
    expect(hashBytes(bytes, 1, 3)).toBe(hashBytes(Uint8Array.from([1, 2, 3])));
    expect(hashBytes(bytes, 1, 3)).not.toBe(hashBytes(Uint8Array.from([1, 2, 4])));
    expect(hashBytes(bytes)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('tells apart rows that differ in one byte', () => {
    const base = new Uint8Array(4096);
    const seen = new Set([hashBytes(base)]);
    for (let i = 0; i < 4096; i += 97) {
      const changed = base.slice();
      changed[i] = 1;
      seen.add(hashBytes(changed));
    }
    expect(seen.size).toBe(1 + Math.ceil(4096 / 97));
  });
});

describe('findDuplicateRows', () => {
  const rows = [
    [1, 2, 3],
    [4, 5, 6],
    [1, 2, 3],
    [7, 8, 9],
    [4, 5, 6],
    [1, 2, 3],
    [0, 0, 0],
  ];

  it('groups identical rows', () => {
    expect(findDuplicateRows(matrixOf(rows))).toEqual([
      [0, 2, 5],
      [1, 4],
    ]);
  });

  it('returns no groups when rows are unique', () => {
    expect(findDuplicateRows(matrixOf([[1], [2], [3]]))).toEqual([]);
  });

  it('never merges rows whose hashes collide', () => {
    const collidingHash = () => 'same';
    expect(findDuplicateRows(matrixOf(rows), collidingHash)).toEqual([
      [0, 2, 5],
      [1, 4],
    ]);
  });

  it('hashRows gives equal hashes to equal rows', () => {
    const hashes = hashRows(matrixOf(rows));
    expect(hashes).toHaveLength(rows.length);
    expect(hashes[0]).toBe(hashes[2]);
    expect(hashes[1]).toBe(hashes[4]);
    expect(new Set(hashes).size).toBe(4);
  });
});
