import { describe, expect, it } from 'vitest';
import { GpuNmf } from '../../src/nmf/gpu-solver.ts';
import { randomFactors } from '../../src/nmf/init.ts';
import { mean, type U8Matrix } from '../../src/nmf/matrix.ts';
import { CpuNmf } from '../../src/nmf/reference.ts';
import { maxRelativeError, seededBytes, useDevice } from './helpers.ts';

const gpu = useDevice();

function randomMatrix(samples: number, features: number, seed: number): U8Matrix {
  return { samples, features, data: seededBytes(samples * features, seed) };
}

/** Runs the GPU solver and the float64 reference from the same start and returns both loss curves. */
async function compareCurves(v: U8Matrix, rank: number, iterations: number) {
  const init = randomFactors({ samples: v.samples, features: v.features, rank }, mean(v), 7);
  const nmf = await GpuNmf.create(gpu.device, v, { rank, init });
  const gpuCurve = (await nmf.run(iterations, { lossEvery: 1, iterationsPerSubmit: 10 })).map((r) => r.loss);
  const W = await nmf.readW();
  const H = await nmf.readH();
  nmf.destroy();

  const cpu = new CpuNmf(v, rank, init);
  const cpuCurve: number[] = [];
  for (let i = 0; i < iterations; i++) {
    cpu.step();
    cpuCurve.push(cpu.loss());
  }
  return { gpuCurve, cpuCurve, W, H, cpu };
}

