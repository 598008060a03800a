/**
 * The data matrix V of NMF: `samples × features` 8-bit values (pixels),
 * row-major, read as value / 255 so that V lies in [0, 1].
 */
export interface U8Matrix {
  samples: number;
  features: number;
  /** `samples · features` bytes, row-major. */
  data: Uint8Array;
}

/** A dense float matrix, row-major. */
export interface F32Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** Checks that `data` has `samples · features` bytes and both sizes are positive integers. */
export function checkU8Matrix(v: U8Matrix): void {
  for (const [name, value] of [['samples', v.samples], ['features', v.features]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`V has ${name} = ${value}; it needs at least one row and one column`);
    }
  }
  if (v.data.length !== v.samples * v.features) {
    throw new RangeError(
      `V is ${v.samples} × ${v.features} = ${v.samples * v.features} values, but its data has ${v.data.length} bytes`,
    );
  }
}

/** u32 words per packed row: four pixels a word, the last word padded with zero bytes. */
export function wordsPerRow(features: number): number {
  return Math.ceil(features / 4);
}

/**
 * Packs rows `start .. end` of V four pixels per little-endian u32, each row
 * padded to a whole word with zeros, as shaders/matmul.wgsl reads it.
 */
export function packRows(v: U8Matrix, start: number, end: number): Uint32Array {
  const stride = wordsPerRow(v.features) * 4;
  const bytes = new Uint8Array((end - start) * stride);
  for (let row = start; row < end; row++) {
    bytes.set(v.data.subarray(row * v.features, (row + 1) * v.features), (row - start) * stride);
  }
  return new Uint32Array(bytes.buffer);
}

/** ‖V‖² of V scaled to [0, 1], summed exactly in integers first. */
export function squaredNorm(v: U8Matrix): number {
  let sum = 0;
  for (let i = 0; i < v.data.length; i++) sum += v.data[i] * v.data[i];
  return sum / (255 * 255);
}

/** Mean of V scaled to [0, 1]. */
export function mean(v: U8Matrix): number {
  let sum = 0;
  for (let i = 0; i < v.data.length; i++) sum += v.data[i];
  return sum / 255 / v.data.length;
}
