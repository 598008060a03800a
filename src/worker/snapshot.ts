/**
 * Views of W and H for the page: reconstructions of chosen samples and the
 * samples that weigh a component most, computed on the CPU from a copy of
 * the factors, because both are a few rows of W·H at most.
 */
import type { Factors } from '../nmf/init.ts';
import type { U8Matrix } from '../nmf/matrix.ts';

export interface Reconstructions {
  originals: Uint8Array;
  /** `samples.length × rank`: the samples' rows of W. */
  weights: Float32Array;
  /** `samples.length × features`, on the [0, 1] scale of V. */
  values: Float32Array;
  /** ‖v − (W·H)row‖ / ‖v‖ of each sample, with v scaled to [0, 1]; 0 for an all-black sample that is fit exactly. */
  errors: number[];
}

/** Computes rows `samples` of W·H and their relative errors against V. */
export function reconstruct(v: U8Matrix, factors: Factors, rank: number, samples: readonly number[]): Reconstructions {
  const { features } = v;
  const originals = new Uint8Array(samples.length * features);
  const values = new Float32Array(samples.length * features);
  const weights = new Float32Array(samples.length * rank);
  const errors: number[] = [];

  samples.forEach((sample, slot) => {
    const pixels = v.data.subarray(sample * features, (sample + 1) * features);
    originals.set(pixels, slot * features);
    weights.set(factors.W.subarray(sample * rank, (sample + 1) * rank), slot * rank);
    const row = new Float64Array(features);
    for (let k = 0; k < rank; k++) {
      const weight = factors.W[sample * rank + k];
      if (weight === 0) continue;
      for (let j = 0; j < features; j++) row[j] += weight * factors.H[k * features + j];
    }

    let residual = 0;
    let norm = 0;
    for (let j = 0; j < features; j++) {
      const target = pixels[j] / 255;
      residual += (target - row[j]) ** 2;
      norm += target * target;
      values[slot * features + j] = row[j];
    }
    errors.push(norm > 0 ? Math.sqrt(residual / norm) : Math.sqrt(residual));
  });
  return { originals, weights, values, errors };
}

/** Returns the rows of W with the largest entries in column `component`, largest first. */
export function largestInColumn(W: Float32Array, rank: number, component: number, count: number): { indices: number[]; weights: number[] } {
  if (!Number.isInteger(component) || component < 0 || component >= rank) {
    throw new RangeError(`component ${component} is out of range; choose an integer from 0 to ${rank - 1}`);
  }
  const samples = W.length / rank;
  const order = Array.from({ length: samples }, (_, i) => i);
  order.sort((a, b) => W[b * rank + component] - W[a * rank + component] || a - b);
  const indices = order.slice(0, Math.max(0, Math.min(count, samples)));
  return { indices, weights: indices.map((i) => W[i * rank + component]) };
}

/**
 * Picks `count` distinct samples spread over `samples` rows, the first one
 * included. Each pick is shifted by its slot so that data stored in a
 * repeating pattern (MNIST here is interleaved 0–9) still shows variety.
 */
export function spreadSamples(samples: number, count: number): number[] {
  const n = Math.min(count, samples);
  // Pick i lands at most at (n − 1)·samples/n + n − 1, which is inside V when samples > n².
  const shift = samples > n * n ? 1 : 0;
  return Array.from({ length: n }, (_, i) => Math.floor((i * samples) / n) + i * shift);
}
