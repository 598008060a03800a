/** Drawing of gray images, one byte a pixel, onto the element's canvases. */
import type { GrayPixels, SearchBundle } from '../search/bundle.ts';

/** Sets the canvas to the image's size and draws it, gray in red, green and blue. */
export function drawGray(canvas: HTMLCanvasElement, image: GrayPixels): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  if (!context) return;
  const pixels = new ImageData(image.width, image.height);
  for (let i = 0; i < image.data.length; i++) {
    const value = image.data[i];
    pixels.data[i * 4] = value;
    pixels.data[i * 4 + 1] = value;
    pixels.data[i * 4 + 2] = value;
    pixels.data[i * 4 + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
}

/** Cuts the thumbnail of sample `index` out of the bundle's sprite. */
export function spriteTile(bundle: SearchBundle, index: number): GrayPixels {
  const { columns, tileWidth, tileHeight } = bundle.manifest.sprite;
  const { sprite } = bundle;
  const x0 = (index % columns) * tileWidth;
  const y0 = Math.floor(index / columns) * tileHeight;
  const data = new Uint8Array(tileWidth * tileHeight);
  for (let y = 0; y < tileHeight; y++) {
    const start = (y0 + y) * sprite.width + x0;
    data.set(sprite.data.subarray(start, start + tileWidth), y * tileWidth);
  }
  return { width: tileWidth, height: tileHeight, data };
}
