/**
 * The measures of the current W and H on the GPU: the loss partials and the
 * per-component sums of both factors, written to the work buffer, and the
 * host-side decoding of a read-back slot into `MeasuredSums`.
 *
 * β = 2 needs no W·H: ‖V − W·H‖² = ‖V‖² − 2⟨H, Wᵀ·V⟩ + ⟨Wᵀ·W, H·Hᵀ⟩.
 * Other β compute W·H a piece of rows at a time and sum each element's
 * divergence term (shaders/divergence_partials.wgsl).
 */
import type { Dispatch } from '../gpu/kernel.ts';
import { STATS_PER_COMPONENT } from '../gpu/reductions.ts';
import { reconstructPiece, type SolverContext } from './gpu-context.ts';
import type { FrobeniusProducts } from './gpu-products.ts';
import type { ComponentStats, MeasuredSums } from './measures.ts';

export interface MeasureDispatches {
  /** For right after an iteration that updated H: reuses its Wᵀ·W and Wᵀ·V. */
  afterIteration: Dispatch[];
  /** For any time: computes every product it needs. */
  standalone: Dispatch[];
}

export function measureDispatches(ctx: SolverContext, frobenius: FrobeniusProducts | null): MeasureDispatches {
  const { W, H, rank, label, reductions, elementwise, work, layout, v } = ctx;
  const stats = [
    reductions.factorStats(W, { components: rank, length: v.samples, entryStride: rank, componentStride: 1 }, work, layout.statsW, `${label}/stats-W`),
    reductions.factorStats(H, { components: rank, length: v.features, entryStride: 1, componentStride: v.features }, work, layout.statsH, `${label}/stats-H`),
  ];

  if (ctx.settings.beta === 2) {
    const products = frobenius!;
    const loss = [
      products.gramH,
      elementwise.dotPartials(H, products.wtv, rank * v.features, work, layout.loss, `${label}/loss/⟨H,WᵀV⟩`),
      elementwise.dotPartials(products.wtw, products.hht, rank * rank, work, layout.loss + layout.lossPartials, `${label}/loss/⟨WᵀW,HHᵀ⟩`),
    ];
    // An iteration that updated H computed Wᵀ·W and Wᵀ·V from the final W, for MU and CD alike.
    return {
      afterIteration: ctx.updateH ? [...loss, ...stats] : [...products.forH, ...loss, ...stats],
      standalone: [...products.forH, ...loss, ...stats],
    };
  }

  const groups = reductions.divergenceGroups(Math.max(...ctx.pieces.map((piece) => piece.rows)) * v.features);
  const loss = ctx.pieces.flatMap((piece, index) => [
    reconstructPiece(ctx, piece, 'loss'),
    reductions.divergencePartials(
      v.rowsOf(piece.block, piece.start),
      { buffer: ctx.scratch!, ld: 2 * v.features },
      piece.rows,
      v.features,
      ctx.settings.beta,
      work,
      layout.loss,
      index > 0,
      groups,
      `${label}/loss[${piece.start}]`,
    ),
  ]);
  return { afterIteration: [...loss, ...stats], standalone: [...loss, ...stats] };
}

/** Decodes one measure slot that starts at `offset` in `values`. */
export function decodeMeasure(ctx: Pick<SolverContext, 'settings' | 'rank' | 'layout' | 'v'>, values: Float32Array, offset: number): MeasuredSums {
  const { layout, rank, v } = ctx;
  const first = sum(values, offset + layout.loss, layout.lossPartials);
  const second = sum(values, offset + layout.loss + layout.lossPartials, layout.lossPartials);
  let divergence: number;
  let squaredResidual: number;
  if (ctx.settings.beta === 2) {
    squaredResidual = v.stats.squaredNorm - 2 * first + second;
    divergence = squaredResidual / 2;
  } else {
    divergence = first;
    squaredResidual = second;
  }
  return {
    divergence,
    squaredResidual,
    W: componentSums(values, offset + layout.statsW, rank, v.samples),
    H: componentSums(values, offset + layout.statsH, rank, v.features),
  };
}

/** Sums `count` values from `from` in float64. */
export function sum(values: Float32Array, from: number, count: number): number {
  let total = 0;
  for (let i = from; i < from + count; i++) total += values[i];
  return total;
}

function componentSums(values: Float32Array, from: number, rank: number, length: number): ComponentStats {
  const l1 = new Float64Array(rank);
  const squaredL2 = new Float64Array(rank);
  let zeros = 0;
  for (let c = 0; c < rank; c++) {
    const at = from + STATS_PER_COMPONENT * c;
    l1[c] = values[at];
    squaredL2[c] = values[at + 1];
    zeros += values[at + 2];
  }
  return { l1, squaredL2, zeros, length };
}
