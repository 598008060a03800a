import { describe, expect, it } from 'vitest';
import { compareNatural, sortNatural } from '../../src/data/natural-order.ts';

const sorted = (names: string[]) => sortNatural(names, (name) => name);

describe('compareNatural', () => {
  it('orders digit runs by value', () => {
    expect(sorted(['10.jpg', '9b.jpg', '2.jpg', '1.jpg', '100.jpg', '9.jpg', '1a.jpg'])).toEqual([
      '1.jpg',
      '1a.jpg',
      '2.jpg',
      '9.jpg',
      '9b.jpg',
      '10.jpg',
      '100.jpg',
    ]);
  });

  it('compares digit runs longer than a double holds', () => {
    expect(sorted(['100000000000000000001.png', '99999999999999999999.png', '100000000000000000000.png'])).toEqual([
      '99999999999999999999.png',
      '100000000000000000000.png',
      '100000000000000000001.png',
    ]);
  });

  it('breaks leading-zero ties by plain comparison', () => {
    expect(sorted(['1.jpg', '001.jpg', '01.jpg', '2.jpg'])).toEqual(['001.jpg', '01.jpg', '1.jpg', '2.jpg']);
    expect(compareNatural('01.jpg', '1.jpg')).toBeLessThan(0);
    expect(compareNatural('1.jpg', '1.jpg')).toBe(0);
  });

  it('compares text by code unit without locale', () => {
    expect(sorted(['b.jpg', 'a.jpg', 'B.jpg', 'é.jpg', '_.jpg'])).toEqual(['B.jpg', '_.jpg', 'a.jpg', 'b.jpg', 'é.jpg']);
    expect(sorted(['cat1.jpg', 'cat.jpg', 'cat-2.jpg'])).toEqual(['cat-2.jpg', 'cat.jpg', 'cat1.jpg']);
  });

  it('keeps each folder together', () => {
    expect(sorted(['b.jpg', 'a b/1.jpg', 'a/10.jpg', 'a/2.jpg', 'a2/1.jpg', 'a10/1.jpg'])).toEqual([
      'a/2.jpg',
      'a/10.jpg',
      'a b/1.jpg',
      'a2/1.jpg',
      'a10/1.jpg',
      'b.jpg',
    ]);
  });

  it('is a consistent total order', () => {
    const names = ['1', '01', '1a', 'a1', 'a01', 'a', 'A', 'a/1', 'a/01', 'a.b', 'a-1', '2', '10', 'x9y', 'x10y', 'x09y', ''];
    for (const a of names) {
      expect(Math.sign(compareNatural(a, a))).toBe(0);
      for (const b of names) {
        expect(Math.sign(compareNatural(a, b)) + Math.sign(compareNatural(b, a))).toBe(0);
        if (a !== b) expect(compareNatural(a, b)).not.toBe(0);
        for (const c of names) {
          if (compareNatural(a, b) < 0 && compareNatural(b, c) < 0) expect(compareNatural(a, c)).toBeLessThan(0);
        }
      }
    }
  });

  it('sorts the same from any starting order', () => {
    const names = ['10.jpg', '9b.jpg', '2.jpg', '1.jpg', '01.jpg', 'a/3.jpg', 'a/20.jpg'];
    const expected = sorted(names);
    expect(sorted([...names].reverse())).toEqual(expected);
    expect(sorted([...names.slice(3), ...names.slice(0, 3)])).toEqual(expected);
  });
});
