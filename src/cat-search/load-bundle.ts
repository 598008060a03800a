/**
 * Loads a search bundle in the page: each file by fetch, relative to the
 * bundle's folder URL, and sprite.png through createImageBitmap and a canvas.
 */
import { readBundle, type GrayPixels, type SearchBundle } from '../search/bundle.ts';

/** Returns the folder URL of a bundle, with the trailing slash that relative file URLs need. */
export function bundleBaseUrl(src: string, base: string = document.baseURI): URL {
  return new URL(src.endsWith('/') ? src : `${src}/`, base);
}

/** Fetches and checks every file of the bundle at `src`; `signal` cancels the downloads. */
export async function loadBundle(src: string, signal?: AbortSignal): Promise<SearchBundle> {
  const base = bundleBaseUrl(src);
  const readFile = async (name: string): Promise<Uint8Array> => {
    const url = new URL(name, base);
    let response: Response;
    try {
      response = await fetch(url, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new Error(`bundle file ${name} failed to load from ${url.href}: ${(error as Error).message}`);
    }
    if (!response.ok) {
      throw new Error(`bundle file ${name} failed to load from ${url.href}: HTTP ${response.status}; check the src attribute`);
    }
    return new Uint8Array(await response.arrayBuffer());
  };
  return readBundle(readFile, decodeGrayPng);
}

/**
 * Decodes a PNG to one byte a pixel, keeping the red channel. The sprite is
 * gray, so red equals green and blue. Colour-space conversion is turned off so
 * the browser does not alter the stored gray levels.
 */
export async function decodeGrayPng(png: Uint8Array): Promise<GrayPixels> {
  const blob = new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' });
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (error) {
    throw new Error(`bundle file sprite.png is not a readable PNG (${(error as Error).message}); export the bundle again`);
  }
  const { width, height } = bitmap;
  const context = createContext(width, height);
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4];
  return { width, height, data };
}

function createContext(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (!context) throw new Error('this browser offers no 2D canvas, which <cat-search> needs to decode sprite.png');
  return context;
}
