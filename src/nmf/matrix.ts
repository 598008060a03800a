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

/** Sums over V that the losses and measures need, computed once on the CPU. */
export interface MatrixStats {
  samples: number;
  features: number;
  /** Σ V with V scaled to [0, 1]. */
  sum: number;
  /** ‖V‖², V scaled to [0, 1]. */
  squaredNorm: number;
  /** Σ_ij (V_ij − mean of column j)², the total variance that the explained variance divides by. */
  centeredSquaredNorm: number;
  /** Count of each byte value 0..255, so any elementwise sum of V is exact. */
  histogram: Float64Array;
  /** Row and column of the first zero entry in row-major order, or null when V has none. */
  firstZero: [number, number] | null;
}

/** Computes the sums of `MatrixStats` in integers first, so they are exact before the final scaling. */
export function matrixStats(v: U8Matrix): MatrixStats {
  checkU8Matrix(v);
  const histogram = new Float64Array(256);
  const columnSums = new Float64Array(v.features);
  let firstZero: [number, number] | null = null;

  for (let row = 0; row < v.samples; row++) {
    for (let col = 0; col < v.features; col++) {
      const value = v.data[row * v.features + col];
      histogram[value]++;
      columnSums[col] += value;
      if (value === 0 && firstZero === null) firstZero = [row, col];
    }
  }

  let sum = 0;
  let sumOfSquares = 0;
  for (let value = 0; value < 256; value++) {
    sum += histogram[value] * value;
    sumOfSquares += histogram[value] * value * value;
  }
  let columnTerm = 0;
  for (const columnSum of columnSums) columnTerm += columnSum * columnSum;

  const scale = 255 * 255;
  return {
    samples: v.samples,
    features: v.features,
    sum: sum / 255,
    squaredNorm: sumOfSquares / scale,
    centeredSquaredNorm: Math.max(0, sumOfSquares - columnTerm / v.samples) / scale,
    histogram,
    firstZero,
  };
}

/** Σ f(V_ij) over all entries of V scaled to [0, 1], from the histogram. */
export function sumOverEntries(stats: MatrixStats, f: (x: number) => number): number {
  let total = 0;
  for (let value = 0; value < 256; value++) {
    if (stats.histogram[value] > 0) total += stats.histogram[value] * f(value / 255);
  }
  return total;
}

/**
 * Rejects a negative or non-finite entry of a row-major float matrix, naming
 * its position, because NMF is only defined for non-negative data.
 */
export function checkNonNegative(values: ArrayLike<number>, cols: number, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] >= 0) || !Number.isFinite(values[i])) {
      throw new RangeError(
        `${name}[${Math.floor(i / cols)}, ${i % cols}] is ${values[i]}; every entry must be finite and non-negative`,
      );
    }
  }
}

/**
 * Rejects V with zeros when β ≤ 0, as scikit-learn does: there the
 * β-divergence of a zero entry is infinite and the updates diverge.
 */
export function checkZerosForBeta(stats: MatrixStats, beta: number, name = 'V'): void {
  if (beta > 0 || stats.firstZero === null) return;
  const [row, col] = stats.firstZero;
  throw new RangeError(
    `${name} has zeros (the first at [${row}, ${col}]), but beta = ${beta} ≤ 0 is infinite on zeros; ` +
      'add a small offset to V (e.g. store pixels as 1..255) or use beta > 0',
  );
}
