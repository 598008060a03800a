/**
 * One HALS coordinate-descent iteration on the GPU (scikit-learn's
 * `solver='cd'`): the products H·Hᵀ and V·Hᵀ, one sweep over W, then Wᵀ·W and
 * Wᵀ·V, one sweep over H. Each sweep is a single dispatch because the rows of
 * a factor are independent within it (see shaders/cd_update.wgsl).
 *
 * The sweeps read their component orders from `orderW` and `orderH`. Before
 * each iteration the loop copies that iteration's orders into them from a
 * per-submit table, so shuffled runs reuse the same bind groups.
 */
import type { Dispatch } from '../gpu/kernel.ts';
import type { SolverContext } from './gpu-context.ts';
import type { FrobeniusProducts } from './gpu-products.ts';

export interface CdIteration {
  dispatches: Dispatch[];
  /** rank u32 indices: the order of W's sweep. */
  orderW: GPUBuffer;
  /** rank u32 indices: the order of H's sweep. */
  orderH: GPUBuffer;
}

export function cdIteration(ctx: SolverContext, products: FrobeniusProducts): CdIteration {
  const { W, H, rank, resources, label, penalties, coordinateDescent, layout, work } = ctx;
  const { samples, features } = ctx.v;
  const identity = Uint32Array.from({ length: rank }, (_, i) => i);
  const orderW = resources.storage(`${label}/order-W`, identity);
  const orderH = resources.storage(`${label}/order-H`, identity);

  const sweepW = coordinateDescent.sweep(
    {
      x: W,
      gram: products.hht,
      dataTerm: products.vht,
      order: orderW,
      rows: samples,
      rank,
      rowStride: rank,
      componentStride: 1,
      l1: penalties.l1W,
      l2: penalties.l2W,
      partials: work,
      offset: layout.violationW,
    },
    `${label}/cd-W`,
  );
  const dispatches = [...products.forW, sweepW];
  if (ctx.updateH) {
    // H is rank × features, so as Hᵀ a row j steps by 1 and a component by `features`; Wᵀ·V lines up the same way.
    const sweepH = coordinateDescent.sweep(
      {
        x: H,
        gram: products.wtw,
        dataTerm: products.wtv,
        order: orderH,
        rows: features,
        rank,
        rowStride: 1,
        componentStride: features,
        l1: penalties.l1H,
        l2: penalties.l2H,
        partials: work,
        offset: layout.violationH,
      },
      `${label}/cd-H`,
    );
    dispatches.push(...products.forH, sweepH);
  }
  return { dispatches, orderW, orderH };
}
