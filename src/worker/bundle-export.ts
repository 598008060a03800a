/**
 * The playground's export of a search bundle: the current W and H, the
 * dataset's pixels, file names and exact copies, zipped as the folder
 * `bundle/` that `<cat-search>` loads.
 */
import { zipSync } from 'fflate';
import { buildBundle, bundleFiles, type GrayPixels } from '../search/bundle.ts';
import type { BundleExport } from './protocol.ts';
import type { SearchDataset } from './search.ts';
import type { FactorBackup, TrainingData } from './trainer.ts';

/** Folder of the bundle inside the zip; the page that embeds `<cat-search>` loads it from there. */
export const BUNDLE_FOLDER = 'bundle';

/** Encodes gray pixels as PNG bytes; the host provides it (OffscreenCanvas in a worker, pngjs in Node). */
export type PngEncoder = (image: GrayPixels) => Promise<Uint8Array>;

/** Builds the bundle and returns the zip of its folder. */
export async function exportBundle(
  data: TrainingData,
  factors: FactorBackup,
  rank: number,
  dataset: SearchDataset & { name: string },
  encodePng: PngEncoder,
): Promise<BundleExport> {
  const bundle = buildBundle({
    dataset: dataset.name,
    files: dataset.names,
    imageWidth: data.width,
    imageHeight: data.height,
    rank,
    W: factors.W,
    H: factors.H,
    pixels: data.matrix.data,
    copies: dataset.copies,
  });
  const files = bundleFiles(bundle);
  files.set('sprite.png', await encodePng(bundle.sprite));

  const entries: Record<string, Uint8Array> = {};
  for (const [name, bytes] of files) entries[`${BUNDLE_FOLDER}/${name}`] = bytes;
  // The npy and PNG parts barely compress, so level 1 saves time for little size.
  const zip = zipSync(entries, { level: 1 });
  return { zip, samples: data.matrix.samples, iteration: factors.iteration };
}

/**
 * Encodes gray pixels as PNG with a 2D OffscreenCanvas, which works in a
 * worker. The PNG is RGBA with R, G and B all set to the gray value and alpha opaque.
 */
export async function encodePngInWorker(image: GrayPixels): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('OffscreenCanvas.getContext("2d") returned null; this browser cannot encode the sprite PNG');
  const rgba = new ImageData(image.width, image.height);
  for (let i = 0; i < image.data.length; i++) {
    const gray = image.data[i];
    rgba.data[4 * i] = gray;
    rgba.data[4 * i + 1] = gray;
    rgba.data[4 * i + 2] = gray;
    rgba.data[4 * i + 3] = 255;
  }
  context.putImageData(rgba, 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}
