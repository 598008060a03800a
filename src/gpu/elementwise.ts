/**
 * The elementwise and reduction kernels NMF needs besides matrix products.
 */
import muSource from '../../shaders/mu_update.wgsl?raw';
import dotSource from '../../shaders/dot_partials.wgsl?raw';
import { bindBuffers, createKernel, dispatchSizeLinear, wgslConstant, type Dispatch, type Kernel, type KernelDescription } from './kernel.ts';
import type { GpuResources } from './resources.ts';

export const MU_UPDATE: KernelDescription = {
  label: 'mu-update',
  source: muSource,
  workgroupSize: [256, 1],
  elementsPerInvocation: [1, 1],
  bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
};

export const DOT_PARTIALS: KernelDescription = {
  label: 'dot-partials',
  source: dotSource,
  workgroupSize: [64, 1],
  elementsPerInvocation: [1, 1],
  bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
};

/** Partial sums one dot product writes, read from the WGSL so the two never drift. */
export const DOT_PARTIAL_COUNT = wgslConstant(dotSource, 'PARTIALS');

/** Builds dispatches of the elementwise kernels on one device. */
export class ElementwiseKernels {
  private readonly update: Kernel;
  private readonly dot: Kernel;

  constructor(private readonly resources: GpuResources) {
    this.update = createKernel(resources.device, MU_UPDATE);
    this.dot = createKernel(resources.device, DOT_PARTIALS);
  }

  /** x ← x · numerator / max(denominator, ε) over `count` elements. */
  multiplicativeUpdate(x: GPUBuffer, numerator: GPUBuffer, denominator: GPUBuffer, count: number, label: string): Dispatch {
    const device = this.resources.device;
    const params = this.resources.uniform(`${label}/params`, [count]);
    return {
      kernel: this.update,
      bindGroup: bindBuffers(device, this.update, [params, numerator, denominator, x], label),
      size: dispatchSizeLinear(MU_UPDATE, count, device.limits.maxComputeWorkgroupsPerDimension),
    };
  }

  /** Writes DOT_PARTIAL_COUNT partial sums of Σ x·y into `partials` from element `offset` on. */
  dotPartials(x: GPUBuffer, y: GPUBuffer, count: number, partials: GPUBuffer, offset: number, label: string): Dispatch {
    const params = this.resources.uniform(`${label}/params`, [count, offset]);
    return {
      kernel: this.dot,
      bindGroup: bindBuffers(this.resources.device, this.dot, [params, x, y, partials], label),
      size: [DOT_PARTIAL_COUNT / DOT_PARTIALS.workgroupSize[0], 1, 1],
    };
  }
}