describe('GPU NMF solver', () => {
  for (const [samples, features, rank] of [
    [40, 32, 4],
    [63, 65, 7],
    [17, 33, 16],
  ]) {
    it(`solver ${samples}x${features} rank ${rank} matches the reference curve over 50 iterations`, async () => {
      const { gpuCurve, cpuCurve, W, H, cpu } = await compareCurves(randomMatrix(samples, features, samples), rank, 50);
      expect(gpuCurve).toHaveLength(50);
      expect(maxRelativeError(gpuCurve, cpuCurve)).toBeLessThan(1e-4);
      expect(maxRelativeError(W, cpu.W, 1e-2)).toBeLessThan(1e-2);
      expect(maxRelativeError(H, cpu.H, 1e-2)).toBeLessThan(1e-2);
    });
  }

  it('solver loss never increases on random data', async () => {
    const v = randomMatrix(96, 80, 3);
    const nmf = await GpuNmf.create(gpu.device, v, { rank: 8, seed: 3 });
    const initial = await nmf.loss();
    const losses = [initial.loss, ...(await nmf.run(100, { lossEvery: 1 })).map((r) => r.loss)];
    nmf.destroy();
    for (let i = 1; i < losses.length; i++) {
      // f32 rounding of the loss itself is about 1e-6 relative.
      expect(losses[i]).toBeLessThanOrEqual(losses[i - 1] * (1 + 2e-6));
    }
    expect(losses[100]).toBeLessThan(losses[0] * 0.9);
  });

  it('solver keeps zero rows and columns finite', async () => {
    const v = randomMatrix(20, 24, 5);
    v.data.fill(0, 3 * 24, 4 * 24); // row 3
    for (let row = 0; row < 20; row++) v.data[row * 24 + 5] = 0; // column 5
    const nmf = await GpuNmf.create(gpu.device, v, { rank: 6, seed: 1 });
    const records = await nmf.run(30, { lossEvery: 5 });
    const W = await nmf.readW();
    const H = await nmf.readH();
    nmf.destroy();

    expect(records.every((r) => Number.isFinite(r.loss))).toBe(true);
    expect(W.every(Number.isFinite)).toBe(true);
    expect(H.every(Number.isFinite)).toBe(true);
    expect(Array.from(W.subarray(3 * 6, 4 * 6))).toEqual([0, 0, 0, 0, 0, 0]);
    for (let c = 0; c < 6; c++) expect(H[c * 24 + 5]).toBe(0);
  });

  it('solver on an all-zero V stays finite', async () => {
    const nmf = await GpuNmf.create(gpu.device, { samples: 5, features: 9, data: new Uint8Array(45) }, { rank: 2, seed: 1 });
    const [record] = await nmf.run(3);
    const W = await nmf.readW();
    nmf.destroy();
    expect(record.loss).toBe(0);
    expect(record.relativeError).toBe(0);
    expect(W.every(Number.isFinite)).toBe(true);
  });

  it('row-block split gives the same factors as one block', async () => {
    const v = randomMatrix(50, 37, 11);
    const run = async (maxBlockBytes?: number) => {
      const nmf = await GpuNmf.create(gpu.device, v, { rank: 5, seed: 2, maxBlockBytes });
      const records = await nmf.run(20, { lossEvery: 5 });
      const result = { blocks: nmf.blockRows, losses: records.map((r) => r.loss), W: await nmf.readW(), H: await nmf.readH() };
      nmf.destroy();
      return result;
    };
    const whole = await run();
    // 37 pixels pad to 10 words = 40 bytes a row, so 120 bytes hold 3 rows: 16 blocks of 3 and one of 2.
    const split = await run(120);
    expect(whole.blocks).toEqual([50]);
    expect(split.blocks).toEqual([...Array(16).fill(3), 2]);
    expect(maxRelativeError(split.losses, whole.losses)).toBeLessThan(1e-5);
    expect(maxRelativeError(split.W, whole.W, 1e-3)).toBeLessThan(1e-4);
    expect(maxRelativeError(split.H, whole.H, 1e-3)).toBeLessThan(1e-4);
  });

  it('same seed reproduces the losses bit for bit', async () => {
    const v = randomMatrix(30, 20, 13);
    const losses = async (seed: number, iterationsPerSubmit: number) => {
      const nmf = await GpuNmf.create(gpu.device, v, { rank: 3, seed });
      const records = await nmf.run(12, { lossEvery: 4, iterationsPerSubmit });
      nmf.destroy();
      return records.map((r) => r.loss);
    };
    const first = await losses(5, 16);
    expect(await losses(5, 16)).toEqual(first);
    expect(await losses(5, 1)).toEqual(first);
    expect(await losses(6, 16)).not.toEqual(first);
  });

  it('loss records fall every lossEvery iterations and after the last', async () => {
    const nmf = await GpuNmf.create(gpu.device, randomMatrix(10, 12, 1), { rank: 2, seed: 1 });
    const records = await nmf.run(23, { lossEvery: 5, iterationsPerSubmit: 4 });
    const more = await nmf.run(2, { lossEvery: 5 });
    nmf.destroy();
    expect(records.map((r) => r.iteration)).toEqual([5, 10, 15, 20, 23]);
    expect(more.map((r) => r.iteration)).toEqual([25]);
    expect(nmf.iteration).toBe(25);
  });

  it('loss() matches the reference for the starting factors', async () => {
    const v = randomMatrix(33, 17, 21);
    const init = randomFactors({ samples: 33, features: 17, rank: 4 }, mean(v), 9);
    const nmf = await GpuNmf.create(gpu.device, v, { rank: 4, init });
    const record = await nmf.loss();
    nmf.destroy();
    const cpu = new CpuNmf(v, 4, init);
    expect(Math.abs(record.loss - cpu.loss()) / cpu.loss()).toBeLessThan(1e-5);
    expect(record.relativeError).toBeCloseTo(cpu.loss() / cpu.normOfV, 5);
  });

  it('solver rejects bad initial factors and ranks', async () => {
    const v = randomMatrix(6, 8, 1);
    const good = randomFactors({ samples: 6, features: 8, rank: 2 }, 0.5, 1);
    await expect(GpuNmf.create(gpu.device, v, { rank: 2, init: { W: good.W.subarray(1), H: good.H } })).rejects.toThrow(
      /initial W has 11 values.*6 × 2 = 12/,
    );
    const negative = { W: good.W, H: good.H.slice() };
    negative.H[9] = -1;
    await expect(GpuNmf.create(gpu.device, v, { rank: 2, init: negative })).rejects.toThrow(/initial H\[1, 1\] is -1/);
    await expect(GpuNmf.create(gpu.device, v, { rank: 7, init: 'nndsvd' })).rejects.toThrow(/init nndsvd needs rank ≤ min\(samples, features\) = 6/);
    await expect(GpuNmf.create(gpu.device, v, { rank: 0 })).rejects.toThrow(/rank 0 is invalid/);
    await expect(GpuNmf.create(gpu.device, v, { rank: 2, seed: -1 })).rejects.toThrow(/seed -1 is invalid/);
  });
});
