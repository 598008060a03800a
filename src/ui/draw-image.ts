/**
 * Paints one grayscale image (a row of V, H or W·H) onto a canvas through a
 * colormap. Canvases keep the image's own size; CSS scales them up with
 * `image-rendering: pixelated`.
 */
import { colormapTable, type ColormapName } from './colormap.ts';

export interface ImageSlice {
  values: ArrayLike<number>;
  /** Index of the first pixel in `values`. */
  offset: number;
  width: number;
  height: number;
}

/**
 * Draws `image` with `low` mapped to the first colour of the map and `high`
 * to the last; values outside are clamped.
 */
export function drawImage(canvas: HTMLCanvasElement, image: ImageSlice, colormap: ColormapName, low: number, high: number): void {
  const { width, height, values, offset } = image;
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return;

  const table = colormapTable(colormap);
  const pixels = context.createImageData(width, height);
  const scale = high > low ? 255 / (high - low) : 0;
  for (let i = 0; i < width * height; i++) {
    const level = Math.max(0, Math.min(255, Math.round((values[offset + i] - low) * scale)));
    pixels.data[i * 4] = table[level * 3];
    pixels.data[i * 4 + 1] = table[level * 3 + 1];
    pixels.data[i * 4 + 2] = table[level * 3 + 2];
    pixels.data[i * 4 + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
}

/** Largest value of `values[offset .. offset + count)`, at least a tiny positive floor so that an all-zero image draws black. */
export function maxOf(values: ArrayLike<number>, offset: number, count: number): number {
  let max = 1e-12;
  for (let i = offset; i < offset + count; i++) if (values[i] > max) max = values[i];
  return max;
}
