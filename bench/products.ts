/**
 * The six matrix products of one multiplicative-update iteration, as both
 * implementations in the benchmark run them.
 */
import type { NmfShape } from './options.ts';
import type { RunRepeated } from './timing.ts';

export const PRODUCT_NAMES = ['Wᵀ·V', 'V·Hᵀ', 'Wᵀ·W', 'H·Hᵀ', '(WᵀW)·H', 'W·(HHᵀ)'] as const;
export type ProductName = (typeof PRODUCT_NAMES)[number];

/** One product C = op(A)·op(B) with C of M × N and shared dimension K. */
export interface Product {
  name: ProductName;
  m: number;
  n: number;
  k: number;
}

export function nmfProducts({ samples, features, rank }: NmfShape): Product[] {
  const shapes: Record<ProductName, [number, number, number]> = {
    'Wᵀ·V': [rank, features, samples],
    'V·Hᵀ': [samples, rank, features],
    'Wᵀ·W': [rank, rank, samples],
    'H·Hᵀ': [rank, rank, features],
    '(WᵀW)·H': [rank, features, rank],
    'W·(HHᵀ)': [samples, rank, rank],
  };
  return PRODUCT_NAMES.map((name) => {
    const [m, n, k] = shapes[name];
    return { name, m, n, k };
  });
}

/** Floating-point operations of one MU iteration's six products, without the elementwise steps. */
export function muIterationFlops(shape: NmfShape): number {
  return nmfProducts(shape).reduce((sum, { m, n, k }) => sum + 2 * m * n * k, 0);
}

/** One implementation's version of a product, ready to time. */
export interface ProductRunner {
  run: RunRepeated;
  /** Computes the product once more and returns C, M × N row-major. */
  read(): Promise<Float32Array>;
}

/** Largest |a − b| over all entries, divided by the largest |b|. */
export function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new RangeError(`outputs differ in size: ${a.length} and ${b.length} values`);
  }
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    difference = Math.max(difference, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale > 0 ? difference / scale : difference;
}
