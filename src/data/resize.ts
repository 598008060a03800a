import type { GrayImage } from './image.ts';

/**
 * Resizes 8-bit grayscale images the way Pillow's `Image.resize(size,
 * Image.BILINEAR)` resizes mode 'L' images (Pillow's Resample.c; the tests
 * compare against Pillow 9.4 where it is installed).
 *
 * The resampler is separable: a horizontal pass, then a vertical pass, each
 * rounding to 8 bits. Each output pixel is a weighted mean of the input
 * pixels under a triangle kernel centred on it. When an axis shrinks by a
 * factor s > 1, the kernel is stretched by s, so every input pixel
 * contributes (antialiasing) rather than only the two nearest. When an axis
 * grows, the kernel keeps its width and the pass is plain linear
 * interpolation. Weights are normalised to sum to 1 and then used as 22-bit
 * fixed point, as Pillow does, so results match it to the byte.
 */

/** Fractional bits of the fixed-point weights: 32 bits less 8 for the pixel value and 2 of headroom. */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;

/** Half-width of the triangle kernel in input pixels before stretching. */
const TRIANGLE_SUPPORT = 1;

/** Input pixels and fixed-point weights for each output pixel along one axis. */
interface AxisTaps {
  /** First input pixel of output pixel i. */
  first: Int32Array;
  /** Number of input pixels of output pixel i. */
  count: Int32Array;
  /** Weights of output pixel i at `i · stride … i · stride + count[i]`. */
  weights: Int32Array;
  stride: number;
}

function triangle(x: number): number {
  const distance = Math.abs(x);
  return distance < 1 ? 1 - distance : 0;
}

/** Computes the taps that map `inSize` pixels onto `outSize` pixels along one axis. */
function computeAxisTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = TRIANGLE_SUPPORT * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  // Multiplying by the reciprocal, not dividing, keeps the weights bit-identical to Pillow's.
  const inverseScale = 1 / filterScale;

  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * stride);
  const real = new Float64Array(stride);

  for (let out = 0; out < outSize; out++) {
    // Pixel centres sit at half-integers, so output pixel `out` covers input
    // coordinates around (out + 0.5) · scale.
    const center = (out + 0.5) * scale;
    const start = Math.max(0, Math.trunc(center - support + 0.5));
    const end = Math.min(inSize, Math.trunc(center + support + 0.5));

    let sum = 0;
    for (let x = start; x < end; x++) {
      const weight = triangle((x - center + 0.5) * inverseScale);
      real[x - start] = weight;
      sum += weight;
    }
    for (let x = start; x < end; x++) {
      const weight = sum === 0 ? 0 : real[x - start] / sum;
      // Round half away from zero into fixed point, as Pillow does.
      weights[out * stride + x - start] = Math.trunc(weight < 0 ? weight * ONE - 0.5 : weight * ONE + 0.5);
    }
    first[out] = start;
    count[out] = end - start;
  }
  return { first, count, weights, stride };
}

/** Rounds a fixed-point sum that already includes the half unit to a byte, clamping to [0, 255]. */
function toByte(sum: number): number {
  if (sum <= 0) return 0;
  if (sum >= 256 * ONE) return 255;
  return Math.floor(sum / ONE);
}

function resizeRows(src: GrayImage, width: number): GrayImage {
  const taps = computeAxisTaps(src.width, width);
  const out = new Uint8Array(width * src.height);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width;
    for (let x = 0; x < width; x++) {
      const first = row + taps.first[x];
      const base = x * taps.stride;
      let sum = ONE / 2;
      for (let k = 0; k < taps.count[x]; k++) sum += src.data[first + k] * taps.weights[base + k];
      out[y * width + x] = toByte(sum);
    }
  }
  return { width, height: src.height, data: out };
}

function resizeColumns(src: GrayImage, height: number): GrayImage {
  const taps = computeAxisTaps(src.height, height);
  const out = new Uint8Array(src.width * height);
  for (let y = 0; y < height; y++) {
    const first = taps.first[y] * src.width;
    const base = y * taps.stride;
    for (let x = 0; x < src.width; x++) {
      let sum = ONE / 2;
      for (let k = 0; k < taps.count[y]; k++) sum += src.data[first + k * src.width + x] * taps.weights[base + k];
      out[y * src.width + x] = toByte(sum);
    }
  }
  return { width: src.width, height, data: out };
}

/**
 * Resizes `image` to `width × height` with the antialiased triangle filter
 * described at the top of this file. An axis that already has the target
 * size is not resampled, so an image of the target size comes back as an
 * unchanged copy.
 */
export function resizeGray(image: GrayImage, width: number, height: number): GrayImage {
  for (const [name, value] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`resize target ${name} ${value} is invalid; use a positive integer`);
    }
  }
  let result: GrayImage = image;
  if (image.width !== width) result = resizeRows(result, width);
  if (image.height !== height) result = resizeColumns(result, height);
  if (result === image) return { width, height, data: image.data.slice() };
  return result;
}
