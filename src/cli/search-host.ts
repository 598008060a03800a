/**
 * The Node services `catlab search` uses: files, an image decoder and a GPU.
 * Tests pass their own host; the command uses nodeSearchHost.
 */
import { readFile } from 'node:fs/promises';
import { createNodeDecoder } from '../data/decode-node.ts';
import { ImageDecodeError } from '../data/image.ts';
import { toGrayRow } from '../data/pack.ts';
import { readUserNpy } from './files.ts';
import { createNodeDevice } from './node-gpu.ts';

/** A row-major float32 matrix read from a .npy file. */
export interface Float32Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

export interface SearchHost {
  /** Reads a 2-D float32 .npy file. */
  readMatrix(path: string): Promise<Float32Matrix>;
  readText(path: string): Promise<string>;
  /** Decodes an image file into `width × height` 8-bit grayscale pixels, row-major, as the dataset was packed. */
  loadGrayImage(path: string, width: number, height: number): Promise<Uint8Array>;
  /** Creates a WebGPU device, for --gpu. */
  createDevice(): Promise<GPUDevice>;
  /** Writes one line of output to stdout. */
  print(line: string): void;
  /** Writes one warning line to stderr. */
  warn(line: string): void;
}

/** Decodes an image and converts it to the model's gray size exactly as `catlab pack` packs a file. */
async function loadGrayImage(path: string, width: number, height: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`query image not found: ${path}`);
    throw error;
  }
  try {
    return toGrayRow(await createNodeDecoder().decode(bytes, path), width, height);
  } catch (error) {
    if (error instanceof ImageDecodeError) throw new Error(`query image ${path} is unreadable: ${error.message}`);
    throw error;
  }
}

/** Reads a 2-D float32 .npy file of the model. */
async function readMatrix(path: string): Promise<Float32Matrix> {
  const array = await readUserNpy(path, 'model file');
  if (array.dtype !== 'float32') {
    throw new Error(`${path} is ${array.dtype}; the model's W.npy and H.npy are float32, as \`catlab train\` writes them`);
  }
  return { rows: array.shape[0], cols: array.shape[1], data: array.data as Float32Array };
}

export const nodeSearchHost: SearchHost = {
  readMatrix,
  readText: (path) => readFile(path, 'utf8'),
  loadGrayImage,
  createDevice: async () => (await createNodeDevice()).device,
  print: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
};
