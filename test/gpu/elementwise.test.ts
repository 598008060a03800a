import { describe, expect, it } from 'vitest';
import { DOT_PARTIAL_COUNT, ElementwiseKernels } from '../../src/gpu/elementwise.ts';
import { encodeDispatches, type Dispatch } from '../../src/gpu/kernel.ts';
import { GpuResources, readFloat32 } from '../../src/gpu/resources.ts';
import { EPSILON, multiplicativeUpdate } from '../../src/nmf/reference.ts';
import { maxRelativeError, seededValues, useDevice } from './helpers.ts';

const gpu = useDevice();

function submit(dispatches: Dispatch[]): void {
  const encoder = gpu.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  encodeDispatches(pass, dispatches);
  pass.end();
  gpu.device.queue.submit([encoder.finish()]);
}

describe('multiplicative update kernel', () => {
  for (const count of [1, 255, 256, 1000, 70_001]) {
    it(`mu-update ${count} elements matches the reference`, async () => {
      const res = new GpuResources(gpu.device);
      const x = seededValues(count, 1);
      const numerator = seededValues(count, 2);
      const denominator = seededValues(count, 3);
      // Zero and tiny denominators exercise the epsilon floor; zero numerators must give zero.
      denominator[0] = 0;
      if (count > 2) denominator[1] = 1e-30;
      if (count > 3) numerator[2] = 0;

      const xBuffer = res.storage('test/x', x);
      const ew = new ElementwiseKernels(res);
      submit([ew.multiplicativeUpdate(xBuffer, res.storage('test/num', numerator), res.storage('test/den', denominator), count, 'test/mu')]);
      const actual = await readFloat32(gpu.device, xBuffer, count);
      res.destroy();

      const expected = Float64Array.from(x);
      multiplicativeUpdate(expected, numerator, denominator);
      expect(actual.every(Number.isFinite)).toBe(true);
      expect(actual[0]).toBeCloseTo((x[0] * numerator[0]) / EPSILON, -1);
      expect(maxRelativeError(actual, expected, 1e-6)).toBeLessThan(1e-6);
    });
  }
});

describe('dot partials kernel', () => {
  for (const count of [1, 17, 16_384, 100_003]) {
    it(`dot-partials ${count} elements sums to the reference`, async () => {
      const res = new GpuResources(gpu.device);
      const x = seededValues(count, 4);
      const y = seededValues(count, 5);
      const offset = 3 * DOT_PARTIAL_COUNT;
      const partials = res.storage('test/partials', (offset + DOT_PARTIAL_COUNT) * 4);
      const ew = new ElementwiseKernels(res);
      submit([ew.dotPartials(res.storage('test/x', x), res.storage('test/y', y), count, partials, offset, 'test/dot')]);
      const values = await readFloat32(gpu.device, partials, offset + DOT_PARTIAL_COUNT);
      res.destroy();

      let expected = 0;
      for (let i = 0; i < count; i++) expected += x[i] * y[i];
      const actual = values.slice(offset).reduce((sum, value) => sum + value, 0);
      expect(Math.abs(actual - expected) / expected).toBeLessThan(1e-5);
      expect(values.slice(0, offset).every((value) => value === 0)).toBe(true);
    });
  }
});
