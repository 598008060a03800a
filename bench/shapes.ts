/**
 * Choice of the NMF shape the benchmark runs: the real one, or a scaled-down
 * one on adapters too slow to finish the real one in a few minutes.
 */
import type { AdapterSummary } from '../src/gpu/device.ts';
import { encodeDispatches } from '../src/gpu/kernel.ts';
import { MatmulKernels } from '../src/gpu/matmul.ts';
import { GpuResources } from '../src/gpu/resources.ts';
import type { BenchOptions, NmfShape } from './options.ts';
import { gflops, matmulFlops, timeOnce } from './timing.ts';

/** The cat data set catlab is built for: 15,747 grayscale images of 64 × 64 pixels, factored at rank 50. */
export const REAL_SHAPE: NmfShape = { samples: 15747, features: 4096, rank: 50 };

/**
 * The set for slow adapters. On SwiftShader with 2 CPU cores (about
 * 1 GFLOP/s) its two large products take tens of milliseconds each, so a
 * whole run stays within a few minutes.
 */
export const SCALED_SHAPE: NmfShape = { samples: 1024, features: 1024, rank: 16 };

/**
 * Below this speed on the probe product the real shapes are skipped. At the
 * real shapes each large product is about 6.5 GFLOP and each MU iteration
 * about 13 GFLOP. Every measurement runs them at least 7 times per
 * implementation, so a run is roughly 400 GFLOP, about a minute at this speed.
 */
export const SLOW_ADAPTER_GFLOPS = 10;

export interface ShapeChoice {
  shape: NmfShape;
  /** Reason for this shape, in words, for the report. */
  reason: string;
  /** GFLOP/s of the probe product, when it ran. */
  probeGflops?: number;
}

export async function chooseShape(device: GPUDevice, adapter: AdapterSummary, options: BenchOptions): Promise<ShapeChoice> {
  const { base, overrides } = options;
  const overridden = Object.keys(overrides).length > 0 ? ', with --samples/--features/--rank overrides' : '';
  const apply = (shape: NmfShape) => ({ ...shape, ...overrides });

  if (base.kind === 'full') return { shape: apply(REAL_SHAPE), reason: `real shapes (--full)${overridden}` };
  if (base.kind === 'scale') {
    const scaled = {
      samples: Math.max(1, Math.round(REAL_SHAPE.samples * base.factor)),
      features: Math.max(1, Math.round(REAL_SHAPE.features * base.factor)),
      rank: REAL_SHAPE.rank,
    };
    return { shape: apply(scaled), reason: `real shapes with samples and features × ${base.factor} (--scale)${overridden}` };
  }
  if (overrides.samples && overrides.features && overrides.rank) {
    return { shape: apply(REAL_SHAPE), reason: 'given by --samples, --features and --rank' };
  }

  if (adapter.isFallbackAdapter) {
    return { shape: apply(SCALED_SHAPE), reason: `scaled-down set: the adapter is a software fallback adapter${overridden}` };
  }
  const probeGflops = await probeSpeed(device);
  const speed = `a 256 × 256 × 256 probe product ran at ${probeGflops.toFixed(1)} GFLOP/s`;
  if (probeGflops < SLOW_ADAPTER_GFLOPS) {
    return { shape: apply(SCALED_SHAPE), reason: `scaled-down set: ${speed}, below ${SLOW_ADAPTER_GFLOPS}${overridden}`, probeGflops };
  }
  return { shape: apply(REAL_SHAPE), reason: `real shapes: ${speed}${overridden}`, probeGflops };
}

/** Times four 256 × 256 × 256 f32 products in one submit with catlab's kernel, after one untimed run. */
async function probeSpeed(device: GPUDevice): Promise<number> {
  const size = 256;
  const repetitions = 4;
  const resources = new GpuResources(device);
  try {
    const a = resources.storage('bench/probe/A', new Float32Array(size * size).fill(0.5));
    const c = resources.storage('bench/probe/C', size * size * 4);
    const dispatch = new MatmulKernels(resources).prepare(
      { m: size, n: size, k: size, a: { buffer: a, layout: 'f32', ld: size }, b: { buffer: a, layout: 'f32', ld: size }, c: { buffer: c, ld: size } },
      'bench/probe',
    );
    const run = async (count: number) => {
      const encoder = device.createCommandEncoder({ label: 'bench/probe' });
      const pass = encoder.beginComputePass({ label: 'bench/probe' });
      for (let i = 0; i < count; i++) encodeDispatches(pass, [dispatch]);
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await run(1);
    const seconds = await timeOnce(run, repetitions);
    return gflops(repetitions * matmulFlops(size, size, size), seconds);
  } finally {
    resources.destroy();
  }
}
