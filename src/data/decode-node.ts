import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import {
  checkMaxPixels,
  ImageDecodeError,
  checkPixelLimit,
  requireImageFormat,
  type ImageDecoder,
  type RgbaImage,
} from './image.ts';

export interface NodeDecoderOptions {
  /** Maximum pixels (width · height) of an image; larger files are skipped. Default `DEFAULT_MAX_PIXELS`. */
  maxPixels?: number;
}

/**
 * Bytes a pixel that jpeg-js may allocate, counted as its
 * `maxMemoryUsageInMB` option counts them. Measured once with jpeg-js 0.4.4
 * in Node 20: a 7000×7000 three-channel JPEG (no chroma subsampling, as
 * jpeg-js writes it) needed between 1029 and 1100 MB, about 22 bytes a
 * pixel. 24 leaves some margin above that.
 */
const JPEG_BYTES_PER_PIXEL = 24;

/**
 * Creates the Node decoder: jpeg-js for JPEG and pngjs for PNG, chosen by
 * the file's first bytes. pngjs expands every PNG (gray, palette, alpha, 1 to
 * 16 bits) to 8-bit RGBA, scaling 16-bit samples by round(v · 255 / 65535).
 *
 * Differences from Pillow that remain: a JPEG without its end-of-image
 * marker is rejected (jpeg-js needs it), pngjs turns pixels of a PNG's
 * single transparent colour (tRNS) black, and Pillow (checked with 9.4)
 * reads 16-bit RGB PNGs by their high byte rather than rounding.
 */
export function createNodeDecoder(options: NodeDecoderOptions = {}): ImageDecoder {
  const maxPixels = checkMaxPixels(options.maxPixels);
  return {
    async decode(bytes: Uint8Array): Promise<RgbaImage> {
      const format = requireImageFormat(bytes);
      checkPixelLimit(bytes, format, maxPixels);
      return format === 'jpeg' ? decodeJpeg(bytes, maxPixels) : decodePng(bytes);
    },
  };
}

function decodeJpeg(bytes: Uint8Array, maxPixels: number): RgbaImage {
  try {
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.ceil((maxPixels * JPEG_BYTES_PER_PIXEL) / 2 ** 20),
    });
    return { width: image.width, height: image.height, data: image.data };
  } catch (error) {
    // jpeg-js reports corrupt data and its own limits with plain Errors.
    throw new ImageDecodeError(`invalid or truncated JPEG (jpeg-js: ${messageOf(error)})`, { cause: error });
  }
}

function decodePng(bytes: Uint8Array): RgbaImage {
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const image = pngjs.PNG.sync.read(buffer);
    const data = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    return { width: image.width, height: image.height, data };
  } catch (error) {
    throw new ImageDecodeError(`invalid or truncated PNG (pngjs: ${messageOf(error)})`, { cause: error });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
