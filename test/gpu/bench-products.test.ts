import { describe, expect, it } from 'vitest';
import { CatlabProducts } from '../../bench/catlab-products.ts';
import { createNmfInputs } from '../../bench/nmf-inputs.ts';
import { nmfProducts, type ProductName } from '../../bench/products.ts';
import { matmul, scaledV } from '../../src/nmf/reference.ts';
import { maxRelativeError, useDevice } from './helpers.ts';

const gpu = useDevice();

describe('benchmark products', () => {
  const shape = { samples: 203, features: 77, rank: 5 };
  const inputs = createNmfInputs(shape, 3);
  const { samples, features, rank } = shape;
  const v = scaledV(inputs.v);
  const expected: Record<ProductName, Float64Array> = {
    'Wᵀ·V': matmul(inputs.W, v, rank, features, samples, true),
    'V·Hᵀ': matmul(v, inputs.H, samples, rank, features, false, true),
    'Wᵀ·W': matmul(inputs.W, inputs.W, rank, rank, samples, true),
    'H·Hᵀ': matmul(inputs.H, inputs.H, rank, rank, features, false, true),
    '(WᵀW)·H': matmul(inputs.WtW, inputs.H, rank, features, rank),
    'W·(HHᵀ)': matmul(inputs.W, inputs.HHt, samples, rank, rank),
  };

  // 1,000 bytes hold 12 packed rows of 80 bytes, so V splits into 17 blocks.
  for (const [label, maxBlockBytes] of [['V in one block', Infinity], ['V in 17 blocks', 1000]] as const) {
    it(`match the CPU reference, 203x77 rank 5, ${label}`, async () => {
      const products = CatlabProducts.create(gpu.device, inputs, maxBlockBytes);
      try {
        expect(products.vBytes).toBe(samples * 80);
        for (const { name } of nmfProducts(shape)) {
          const actual = await products.runner(name).read();
          expect(maxRelativeError(actual, expected[name]), name).toBeLessThan(1e-5);
        }
      } finally {
        products.destroy();
      }
    });
  }
});
