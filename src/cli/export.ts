/**
 * `catlab export`: turn a trained model and the images behind it into a
 * search bundle that `<cat-search>` loads (see src/search/bundle.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { findDuplicateRows } from '../data/duplicates.ts';
import { buildBundle, bundleFiles, DEFAULT_MAX_THUMBNAIL, type GrayPixels } from '../search/bundle.ts';
import { integerOption, requiredOption, UsageError } from './args.ts';
import { createOutputFolder, readUserNpy } from './files.ts';
import { isNpyFile, loadInput } from './input.ts';

const HELP = `usage: catlab export --model DIR --data <folder|zip|V.npy> --out BUNDLE [--max-thumbnail 32]

  --model DIR          folder written by 'catlab train': W.npy, H.npy and manifest.json
  --data PATH          the images the model was trained on, as a folder, .zip or V.npy;
                       the first 'samples' images are read at the model's image size
  --out BUNDLE         folder for manifest.json, W.npy, norms.npy, H.npy and sprite.png
  --max-thumbnail PX   largest side of a thumbnail in sprite.png, in pixels (default ${DEFAULT_MAX_THUMBNAIL})

The data's file list must match the model's manifest row for row. Groups of
byte-identical images are recorded as copies in the bundle's manifest.`;

/** The fields of the manifest that `catlab train` writes which export reads. */
interface ModelManifest {
  files: string[];
  samples: number;
  width: number;
  height: number;
}

export async function exportCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      'max-thumbnail': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const modelDir = requiredOption('model', values.model);
  const dataPath = requiredOption('data', values.data);
  const out = requiredOption('out', values.out);
  const maxThumbnail = integerOption('max-thumbnail', values['max-thumbnail'], DEFAULT_MAX_THUMBNAIL, 1, 4096);

  const model = await readModelManifest(join(modelDir, 'manifest.json'));
  const W = await readUserNpy(join(modelDir, 'W.npy'), 'W of the model (--model)');
  const H = await readUserNpy(join(modelDir, 'H.npy'), 'H of the model (--model)');
  const [samples, rank] = W.shape;
  const features = model.width * model.height;
  if (samples !== model.samples || H.shape[0] !== rank || H.shape[1] !== features) {
    throw new Error(
      `${modelDir}: W.npy is ${W.shape.join(' × ')} and H.npy is ${H.shape.join(' × ')}, but manifest.json needs ` +
        `${model.samples} × rank and rank × ${features} (${model.width}×${model.height} images); export a folder written by one 'catlab train' run`,
    );
  }
  await createOutputFolder(out, '--out');

  // A V.npy keeps the size it was packed at, and loadInput rejects --size for it.
  const size = (await isNpyFile(dataPath)) ? undefined : model.width;
  if (size !== undefined && model.width !== model.height) {
    throw new UsageError(`the model was trained on ${model.width}×${model.height} images; export from the V.npy it was trained on, since folders are packed square`);
  }
  const { matrix, manifest } = await loadInput(dataPath, { size, limit: model.samples });
  checkSameRows(model, manifest.files, matrix.features, dataPath);

  const copies = findDuplicateRows(matrix);
  const bundle = buildBundle({
    dataset: basename(dataPath.replace(/[/\\]+$/, '')),
    files: model.files,
    imageWidth: model.width,
    imageHeight: model.height,
    rank,
    W: Float32Array.from(W.data),
    H: Float32Array.from(H.data),
    pixels: matrix.data,
    copies,
    maxThumbnail,
  });

  for (const [name, bytes] of bundleFiles(bundle)) await writeFile(join(out, name), bytes);
  await writeFile(join(out, 'sprite.png'), encodeGrayPng(bundle.sprite));
  const copyCount = copies.reduce((sum, group) => sum + group.length, 0);
  process.stderr.write(`wrote ${out}: ${samples} samples, rank ${rank}, ${copies.length} groups of exact copies (${copyCount} images)\n`);
}

async function readModelManifest(path: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`model manifest not found: ${path}; --model must be a folder written by 'catlab train'`);
  }
  const manifest = JSON.parse(text) as Partial<ModelManifest>;
  const { files, samples, width, height } = manifest;
  if (!Array.isArray(files) || !files.every((file) => typeof file === 'string')) {
    throw new Error(`${path} has no 'files' list of strings; --model must be a folder written by 'catlab train'`);
  }
  for (const [name, value] of [['samples', samples], ['width', width], ['height', height]] as const) {
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw new Error(`${path}: ${name} is ${String(value)}; it must be a positive integer, as 'catlab train' writes it`);
    }
  }
  if (files.length !== samples) throw new Error(`${path} lists ${files.length} files but gives samples ${samples}; rerun 'catlab train' to write a consistent manifest`);
  return { files, samples: samples!, width: width!, height: height! };
}

/** Throws unless the data contains the model's images in the model's order, naming the first row that differs. */
function checkSameRows(model: ModelManifest, dataFiles: readonly string[], features: number, dataPath: string): void {
  if (features !== model.width * model.height) {
    throw new Error(`${dataPath} has ${features} pixels an image, but the model was trained on ${model.width}×${model.height} images`);
  }
  if (dataFiles.length !== model.samples) {
    throw new Error(`${dataPath} has ${dataFiles.length} images, but the model was trained on ${model.samples}; give the data the model was trained on`);
  }
  const row = model.files.findIndex((file, i) => file !== dataFiles[i]);
  if (row >= 0) {
    throw new Error(
      `${dataPath} does not match the model: row ${row} is ${JSON.stringify(dataFiles[row])} in the data but ` +
        `${JSON.stringify(model.files[row])} in the model's manifest; give the data the model was trained on`,
    );
  }
}

/** Encodes 8-bit gray pixels as a PNG of color type 0 (grayscale, no alpha). */
function encodeGrayPng(image: GrayPixels): Buffer {
  const png = new PNG({ width: image.width, height: image.height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
}
