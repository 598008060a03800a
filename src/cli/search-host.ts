/**
 * The Node services `catlab search` uses: files, an image decoder and a GPU.
 * Tests pass their own host; the command uses nodeSearchHost.
 */
import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { vulkanDriverEnv } from '../../scripts/machine.js';
import { requestDevice } from '../gpu/device.ts';
import { parseNpyFloat32, type Float32Matrix } from './search-npy.ts';

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

/**
 * Decodes a JPEG or PNG file to grayscale with Pillow's `convert('L')`
 * weights, L = (19595·R + 38470·G + 7471·B + 0x8000) >> 16.
 *
 * TODO: replace with the decoder and resize of src/data (createNodeDecoder
 * and toGrayRow), which also resize to the model's size as `catlab pack`
 * does. Until then an image must already be `width × height`.
 */
async function loadGrayImage(path: string, width: number, height: number): Promise<Uint8Array> {
  const bytes = await readFile(path);
  const isPng = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!isPng && !isJpeg) throw new Error(`${path} is neither a JPEG nor a PNG file`);
  const image = isPng ? PNG.sync.read(bytes) : jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  if (image.width !== width || image.height !== height) {
    throw new Error(
      `${path} is ${image.width} × ${image.height} pixels, but the model was trained on ${width} × ${height}; ` +
        `resize it to ${width} × ${height} first`,
    );
  }
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < gray.length; i++) {
    const [r, g, b] = [image.data[4 * i], image.data[4 * i + 1], image.data[4 * i + 2]];
    gray[i] = (19595 * r + 38470 * g + 7471 * b + 0x8000) >>> 16;
  }
  return gray;
}

// Dawn shuts down when the object create() returns is garbage collected,
// crashing devices still in use, so it lives as long as the module.
let dawn: GPU | undefined;

/**
 * Creates a device on Dawn through the `webgpu` package.
 *
 * TODO: replace with createNodeDevice() of the CLI's node-gpu module, which
 * also explains a missing adapter.
 */
async function createDevice(): Promise<GPUDevice> {
  if (!dawn) {
    // The Vulkan loader reads this when Dawn creates its instance, so it is set first.
    Object.assign(process.env, vulkanDriverEnv(process.env));
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    dawn = create([]) as GPU;
  }
  return (await requestDevice(dawn)).device;
}

export const nodeSearchHost: SearchHost = {
  readMatrix: async (path) => parseNpyFloat32(new Uint8Array(await readFile(path)), path),
  readText: (path) => readFile(path, 'utf8'),
  loadGrayImage,
  createDevice,
  print: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
};
