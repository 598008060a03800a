/**
 * The state that the parts of the GPU solver share: the device, the kernels,
 * V, the factor buffers and the settings. It also fixes the layout of the
 * `work` buffer, which the measure and violation reductions write into before
 * the loop copies their output to a read-back slot.
 */
import type { CoordinateDescentKernels } from '../gpu/coordinate-descent.ts';
import type { ElementwiseKernels } from '../gpu/elementwise.ts';
import type { MatmulKernels, MatmulSpec } from '../gpu/matmul.ts';
import { DOT_PARTIAL_COUNT } from '../gpu/elementwise.ts';
import { DIVERGENCE_PARTIAL_COUNT, STATS_PER_COMPONENT, type ReductionKernels } from '../gpu/reductions.ts';
import type { GpuResources } from '../gpu/resources.ts';
import type { GpuMatrixV, VBlock } from './gpu-matrix-v.ts';
import type { NmfSettings, Regularization } from './options.ts';

/** A run of rows of V small enough for the W·H scratch buffer. */
export interface Piece {
  block: VBlock;
  start: number;
  rows: number;
}

export interface SolverContext {
  device: GPUDevice;
  resources: GpuResources;
  matmul: MatmulKernels;
  elementwise: ElementwiseKernels;
  reductions: ReductionKernels;
  coordinateDescent: CoordinateDescentKernels;
  v: GpuMatrixV;
  settings: NmfSettings;
  penalties: Regularization;
  rank: number;
  /** samples × rank, row-major. */
  W: GPUBuffer;
  /** rank × features, row-major. */
  H: GPUBuffer;
  /** False keeps H fixed, as scikit-learn's `transform` does. */
  updateH: boolean;
  label: string;
  /** Row pieces of V, each within the scratch buffer. */
  pieces: Piece[];
  /** rows × 2·features f32 for the largest piece: W·H, then E and D (β ≠ 2 only). */
  scratch: GPUBuffer | null;
  /** Output buffer of the reductions, laid out by `layout`. */
  work: GPUBuffer;
  layout: WorkLayout;
}

/**
 * Offsets, in f32 elements, within `work` and within each read-back slot.
 * A measure writes two runs of loss partials and then per-component sums of
 * W and of H; a CD iteration writes its W and H violation partials after it.
 */
export interface WorkLayout {
  /**
   * Loss partials: `lossPartials` values of ⟨H, WᵀV⟩ (β = 2) or of the
   * divergence, then as many of ⟨WᵀW, HHᵀ⟩ or of ‖V − WH‖².
   */
  loss: number;
  lossPartials: number;
  statsW: number;
  statsH: number;
  /** Floats of one measure. */
  measureSize: number;
  violationW: number;
  violationH: number;
  /** Floats of one iteration's violations. */
  violationSize: number;
  /** Floats of the work buffer. */
  size: number;
}

export function workLayout(beta: number, rank: number, violationPartialsW: number, violationPartialsH: number): WorkLayout {
  const lossPartials = beta === 2 ? DOT_PARTIAL_COUNT : DIVERGENCE_PARTIAL_COUNT;
  const statsW = 2 * lossPartials;
  const statsH = statsW + STATS_PER_COMPONENT * rank;
  const measureSize = statsH + STATS_PER_COMPONENT * rank;
  return {
    loss: 0,
    lossPartials,
    statsW,
    statsH,
    measureSize,
    violationW: measureSize,
    violationH: measureSize + violationPartialsW,
    violationSize: violationPartialsW + violationPartialsH,
    size: measureSize + violationPartialsW + violationPartialsH,
  };
}

/** Records a product whose label is the context's label plus `name`. */
export function product(ctx: SolverContext, spec: MatmulSpec, name: string) {
  return ctx.matmul.prepare(spec, `${ctx.label}/${name}`);
}

/** W·H for the rows of one piece, into the scratch buffer with row stride 2·features. */
export function reconstructPiece(ctx: SolverContext, piece: Piece, name: string) {
  const { rank } = ctx;
  const features = ctx.v.features;
  return product(
    ctx,
    {
      m: piece.rows,
      n: features,
      k: rank,
      a: { buffer: ctx.W, layout: 'f32', ld: rank, offset: piece.start * rank },
      b: { buffer: ctx.H, layout: 'f32', ld: features },
      c: { buffer: ctx.scratch!, ld: 2 * features },
    },
    `${name}/W·H[${piece.start}]`,
  );
}
