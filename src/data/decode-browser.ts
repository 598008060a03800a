import {
  checkMaxPixels,
  ImageDecodeError,
  checkPixelLimit,
  requireImageFormat,
  type ImageDecoder,
  type RgbaImage,
} from './image.ts';

export interface BrowserDecoderOptions {
  /** Maximum pixels (width · height) of an image; larger files are skipped. Default `DEFAULT_MAX_PIXELS`. */
  maxPixels?: number;
}

/**
 * Creates the browser decoder: `createImageBitmap` decodes, and a 2D
 * `OffscreenCanvas` reads the pixels back. It needs no DOM, so it works in a
 * Web Worker. It accepts only the formats the Node decoder reads (JPEG and
 * PNG, by their first bytes), so both hosts pack the same files.
 *
 * Colour-space conversion is turned off so pixel values are the file's own.
 * Opaque 8-bit PNGs give the same pixels as the Node decoder. In Chromium,
 * JPEGs differ from jpeg-js by a level or two and 16-bit PNGs by up to one
 * level, because the decoders round differently.
 *
 * NOTE: a 2D canvas stores premultiplied colour, so pixels with alpha 0 read
 * back as black and partly transparent pixels lose precision, where the Node
 * decoder keeps their colour. Packing ignores alpha, so RGBA images with
 * transparent areas pack differently in the two hosts.
 */
export function createBrowserDecoder(options: BrowserDecoderOptions = {}): ImageDecoder {
  const maxPixels = checkMaxPixels(options.maxPixels);
  return {
    async decode(bytes: Uint8Array): Promise<RgbaImage> {
      const format = requireImageFormat(bytes);
      checkPixelLimit(bytes, format, maxPixels);

      let bitmap: ImageBitmap;
      try {
        // Copy into a fresh ArrayBuffer, because a Blob part may not be a view of a SharedArrayBuffer.
        const blob = new Blob([bytes.slice()], { type: format === 'jpeg' ? 'image/jpeg' : 'image/png' });
        bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      } catch (error) {
        // createImageBitmap rejects undecodable data with an InvalidStateError DOMException.
        const detail = error instanceof Error ? error.message : String(error);
        throw new ImageDecodeError(`invalid or truncated ${format === 'jpeg' ? 'JPEG' : 'PNG'} (browser: ${detail})`, {
          cause: error,
        });
      }

      try {
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const context = canvas.getContext('2d', { willReadFrequently: true });
        if (!context) {
          throw new Error('OffscreenCanvas.getContext("2d") returned null; this browser cannot read image pixels');
        }
        context.drawImage(bitmap, 0, 0);
        const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
        return { width: pixels.width, height: pixels.height, data: pixels.data };
      } finally {
        bitmap.close();
      }
    },
  };
}
