/**
 * Reductions behind the NMF measures: β-divergence partial sums over a row
 * block of V, and per-component sums of a factor. Both write into a slot of
 * a shared partials buffer that the host reads back and sums in float64.
 */
import divergenceSource from '../../shaders/divergence_partials.wgsl?raw';
import statsSource from '../../shaders/factor_stats.wgsl?raw';
import type { PackedRows } from './elementwise.ts';
import { bindBuffers, createKernel, wgslConstant, type Dispatch, type Kernel, type KernelDescription } from './kernel.ts';
import type { GpuResources } from './resources.ts';

export const DIVERGENCE_PARTIALS: KernelDescription = {
  label: 'divergence-partials',
  source: divergenceSource,
  workgroupSize: [256, 1],
  elementsPerInvocation: [1, 1],
  bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
};

export const FACTOR_STATS: KernelDescription = {
  label: 'factor-stats',
  source: statsSource,
  // Components are short (a column of W, a row of H), and SwiftShader pays for every idle invocation at each barrier.
  workgroupSize: [64, 1],
  elementsPerInvocation: [1, 1],
  bindings: ['uniform', 'read-only-storage', 'storage'],
};

/** Partial sums per quantity of one divergence dispatch, read from the WGSL. */
export const DIVERGENCE_PARTIAL_COUNT = wgslConstant(divergenceSource, 'PARTIALS');

/** Values factor-stats writes per component: Σ|x|, Σx², zeros. */
export const STATS_PER_COMPONENT = 3;

/** Placement of the components in a factor: entry e of component c at e·entryStride + c·componentStride. */
export interface ComponentLayout {
  components: number;
  length: number;
  entryStride: number;
  componentStride: number;
}

export class ReductionKernels {
  private readonly divergence: Kernel;
  private readonly stats: Kernel;

  constructor(private readonly resources: GpuResources) {
    this.divergence = createKernel(resources.device, DIVERGENCE_PARTIALS);
    this.stats = createKernel(resources.device, FACTOR_STATS);
  }

  /**
   * Writes (or with `accumulate` adds) DIVERGENCE_PARTIAL_COUNT partial sums
   * of D_β over a rows × features block, and as many of ‖V − WH‖² right
   * after them, into `partials` from element `offset`. Blocks that
   * accumulate into one sum must share `groups`: that of the largest block.
   */
  divergencePartials(
    v: PackedRows,
    wh: { buffer: GPUBuffer; ld: number },
    rows: number,
    features: number,
    beta: number,
    partials: GPUBuffer,
    offset: number,
    accumulate: boolean,
    groups: number,
    label: string,
  ): Dispatch {
    const params = this.resources.uniform(`${label}/params`, [
      rows,
      features,
      wh.ld,
      v.ld,
      v.offset,
      offset,
      accumulate ? 1 : 0,
      { f32: beta },
    ]);
    return {
      kernel: this.divergence,
      bindGroup: bindBuffers(this.resources.device, this.divergence, [params, v.buffer, wh.buffer, partials], label),
      size: [groups, 1, 1],
    };
  }

  /**
   * Workgroups of a divergence sum over blocks of at most `elements`
   * elements: no more than the elements need, because every idle invocation
   * still waits at each barrier, which SwiftShader pays for in full.
   */
  divergenceGroups(elements: number): number {
    const perGroup = DIVERGENCE_PARTIALS.workgroupSize[0];
    return Math.max(1, Math.min(DIVERGENCE_PARTIAL_COUNT, Math.ceil(elements / perGroup)));
  }

  /** Writes Σ|x|, Σx² and the zero count of each component into `stats` from element `offset`. */
  factorStats(x: GPUBuffer, layout: ComponentLayout, stats: GPUBuffer, offset: number, label: string): Dispatch {
    const max = this.resources.device.limits.maxComputeWorkgroupsPerDimension;
    if (layout.components > max) {
      throw new RangeError(`${label}: ${layout.components} components need as many workgroups, but maxComputeWorkgroupsPerDimension is ${max}; use a lower rank`);
    }
    const params = this.resources.uniform(`${label}/params`, [layout.length, layout.entryStride, layout.componentStride, offset]);
    return {
      kernel: this.stats,
      bindGroup: bindBuffers(this.resources.device, this.stats, [params, x, stats], label),
      size: [layout.components, 1, 1],
    };
  }
}
