import { describe, expect, it } from 'vitest';
import { encodeDispatches } from '../../src/gpu/kernel.ts';
import { MatmulKernels, type OperandLayout } from '../../src/gpu/matmul.ts';
import { GpuResources, readFloat32 } from '../../src/gpu/resources.ts';
import { matmul } from '../../src/nmf/reference.ts';
import { packRows } from '../../src/nmf/matrix.ts';
import { maxRelativeError, seededBytes, seededValues, useDevice } from './helpers.ts';

const gpu = useDevice();

// [M, N, K]: one that fits the 32 × 32 workgroup tile and ragged ones that do not.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [17, 9, 33],
  [63, 127, 65],
  [64, 64, 64],
  [5, 130, 7],
];

/** Runs op(A)·op(B) on the GPU with the given layouts and returns C and the float64 reference. */
async function product(
  m: number,
  n: number,
  k: number,
  aLayout: OperandLayout,
  bLayout: OperandLayout,
  accumulateOnto?: Float32Array,
  maxWorkgroupsPerDimension?: number,
) {
  const res = new GpuResources(gpu.device);
  try {
    let aBuffer: GPUBuffer, aValues: Float64Array | Float32Array, aLd: number;
    if (aLayout === 'u8') {
      const bytes = seededBytes(m * k, 1);
      aValues = Float64Array.from(bytes, (x) => x / 255);
      aBuffer = res.storage('test/A', packRows({ samples: m, features: k, data: bytes }, 0, m));
      aLd = Math.ceil(k / 4);
    } else {
      aValues = seededValues(m * k, 2);
      aBuffer = res.storage('test/A', aValues);
      aLd = aLayout === 'f32' ? k : m;
    }

    let bBuffer: GPUBuffer, bValues: Float64Array | Float32Array, bLd: number;
    if (bLayout === 'u8') {
      const bytes = seededBytes(k * n, 3);
      bValues = Float64Array.from(bytes, (x) => x / 255);
      bBuffer = res.storage('test/B', packRows({ samples: k, features: n, data: bytes }, 0, k));
      bLd = Math.ceil(n / 4);
    } else {
      bValues = seededValues(k * n, 4);
      bBuffer = res.storage('test/B', bValues);
      bLd = bLayout === 'f32' ? n : k;
    }

    const c = res.storage('test/C', accumulateOnto ?? m * n * 4);
    const dispatch = new MatmulKernels(res, maxWorkgroupsPerDimension).prepare(
      { m, n, k, a: { buffer: aBuffer, layout: aLayout, ld: aLd }, b: { buffer: bBuffer, layout: bLayout, ld: bLd }, c: { buffer: c, ld: n }, accumulate: Boolean(accumulateOnto) },
      'test/matmul',
    );
    const encoder = gpu.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    encodeDispatches(pass, [dispatch]);
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);

    const actual = await readFloat32(gpu.device, c, m * n);
    const expected = matmul(aValues, bValues, m, n, k, aLayout === 'f32-transposed', bLayout === 'f32-transposed');
    if (accumulateOnto) expected.forEach((value, i) => (expected[i] = value + accumulateOnto[i]));
    return { actual, expected };
  } finally {
    res.destroy();
  }
}

const LAYOUT_PAIRS: [OperandLayout, OperandLayout][] = [
  ['f32', 'f32'],
  ['f32-transposed', 'f32'],
  ['f32', 'f32-transposed'],
  ['f32-transposed', 'f32-transposed'],
  ['u8', 'f32-transposed'],
  ['f32-transposed', 'u8'],
  ['u8', 'f32'],
  ['f32', 'u8'],
];

describe('matmul kernel', () => {
  for (const [aLayout, bLayout] of LAYOUT_PAIRS) {
    for (const [m, n, k] of SHAPES) {
      it(`matmul ${m}x${k} * ${k}x${n}, A ${aLayout}, B ${bLayout}`, async () => {
        const { actual, expected } = await product(m, n, k, aLayout, bLayout);
        expect(maxRelativeError(actual, expected, 1e-6)).toBeLessThan(1e-4);
      });
    }
  }

  it('matmul 17x33 * 33x9 accumulates onto C', async () => {
    const start = seededValues(17 * 9, 9);
    const { actual, expected } = await product(17, 9, 33, 'f32', 'f32', start);
    expect(maxRelativeError(actual, expected, 1e-6)).toBeLessThan(1e-4);
  });

  for (const [aLayout, bLayout] of [['f32', 'f32'], ['f32-transposed', 'u8']] as const) {
    it(`matmul 17x9 * 9x300 folds columns into z, A ${aLayout}, B ${bLayout}`, async () => {
      // 300 columns need 10 workgroups along x; a limit of 4 folds them into 4 × 3.
      const { actual, expected } = await product(17, 300, 9, aLayout, bLayout, undefined, 4);
      expect(maxRelativeError(actual, expected, 1e-6)).toBeLessThan(1e-4);
    });
  }

  it('matmul rejects a packed row shorter than K', () => {
    const res = new GpuResources(gpu.device);
    const buffer = res.storage('test/short', 16);
    expect(() =>
      new MatmulKernels(res).prepare(
        { m: 1, n: 1, k: 9, a: { buffer, layout: 'u8', ld: 2 }, b: { buffer, layout: 'f32', ld: 1 }, c: { buffer, ld: 1 } },
        'test/short',
      ),
    ).toThrow(/2 words per row, fewer than K = 9/);
    res.destroy();
  });
});
