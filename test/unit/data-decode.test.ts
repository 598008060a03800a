import { describe, expect, it } from 'vitest';
import { createNodeDecoder } from '../../src/data/decode-node.ts';
import { ImageDecodeError, detectImageFormat, readImageSize, requireImageFormat } from '../../src/data/image.ts';
import { colourPattern, encodeJpeg, encodePng } from './data-fixtures.ts';

const ascii = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0));

/** Overwrites the size in the first start-of-frame segment of a baseline JPEG written by jpeg-js. */
function withJpegSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const patched = bytes.slice();
  for (let i = 2; i + 9 < patched.length; i++) {
    if (patched[i] === 0xff && patched[i + 1] === 0xc0) {
      const view = new DataView(patched.buffer);
      view.setUint16(i + 5, height);
      view.setUint16(i + 7, width);
      return patched;
    }
  }
  throw new Error('test setup: no SOF0 marker in the JPEG');
}

describe('image format detection', () => {
  it('recognises JPEG and PNG by content', () => {
    expect(detectImageFormat(encodeJpeg(colourPattern(8, 8)))).toBe('jpeg');
    expect(detectImageFormat(encodePng(colourPattern(8, 8)))).toBe('png');
    expect(detectImageFormat(ascii('\xff\xd8'))).toBeNull();
  });

  it('names formats it does not read', () => {
    const cases: [string, Uint8Array, string][] = [
      ['GIF', ascii('GIF87a..'), 'GIF files are not supported'],
      ['BMP', ascii(`BM${'\0'.repeat(30)}`), 'BMP files are not supported'],
      ['WebP', ascii('RIFF\0\0\0\0WEBPVP8 '), 'WebP files are not supported'],
      ['TIFF', ascii('II*\0\x08\0\0\0'), 'TIFF files are not supported'],
      ['AVIF', ascii('\0\0\0\x1cftypavif'), 'HEIF/AVIF files are not supported'],
      ['MP4 video', ascii('\0\0\0\x18ftypisom'), 'not an image; catlab reads JPEG and PNG'],
      ['text', ascii('hello'), 'not an image; catlab reads JPEG and PNG'],
    ];
    for (const [name, bytes, message] of cases) {
      expect(() => requireImageFormat(bytes), name).toThrow(ImageDecodeError);
      expect(() => requireImageFormat(bytes), name).toThrow(message);
    }
  });

  it('reads the size from the header', () => {
    expect(readImageSize(encodeJpeg(colourPattern(80, 50)), 'jpeg')).toEqual({ width: 80, height: 50 });
    expect(readImageSize(encodePng(colourPattern(80, 50)), 'png')).toEqual({ width: 80, height: 50 });
    expect(readImageSize(ascii('\xff\xd8\xff'), 'jpeg')).toBeNull();
  });
});

describe('createNodeDecoder', () => {
  it('decodes JPEG and PNG to RGBA', async () => {
    const decoder = createNodeDecoder();
    const image = colourPattern(80, 50);
    const png = await decoder.decode(encodePng(image), 'a.png');
    expect([png.width, png.height]).toEqual([80, 50]);
    expect(png.data).toEqual(image.data);
    const jpeg = await decoder.decode(encodeJpeg(image), 'a.jpg');
    expect([jpeg.width, jpeg.height, jpeg.data.length]).toEqual([80, 50, 80 * 50 * 4]);
  });

  it('skips a JPEG whose header exceeds the pixel limit before decoding it', async () => {
    const huge = withJpegSize(encodeJpeg(colourPattern(16, 16)), 60000, 60000);
    await expect(createNodeDecoder().decode(huge, 'huge.jpg')).rejects.toThrow(
      'the image is 60000×60000 = 3600000000 pixels, over the limit of 50000000 pixels',
    );
  });

  it('reports jpeg-js errors as decode errors', async () => {
    const truncated = encodeJpeg(colourPattern(32, 32)).subarray(0, 300);
    const failure = createNodeDecoder().decode(truncated, 'cut.jpg');
    await expect(failure).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(failure).rejects.toThrow(/^invalid or truncated JPEG \(jpeg-js: .+\)$/);
  });

  it('rejects an invalid maxPixels', () => {
    expect(() => createNodeDecoder({ maxPixels: 0 })).toThrow('maxPixels 0 is invalid; use a positive integer number of pixels');
  });
});
