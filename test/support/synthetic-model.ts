/**
 * A tiny trained-model folder built from synthetic images, for the tests of
 * `catlab export` and `<cat-search>`. W and H are made up rather than
 * trained, so no GPU is needed: the bundle only has to be consistent.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { writeNpyFile } from '../../src/data/node.ts';
import { loadImages } from '../../src/data/node.ts';

/** A file name that is an HTML injection when a page inserts it as markup instead of text. */
export const HOSTILE_FILE_NAME = '<img src=x onerror="window.__xss=1">.jpg';

export interface SyntheticModel {
  /** Folder of the images. */
  images: string;
  /** Folder with W.npy, H.npy and manifest.json, as `catlab train` writes them. */
  model: string;
  /** File names in row order, as packing lists them. */
  files: string[];
  /** Row indices of the two byte-identical images. */
  copyRows: [number, number];
  /** Row indices of two different images whose rows of W point the same way, so their similarity is 1. */
  nearRows: [number, number];
  rank: number;
  side: number;
}

/** Encodes a gray `side × side` PNG whose pattern depends on `seed`. */
function grayPng(side: number, seed: number): Buffer {
  const png = new PNG({ width: side, height: side });
  for (let i = 0; i < side * side; i++) {
    const value = (i * (seed + 3) * 7 + seed * 41) % 256;
    png.data.set([value, value, value, 255], i * 4);
  }
  return PNG.sync.write(png);
}

/**
 * Writes `samples` images of `side × side` pixels into `folder`/images (one of them
 * named {@link HOSTILE_FILE_NAME}, two byte-identical, and two whose rows of W are parallel) and a model of rank 3 into `folder`/model.
 */
export async function writeSyntheticModel(folder: string, samples = 12, side = 8): Promise<SyntheticModel> {
  const rank = 3;
  const images = join(folder, 'images');
  const model = join(folder, 'model');
  await mkdir(images, { recursive: true });
  await mkdir(model, { recursive: true });

  // Images c2.png and c7.png share one seed, so their bytes are identical.
  for (let i = 0; i < samples; i++) {
    const name = i === 4 ? HOSTILE_FILE_NAME : `c${i}.png`;
    await writeFile(join(images, name), grayPng(side, i === 7 ? 2 : i));
  }
  const { matrix, manifest } = await loadImages(images, { size: side });
  const files = manifest.files;
  const copyRows = [files.indexOf('c2.png'), files.indexOf('c7.png')].sort((a, b) => a - b) as [number, number];

  // Rows of W from the image's mean brightness and two fixed patterns; copies get equal rows, as a trained W would.
  const W = new Float32Array(samples * rank);
  for (let row = 0; row < samples; row++) {
    let sum = 0;
    for (let f = 0; f < matrix.features; f++) sum += matrix.data[row * matrix.features + f];
    const mean = sum / matrix.features / 255;
    W.set([0.1 + mean, 0.1 + ((row * 5) % 7) / 7, 0.1 + ((row * 3) % 5) / 5], row * rank);
  }
  for (const row of copyRows) W.set(W.subarray(copyRows[0] * rank, copyRows[0] * rank + rank), row * rank);
  const nearRows = [files.indexOf('c9.png'), files.indexOf('c10.png')].sort((a, b) => a - b) as [number, number];
  W.set(W.subarray(nearRows[0] * rank, nearRows[0] * rank + rank).map((value) => value * 1.5), nearRows[1] * rank);
  const H = new Float32Array(rank * matrix.features);
  for (let i = 0; i < H.length; i++) H[i] = ((i * 13) % 17) / 34;

  await writeNpyFile(join(model, 'W.npy'), W, [samples, rank]);
  await writeNpyFile(join(model, 'H.npy'), H, [rank, matrix.features]);
  await writeFile(join(model, 'manifest.json'), `${JSON.stringify({ ...manifest, rank, iterations: 0 }, null, 2)}\n`);
  return { images, model, files, copyRows, nearRows, rank, side };
}
