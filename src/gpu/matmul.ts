/**
 * Matrix products on the GPU, through the one register-blocked kernel in
 * shaders/matmul.wgsl. A product is described by its logical shape
 * (C is M × N, the shared dimension K) and by how each operand is stored, so
 * NMF never materialises a transpose.
 */
import source from '../../shaders/matmul.wgsl?raw';
import {
  bindBuffers,
  createKernel,
  dispatchSize,
  wgslConstant,
  type Dispatch,
  type Kernel,
  type KernelDescription,
} from './kernel.ts';
import type { GpuResources } from './resources.ts';

export const MATMUL: KernelDescription = {
  label: 'matmul',
  source,
  workgroupSize: [8, 8],
  elementsPerInvocation: [wgslConstant(source, 'TILE_N'), wgslConstant(source, 'TILE_M')],
  bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
};

/**
 * Storage layout of an operand.
 * - `f32`: row-major as the product uses it.
 * - `f32-transposed`: row-major as its transpose, so the kernel reads it transposed.
 * - `u8`: 8-bit pixels packed four per u32 along rows, rows padded to whole words.
 */
export type OperandLayout = 'f32' | 'f32-transposed' | 'u8';

export interface Operand {
  buffer: GPUBuffer;
  layout: OperandLayout;
  /** Row stride of the stored matrix, in u32 words. */
  ld: number;
  /** Offset of the first element, in u32 words. */
  offset?: number;
}

export interface MatmulSpec {
  /** Rows of C and of op(A). */
  m: number;
  /** Columns of C and of op(B). */
  n: number;
  /** Columns of op(A) and rows of op(B). */
  k: number;
  a: Operand;
  b: Operand;
  c: { buffer: GPUBuffer; ld: number; offset?: number };
  /** Adds the product to C instead of overwriting it. */
  accumulate?: boolean;
}

/** Pipelines for every operand layout combination, built on first use. */
export class MatmulKernels {
  private readonly kernels = new Map<string, Kernel>();

  /**
   * @param maxWorkgroupsPerDimension lowers the device's
   *   maxComputeWorkgroupsPerDimension, so tests can exercise the fold of
   *   wide outputs into z on small matrices.
   */
  constructor(
    private readonly resources: GpuResources,
    private readonly maxWorkgroupsPerDimension = resources.device.limits.maxComputeWorkgroupsPerDimension,
  ) {}

  private kernel(a: OperandLayout, b: OperandLayout): Kernel {
    const variant = `${a}x${b}`;
    let kernel = this.kernels.get(variant);
    if (!kernel) {
      kernel = createKernel(
        this.resources.device,
        MATMUL,
        {
          A_PACKED: Number(a === 'u8'),
          A_TRANSPOSED: Number(a === 'f32-transposed'),
          B_PACKED: Number(b === 'u8'),
          B_TRANSPOSED: Number(b === 'f32-transposed'),
        },
        variant,
      );
      this.kernels.set(variant, kernel);
    }
    return kernel;
  }

  /** Records one product as a dispatch that can be encoded any number of times. */
  prepare(spec: MatmulSpec, label: string): Dispatch {
    const { m, n, k, a, b, c } = spec;
    if (a.layout === 'u8' && a.ld * 4 < k) {
      throw new RangeError(`${label}: packed A has ${a.ld} words per row, fewer than K = ${k} pixels need`);
    }
    if (b.layout === 'u8' && b.ld * 4 < n) {
      throw new RangeError(`${label}: packed B has ${b.ld} words per row, fewer than N = ${n} pixels need`);
    }
    const kernel = this.kernel(a.layout, b.layout);
    const params = this.resources.uniform(`${label}/params`, [
      m,
      n,
      k,
      a.ld,
      b.ld,
      c.ld,
      a.offset ?? 0,
      b.offset ?? 0,
      c.offset ?? 0,
      spec.accumulate ? 1 : 0,
    ]);
    const device = this.resources.device;
    return {
      kernel,
      bindGroup: bindBuffers(device, kernel, [params, a.buffer, b.buffer, c.buffer], label),
      size: dispatchSize(MATMUL, n, m, this.maxWorkgroupsPerDimension),
    };
  }
}
