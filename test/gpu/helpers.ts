/**
 * GPU test helpers: one device per test file, every test inside a validation
 * error scope that must come back empty.
 */
import { afterAll, beforeAll, beforeEach, afterEach, expect } from 'vitest';
import { getGpu, environment } from '#test-device';
import { requestDevice } from '../../src/gpu/device.ts';

export { environment };

/** Gives each test of the file the same device and fails a test that raised a GPU validation error. */
export function useDevice(): { readonly device: GPUDevice } {
  const state = {} as { device: GPUDevice };
  beforeAll(async () => {
    state.device = (await requestDevice(getGpu())).device;
  });
  beforeEach(() => {
    state.device.pushErrorScope('validation');
  });
  afterEach(async () => {
    const error = await state.device.popErrorScope();
    expect(error?.message ?? null).toBeNull();
  });
  afterAll(() => {
    state.device?.destroy();
  });
  return state;
}

/** Largest |a − b| / max(|b|, floor) over all entries. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-3): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor);
    if (!(error <= worst)) worst = error;
  }
  return worst;
}

/** Deterministic values in [0, 1) for test inputs. */
export function seededValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = (state >>> 0) / 4294967296;
  }
  return out;
}

/** Deterministic bytes for test matrices. */
export function seededBytes(count: number, seed: number): Uint8Array {
  return Uint8Array.from(seededValues(count, seed), (x) => Math.floor(x * 256));
}
