/**
 * The HALS coordinate-descent sweep of shaders/cd_update.wgsl: one dispatch
 * updates every row of a factor through all components in a given order.
 */
import source from '../../shaders/cd_update.wgsl?raw';
import { bindBuffers, createKernel, dispatchSizeLinear, type Dispatch, type Kernel, type KernelDescription } from './kernel.ts';
import type { GpuResources } from './resources.ts';

export const CD_UPDATE: KernelDescription = {
  label: 'cd-update',
  source,
  // Each invocation loops rank² times, so small workgroups keep more of them in flight on few rows.
  workgroupSize: [64, 1],
  elementsPerInvocation: [1, 1],
  bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage'],
};

export interface CdSweepSpec {
  /** The factor swept in place: W, or H read as Hᵀ. */
  x: GPUBuffer;
  /** rank × rank Gram matrix: H·Hᵀ for W, Wᵀ·W for H. */
  gram: GPUBuffer;
  /** The data term laid out like x: V·Hᵀ for W, Wᵀ·V for H. */
  dataTerm: GPUBuffer;
  /** rank u32 component indices, in visiting order. */
  order: GPUBuffer;
  rows: number;
  rank: number;
  rowStride: number;
  componentStride: number;
  l1: number;
  l2: number;
  /** Receives one violation partial sum per workgroup, from `offset`. */
  partials: GPUBuffer;
  offset: number;
}

export class CoordinateDescentKernels {
  private readonly kernel: Kernel;

  constructor(private readonly resources: GpuResources) {
    this.kernel = createKernel(resources.device, CD_UPDATE);
  }

  /** Workgroups, and so violation partials, of a sweep over `rows` rows. */
  partialCount(rows: number): number {
    const [x, y] = dispatchSizeLinear(CD_UPDATE, rows, this.resources.device.limits.maxComputeWorkgroupsPerDimension);
    return x * y;
  }

  sweep(spec: CdSweepSpec, label: string): Dispatch {
    const device = this.resources.device;
    const params = this.resources.uniform(`${label}/params`, [
      spec.rows,
      spec.rank,
      spec.rowStride,
      spec.componentStride,
      spec.offset,
      { f32: spec.l1 },
      { f32: spec.l2 },
    ]);
    return {
      kernel: this.kernel,
      bindGroup: bindBuffers(device, this.kernel, [params, spec.gram, spec.dataTerm, spec.order, spec.x, spec.partials], label),
      size: dispatchSizeLinear(CD_UPDATE, spec.rows, device.limits.maxComputeWorkgroupsPerDimension),
    };
  }
}
