import type { GrayImage, RgbaImage } from './image.ts';

/**
 * Converts an RGBA image to 8-bit luma with the ITU-R 601 weights in 16-bit
 * fixed point, L = (19595·R + 38470·G + 7471·B + 0x8000) >> 16, which is
 * what Pillow's `convert('L')` computes. Alpha is ignored, as in Pillow. The
 * weights sum to 65536, so a gray pixel (R = G = B) keeps its value.
 */
export function toGrayscale(image: RgbaImage): GrayImage {
  const pixels = image.width * image.height;
  const rgba = image.data;
  const gray = new Uint8Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    gray[i] = (rgba[j] * 19595 + rgba[j + 1] * 38470 + rgba[j + 2] * 7471 + 0x8000) >>> 16;
  }
  return { width: image.width, height: image.height, data: gray };
}
