/**
 * Random NMF operands for the benchmarks. Timings do not depend on the
 * values, so no image data is needed, and both implementations receive
 * the same numbers, so their outputs can be compared.
 */
import { randomFactors } from '../src/nmf/init.ts';
import { mean, type U8Matrix } from '../src/nmf/matrix.ts';
import { createRandom } from '../src/nmf/random.ts';
import type { NmfShape } from './options.ts';

export interface NmfInputs {
  shape: NmfShape;
  /** `samples × features` random bytes, read as value / 255. */
  v: U8Matrix;
  /** `samples × rank`, row-major. */
  W: Float32Array;
  /** `rank × features`, row-major. */
  H: Float32Array;
  /** `rank × rank` operand standing in for Wᵀ·W. */
  WtW: Float32Array;
  /** `rank × rank` operand standing in for H·Hᵀ. */
  HHt: Float32Array;
}

export function createNmfInputs(shape: NmfShape, seed: number): NmfInputs {
  const random = createRandom(seed);
  const bytes = new Uint8Array(Math.ceil((shape.samples * shape.features) / 4) * 4);
  // Four bytes per draw keeps the full-size V (64 MB) quick to generate.
  const words = new Uint32Array(bytes.buffer);
  for (let i = 0; i < words.length; i++) words[i] = Math.floor(random.uniform() * 4294967296);
  const v: U8Matrix = { samples: shape.samples, features: shape.features, data: bytes.subarray(0, shape.samples * shape.features) };

  const { W, H } = randomFactors(shape, mean(v), seed);
  const square = () => Float32Array.from({ length: shape.rank * shape.rank }, () => random.uniform());
  return { shape, v, W, H, WtW: square(), HHt: square() };
}

/** Returns V as float32 scaled to [0, 1], the form a float-only library multiplies. */
export function vAsFloat32(v: U8Matrix): Float32Array {
  const out = new Float32Array(v.data.length);
  for (let i = 0; i < out.length; i++) out[i] = v.data[i] / 255;
  return out;
}
