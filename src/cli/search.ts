/**
 * `catlab search`: the cats most (or least) similar to one cat of a trained
 * model, or to a new image projected onto its H.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CpuSearch } from '../search/cpu-search.ts';
import type { SearchEngine } from '../search/engine.ts';
import { GpuSearch } from '../search/gpu-search.ts';
import { projectOntoH } from '../search/project.ts';
import { nodeSearchHost, type SearchHost } from './search-host.ts';
import type { Float32Matrix } from './search-host.ts';

const HELP = `usage: catlab search --model DIR --query INDEX|IMAGE [-k 8] [--dissimilar] [--gpu]

  --model DIR      folder written by 'catlab train': W.npy, H.npy (float32) and manifest.json
  --query INDEX    a row of W, counted from 0 in the order of manifest.json's files
  --query IMAGE    a JPEG or PNG file, projected onto H (200 non-negative updates)
  -k, --k N        cats to print (default 8)
  --dissimilar     print the least similar cats, least similar first
  --gpu            search on WebGPU instead of the CPU

Prints one JSON line per cat: {"index":…,"file":…,"similarity":…}, with the
cosine similarity of the rows of W. A query that is a row of W is left out of
its own results; rows of W that are all zeros are never listed.`;

const DEFAULT_K = 8;

/** A trained model as `catlab train` writes it. */
interface Model {
  W: Float32Matrix;
  H: Float32Matrix;
  files: string[];
  /** Image size the model was trained on. */
  width: number;
  height: number;
}

export async function searchCommand(args: string[], host: SearchHost = nodeSearchHost): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      query: { type: 'string' },
      k: { type: 'string', short: 'k' },
      dissimilar: { type: 'boolean' },
      gpu: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    host.print(HELP);
    return;
  }
  if (!values.model) throw new Error('--model DIR is missing; give the folder that catlab train wrote');
  if (!values.query) throw new Error('--query is missing; give a row index of W or an image file');
  const k = parseK(values.k);

  const model = await loadModel(values.model, host);
  const samples = model.W.rows;
  const rank = model.W.cols;
  const query = await queryOf(values.query, model, host);

  let device: GPUDevice | undefined;
  let engine: SearchEngine | undefined;
  try {
    if (values.gpu) {
      device = await host.createDevice();
      engine = await GpuSearch.create(device, model.W.data, samples, rank, { label: 'cli/search' });
    } else {
      engine = CpuSearch.create(model.W.data, samples, rank);
    }
    warnExcluded(engine, host);

    const [result] = await engine.search(query, { k, dissimilar: values.dissimilar });
    if (result.invalidQuery) {
      const queryName = query instanceof Float32Array ? `the projection of ${values.query}` : `row ${values.query} of W`;
      const reason = result.invalidQuery === 'zero' ? 'is all zeros, so it has no direction' : 'holds NaN or Infinity';
      throw new Error(`${queryName} ${reason}; choose another query`);
    }
    for (const { index, similarity } of values.dissimilar ? result.farthest : result.nearest) {
      host.print(JSON.stringify({ index, file: model.files[index], similarity }));
    }
  } finally {
    engine?.destroy();
    device?.destroy();
  }
}

function parseK(value: string | undefined): number {
  if (value === undefined) return DEFAULT_K;
  const k = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(k) || k < 1) {
    throw new Error(`-k ${value} is invalid; give an integer of at least 1`);
  }
  return k;
}

async function loadModel(dir: string, host: SearchHost): Promise<Model> {
  const W = await host.readMatrix(join(dir, 'W.npy'));
  const H = await host.readMatrix(join(dir, 'H.npy'));
  if (W.cols !== H.rows) {
    throw new Error(`W.npy is ${W.rows} × ${W.cols} but H.npy is ${H.rows} × ${H.cols}; their ranks must match`);
  }

  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(await host.readText(manifestPath)) as { files?: unknown; width?: unknown; height?: unknown };
  const files = manifest.files;
  if (!Array.isArray(files) || !files.every((file) => typeof file === 'string')) {
    throw new Error(`${manifestPath} has no 'files' list of strings`);
  }
  if (files.length !== W.rows) {
    throw new Error(`${manifestPath} lists ${files.length} files, but W.npy has ${W.rows} rows`);
  }

  const { width, height } = imageSize(manifest.width, manifest.height, H.cols, manifestPath);
  return { W, H, files, width, height };
}

/** Returns the image size from the manifest, or the square side that H's feature count implies. */
function imageSize(width: unknown, height: unknown, features: number, manifestPath: string): { width: number; height: number } {
  if (typeof width === 'number' && typeof height === 'number') {
    if (width * height !== features) {
      throw new Error(`${manifestPath} gives ${width} × ${height} images, but H.npy has ${features} features`);
    }
    return { width, height };
  }
  const side = Math.round(Math.sqrt(features));
  if (side * side !== features) {
    throw new Error(`H.npy has ${features} features, not a square image, and ${manifestPath} gives no width and height`);
  }
  return { width: side, height: side };
}

/** Returns a row index of W for a query of digits, else the projection of the image file onto H. */
async function queryOf(text: string, model: Model, host: SearchHost): Promise<number[] | Float32Array> {
  if (/^\d+$/.test(text)) {
    const row = Number(text);
    if (row >= model.W.rows) {
      throw new Error(`--query ${text} is not a row of W; rows run from 0 to ${model.W.rows - 1}`);
    }
    return [row];
  }
  const pixels = await host.loadGrayImage(text, model.width, model.height);
  const v = Float64Array.from(pixels, (pixel) => pixel / 255);
  return Float32Array.from(projectOntoH(v, model.H.data, model.H.rows, model.H.cols));
}

function warnExcluded(engine: SearchEngine, host: SearchHost): void {
  for (const [rows, problem] of [
    [engine.zeroRows, 'all zeros'],
    [engine.nonFiniteRows, 'NaN or Infinity'],
  ] as const) {
    if (rows.length === 0) continue;
    const listed = rows.slice(0, 10).join(', ') + (rows.length > 10 ? ', …' : '');
    const count = rows.length === 1 ? '1 row' : `${rows.length} rows`;
    host.warn(`catlab search: left out ${count} of W with ${problem}: ${listed}`);
  }
}
