/**
 * Image types shared by the Node and browser hosts, and the byte sniffing
 * that decides which files are images. Both hosts read the same formats, so
 * one folder packs into the same matrix in either host.
 */
import { formatCount } from './count.ts';

/** A decoded image: `width · height` pixels, row-major, 4 bytes (R, G, B, A) a pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** An 8-bit grayscale image, row-major, one byte a pixel. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Decoder of image files to RGBA, provided by the host: decode-node.ts in
 * Node, decode-browser.ts in a page or worker.
 *
 * A decoder throws `ImageDecodeError` for input that is not a readable image,
 * and packing then skips that file. Any other error stops the packing.
 */
export interface ImageDecoder {
  decode(bytes: Uint8Array, name: string): Promise<RgbaImage>;
}

/**
 * Error for a file that is not an image catlab can read, or that is corrupt.
 * The message gives the reason without the file name, because the skip list
 * pairs it with the name.
 */
export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
}

/** The image formats that both hosts decode. */
export type ImageFormat = 'jpeg' | 'png';

/** Description of the readable formats, for messages. */
export const READABLE_FORMATS = 'JPEG and PNG (recognised by their content, not their file extension)';

/** Ending of the skip reasons for files that are not JPEG or PNG, so a summary of several reasons can drop the repeats. */
export const READABLE_FORMATS_SUFFIX = `; catlab reads ${READABLE_FORMATS}`;

/** Major brands of the ISO media `ftyp` box that mark HEIF and AVIF images, not videos. */
const HEIF_BRANDS = ['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis'];

/** Files of a known format that catlab does not read, so their skip reason can name the format. */
const UNSUPPORTED_SIGNATURES: readonly { format: string; matches(bytes: Uint8Array): boolean }[] = [
  { format: 'GIF', matches: (b) => startsWithAscii(b, 0, 'GIF8') },
  { format: 'BMP', matches: (b) => startsWithAscii(b, 0, 'BM') && b.length >= 26 },
  { format: 'WebP', matches: (b) => startsWithAscii(b, 0, 'RIFF') && startsWithAscii(b, 8, 'WEBP') },
  { format: 'TIFF', matches: (b) => startsWithAscii(b, 0, 'II*\0') || startsWithAscii(b, 0, 'MM\0*') },
  {
    format: 'HEIF/AVIF',
    matches: (b) => startsWithAscii(b, 4, 'ftyp') && HEIF_BRANDS.some((brand) => startsWithAscii(b, 8, brand)),
  },
  { format: 'ZIP', matches: (b) => startsWithAscii(b, 0, 'PK\x03\x04') },
];

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Leading bytes that are enough for `requireImageFormat` to reach the same
 * verdict as on the whole file. The BMP check reads the most: it needs 26.
 */
export const FORMAT_SIGNATURE_BYTES = 32;

/** Returns the format of an image file from its first bytes, or null when catlab cannot read it. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | null {
  // Every JPEG starts with the SOI marker FF D8 followed by another marker's FF.
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && PNG_SIGNATURE.every((value, i) => bytes[i] === value)) return 'png';
  return null;
}

/**
 * Returns the format of `bytes`, or throws `ImageDecodeError` saying why the
 * file cannot be read.
 */
export function requireImageFormat(bytes: Uint8Array): ImageFormat {
  const format = detectImageFormat(bytes);
  if (format) return format;
  if (bytes.length === 0) throw new ImageDecodeError('the file is empty');
  const known = UNSUPPORTED_SIGNATURES.find((signature) => signature.matches(bytes));
  if (known) throw new ImageDecodeError(`${known.format} files are not supported${READABLE_FORMATS_SUFFIX}`);
  throw new ImageDecodeError(`not an image${READABLE_FORMATS_SUFFIX}`);
}

/**
 * Throws unless `image` is a non-empty RGBA image whose data length matches
 * its size. A mismatch is a decoder bug, so it is a plain Error and stops the packing.
 */
export function checkRgbaImage(image: RgbaImage, name: string): void {
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1) {
    throw new ImageDecodeError(`the image has an invalid size ${image.width}×${image.height}`);
  }
  if (image.data.length !== image.width * image.height * 4) {
    throw new Error(
      `Internal error: the decoder returned ${formatCount(image.data.length, 'byte')} for ${name}, ` +
        `but a ${image.width}×${image.height} RGBA image has ${image.width * image.height * 4}`,
    );
  }
}

/**
 * Default maximum pixels (width · height) of an image that the decoders
 * accept: 50 megapixels. Packing shrinks every image to a few thousand
 * pixels, so the limit only rejects files whose header claims a size that
 * would exhaust memory. Pass `maxPixels` to the decoder to raise it.
 */
export const DEFAULT_MAX_PIXELS = 50_000_000;

/**
 * Reads width and height from a JPEG frame header or a PNG IHDR chunk
 * without decoding, or returns null when the header is not found.
 */
export function readImageSize(bytes: Uint8Array, format: ImageFormat): { width: number; height: number } | null {
  if (format === 'png') {
    // The IHDR chunk comes first: its width and height are big-endian u32 at bytes 16 and 20.
    if (bytes.length < 24 || !startsWithAscii(bytes, 12, 'IHDR')) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  return readJpegFrameSize(bytes);
}

/** Advice that ends the too-large message of `checkPixelLimit`; search replaces it with advice for a query photo. */
export const SHRINK_BEFORE_PACKING = 'shrink it before packing';

/** Throws `ImageDecodeError` when the header of `bytes` declares more than `maxPixels` pixels. */
export function checkPixelLimit(bytes: Uint8Array, format: ImageFormat, maxPixels: number): void {
  const size = readImageSize(bytes, format);
  if (size && size.width * size.height > maxPixels) {
    throw new ImageDecodeError(
      `the image is ${size.width}×${size.height} = ${formatCount(size.width * size.height, 'pixel')}, ` +
        `over the limit of ${formatCount(maxPixels, 'pixel')}; ${SHRINK_BEFORE_PACKING}`,
    );
  }
}

/** Start-of-frame markers C0 to CF, except C4 (DHT), C8 (reserved) and CC (DAC), carry the image size. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpegFrameSize(bytes: Uint8Array): { width: number; height: number } | null {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      // Fill byte before a marker.
      offset += 1;
      continue;
    }
    if (marker === 0xda) return null; // A scan started before any frame header.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      // TEM, RSTn and SOI stand alone, with no length field.
      offset += 2;
      continue;
    }
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (isStartOfFrame(marker)) {
      if (offset + 9 > bytes.length) return null;
      const height = (bytes[offset + 5] << 8) | bytes[offset + 6];
      const width = (bytes[offset + 7] << 8) | bytes[offset + 8];
      return { width, height };
    }
    offset += 2 + length;
  }
  return null;
}

function startsWithAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** Returns `maxPixels`, DEFAULT_MAX_PIXELS when absent, after checking it is a positive integer. */
export function checkMaxPixels(maxPixels = DEFAULT_MAX_PIXELS): number {
  if (!Number.isInteger(maxPixels) || maxPixels < 1) {
    throw new RangeError(`maxPixels ${maxPixels} is invalid; use a positive integer number of pixels`);
  }
  return maxPixels;
}
