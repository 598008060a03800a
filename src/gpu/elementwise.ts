/**
 * The elementwise and reduction kernels NMF needs besides matrix products.
 */
import betaSource from '../../shaders/beta_terms.wgsl?raw';
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

export const BETA_TERMS: KernelDescription = {
  label: 'beta-terms',
  source: betaSource,
  workgroupSize: [256, 1],
  elementsPerInvocation: [1, 1],
  bindings: ['uniform', 'read-only-storage', 'storage'],
};

/**
 * The MU step's settings besides its operands (see shaders/mu_update.wgsl).
 * The defaults give the plain Frobenius step x · numerator / denominator.
 */
export interface MuUpdateSettings {
  /** Storage of the denominator: a full matrix, or one value per column or per row of x. */
  denominatorLayout?: 'full' | 'per-column' | 'per-row';
  /** Columns of x, for the broadcast layouts. */
  cols?: number;
  /** Reads a zero broadcast denominator as 1, as scikit-learn does for the column sums of W. */
  zeroDenominatorIsOne?: boolean;
  l1?: number;
  l2?: number;
  /** Exponent of the step; 1 for 1 ≤ β ≤ 2. */
  gamma?: number;
  /** Entries that end below this become 0. */
  zeroBelow?: number;
}

const DENOMINATOR_LAYOUT = { full: 0, 'per-column': 1, 'per-row': 2 } as const;

/** Location of a row block of packed V: its buffer, its first word and its words per row. */
export interface PackedRows {
  buffer: GPUBuffer;
  /** Offset of the block's first row, in u32 words. */
  offset: number;
  /** u32 words per row. */
  ld: number;
}

/** Partial sums one dot product writes, read from the WGSL so the two never drift. */
export const DOT_PARTIAL_COUNT = wgslConstant(dotSource, 'PARTIALS');

/** Builds dispatches of the elementwise kernels on one device. */
export class ElementwiseKernels {
  private readonly update: Kernel;
  private readonly dot: Kernel;
  private readonly betaKernels = new Map<boolean, Kernel>();

  constructor(private readonly resources: GpuResources) {
    this.update = createKernel(resources.device, MU_UPDATE);
    this.dot = createKernel(resources.device, DOT_PARTIALS);
  }

  /** x ← x · (numerator / max(denominator + l1 + l2·x, ε))^γ over `count` elements. */
  multiplicativeUpdate(
    x: GPUBuffer,
    numerator: GPUBuffer,
    denominator: GPUBuffer,
    count: number,
    label: string,
    settings: MuUpdateSettings = {},
  ): Dispatch {
    const device = this.resources.device;
    const params = this.resources.uniform(`${label}/params`, [
      count,
      settings.cols ?? 1,
      DENOMINATOR_LAYOUT[settings.denominatorLayout ?? 'full'],
      settings.zeroDenominatorIsOne ? 1 : 0,
      { f32: settings.l1 ?? 0 },
      { f32: settings.l2 ?? 0 },
      { f32: settings.gamma ?? 1 },
      { f32: settings.zeroBelow ?? 0 },
    ]);
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

  /**
   * Overwrites a rows × features block of W·H in `terms` (row stride `ld`)
   * with E = V ⊙ (WH)^(β−2), and unless β = 1 writes D = (WH)^(β−1) in the
   * `features` columns after it.
   */
  betaTerms(v: PackedRows, terms: GPUBuffer, rows: number, features: number, ld: number, beta: number, label: string): Dispatch {
    const writeD = beta !== 1;
    let kernel = this.betaKernels.get(writeD);
    if (!kernel) {
      kernel = createKernel(this.resources.device, BETA_TERMS, { WRITE_D: Number(writeD) }, writeD ? 'E-and-D' : 'E');
      this.betaKernels.set(writeD, kernel);
    }
    const params = this.resources.uniform(`${label}/params`, [rows, features, ld, v.ld, v.offset, { f32: beta }]);
    const device = this.resources.device;
    return {
      kernel,
      bindGroup: bindBuffers(device, kernel, [params, v.buffer, terms], label),
      size: dispatchSizeLinear(BETA_TERMS, rows * features, device.limits.maxComputeWorkgroupsPerDimension),
    };
  }
}
