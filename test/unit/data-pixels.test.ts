import { describe, expect, it } from 'vitest';
import { toGrayscale } from '../../src/data/grayscale.ts';
import type { GrayImage } from '../../src/data/image.ts';
import { toGrayRow } from '../../src/data/pack.ts';
import { resizeGray } from '../../src/data/resize.ts';
import { createRandom } from '../../src/nmf/random.ts';
import { colourPattern, findPython, makeRgba, runPython, titleUnless } from './data-fixtures.ts';

function gray(width: number, height: number, value: (x: number, y: number) => number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
  return { width, height, data };
}

function randomGray(width: number, height: number, seed: number): GrayImage {
  const random = createRandom(seed);
  return gray(width, height, () => Math.floor(random.uniform() * 256));
}

describe('toGrayscale', () => {
  it('uses the ITU-R 601 fixed-point weights', () => {
    const cases: [[number, number, number], number][] = [
      [[255, 0, 0], 76],
      [[0, 255, 0], 150],
      [[0, 0, 255], 29],
      [[255, 255, 255], 255],
      [[0, 0, 0], 0],
      [[10, 20, 30], 18],
      [[200, 100, 50], 124],
      [[1, 1, 2], 1],
    ];
    for (const [[r, g, b], expected] of cases) {
      const image = makeRgba(1, 1, () => [r, g, b, 255]);
      expect(toGrayscale(image).data[0], `RGB ${r},${g},${b}`).toBe(expected);
    }
  });

  it('keeps gray values and ignores alpha', () => {
    const image = makeRgba(256, 2, (x, y) => [x, x, x, y === 0 ? 255 : x]);
    const result = toGrayscale(image);
    for (let x = 0; x < 256; x++) {
      expect(result.data[x]).toBe(x);
      expect(result.data[256 + x]).toBe(x);
    }
  });
});

describe('resizeGray', () => {
  it('keeps a constant image constant', () => {
    const shapes: [number, number, number, number][] = [
      [80, 50, 64, 64],
      [128, 128, 64, 64],
      [50, 30, 64, 64],
      [200, 7, 64, 64],
      [3, 3, 17, 5],
    ];
    for (const [inWidth, inHeight, outWidth, outHeight] of shapes) {
      for (const value of [0, 1, 137, 255]) {
        const result = resizeGray(gray(inWidth, inHeight, () => value), outWidth, outHeight);
        expect(result.width).toBe(outWidth);
        expect(result.height).toBe(outHeight);
        expect(new Set(result.data), `${inWidth}x${inHeight} -> ${outWidth}x${outHeight} of ${value}`).toEqual(new Set([value]));
      }
    }
  });

  it('averages a checkerboard on a 128x128 -> 64x64 downscale', () => {
    const result = resizeGray(gray(128, 128, (x, y) => ((x + y) % 2) * 255), 64, 64);
    let sum = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const value = result.data[y * 64 + x];
        sum += value;
        // 127.5 rounds up; the border rows and columns lack one neighbour, so their kernel is lopsided.
        if (x > 0 && x < 63 && y > 0 && y < 63) expect(value, `pixel ${x},${y}`).toBe(128);
        expect(Math.abs(value - 127.5), `pixel ${x},${y}`).toBeLessThan(25);
      }
    }
    expect(Math.abs(sum / 4096 - 127.5)).toBeLessThan(1);
  });

  it('widens the kernel on a 256x256 -> 64x64 downscale', () => {
    // One bright column in four. A kernel of fixed width that samples at the
    // output centres would read only dark columns, but the widened one averages all four.
    const result = resizeGray(gray(256, 256, (x) => (x % 4 === 0 ? 255 : 0)), 64, 64);
    for (let y = 0; y < 64; y++) {
      for (let x = 1; x < 63; x++) expect(result.data[y * 64 + x], `pixel ${x},${y}`).toBe(64);
    }
  });

  it('interpolates linearly when upscaling', () => {
    const result = resizeGray(gray(2, 1, (x) => x * 200), 4, 1);
    // Output centres fall at input coordinates 0.25, 0.75, 1.25 and 1.75 (pixel
    // centres at 0.5 and 1.5), and the edges clamp.
    expect([...result.data]).toEqual([0, 50, 150, 200]);
  });

  it('copies an image of the target size unchanged', () => {
    const image = randomGray(64, 64, 1);
    const result = resizeGray(image, 64, 64);
    expect(result.data).toEqual(image.data);
    expect(result.data).not.toBe(image.data);
  });

  it('rejects an invalid target size', () => {
    expect(() => resizeGray(randomGray(4, 4, 2), 0, 4)).toThrow(/width 0 is invalid/);
    expect(() => resizeGray(randomGray(4, 4, 2), 4, 2.5)).toThrow(/height 2.5 is invalid/);
  });
});

const pillow = findPython('PIL');

const pillowTitle = titleUnless('pixels match Pillow', pillow, 'no python3 imports PIL; apt-get install python3-pil');

describe.skipIf(!pillow)(pillowTitle, () => {
  // Reads raw pixels from stdin and writes Pillow's result to stdout.
  const resizeScript = `
import sys
from PIL import Image
w, h, ow, oh = map(int, sys.argv[1:5])
image = Image.frombytes('L', (w, h), sys.stdin.buffer.read())
sys.stdout.buffer.write(image.resize((ow, oh), Image.BILINEAR).tobytes())
`;
  const grayscaleScript = `
import sys
from PIL import Image
w, h = map(int, sys.argv[1:3])
sys.stdout.buffer.write(Image.frombytes('RGBA', (w, h), sys.stdin.buffer.read()).convert('L').tobytes())
`;

  it('resize matches Image.resize BILINEAR exactly', () => {
    const shapes: [number, number, number, number][] = [
      [80, 50, 64, 64],
      [128, 128, 64, 64],
      [37, 91, 64, 64],
      [64, 20, 64, 64],
      [300, 200, 64, 64],
      [64, 64, 32, 48],
      [10, 7, 64, 64],
    ];
    shapes.forEach(([width, height, outWidth, outHeight], index) => {
      const image = randomGray(width, height, 100 + index);
      const expected = runPython(pillow as string, resizeScript, [width, height, outWidth, outHeight].map(String), image.data);
      const actual = resizeGray(image, outWidth, outHeight).data;
      expect(Buffer.from(actual).equals(expected), `${width}x${height} -> ${outWidth}x${outHeight}`).toBe(true);
    });
  });

  it("grayscale matches convert('L') exactly", () => {
    const image = colourPattern(97, 53, true);
    const expected = runPython(pillow as string, grayscaleScript, ['97', '53'], image.data);
    expect(Buffer.from(toGrayscale(image).data).equals(expected)).toBe(true);
  });

  it("grayscale then resize matches convert('L').resize", () => {
    const image = colourPattern(80, 50);
    const script = `${grayscaleScript.replace('.tobytes())', '.resize((64, 64), Image.BILINEAR).tobytes())')}`;
    const expected = runPython(pillow as string, script, ['80', '50'], image.data);
    expect(Buffer.from(toGrayRow(image, 64, 64)).equals(expected)).toBe(true);
  });
});
