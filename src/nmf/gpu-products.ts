/**
 * The four products of the Frobenius loss that MU (β = 2), coordinate
 * descent and the β = 2 loss share: H·Hᵀ and V·Hᵀ for W's update, Wᵀ·W and
 * Wᵀ·V for H's. V enters as packed 8-bit row blocks, so no f32 copy of V
 * exists.
 */
import type { Dispatch } from '../gpu/kernel.ts';
import { product, type SolverContext } from './gpu-context.ts';

export interface FrobeniusProducts {
  /** rank × rank */
  hht: GPUBuffer;
  /** samples × rank */
  vht: GPUBuffer;
  /** rank × rank */
  wtw: GPUBuffer;
  /** rank × features */
  wtv: GPUBuffer;
  /** H·Hᵀ and V·Hᵀ of the current W and H. */
  forW: Dispatch[];
  /** Wᵀ·W and Wᵀ·V of the current W. */
  forH: Dispatch[];
  /** H·Hᵀ alone. */
  gramH: Dispatch;
}

export function frobeniusProducts(ctx: SolverContext): FrobeniusProducts {
  const { W, H, rank, v, resources, label } = ctx;
  const { samples, features } = v;
  const f32 = (name: string, count: number) => resources.storage(`${label}/${name}`, count * 4);
  const hht = f32('H·Hᵀ', rank * rank);
  const vht = f32('V·Hᵀ', samples * rank);
  const wtw = f32('Wᵀ·W', rank * rank);
  const wtv = f32('Wᵀ·V', rank * features);

  const gramH = product(
    ctx,
    { m: rank, n: rank, k: features, a: { buffer: H, layout: 'f32', ld: features }, b: { buffer: H, layout: 'f32-transposed', ld: features }, c: { buffer: hht, ld: rank } },
    'H·Hᵀ',
  );
  const vhtBlocks = v.blocks.map((block) =>
    product(
      ctx,
      {
        m: block.rows,
        n: rank,
        k: features,
        a: { buffer: block.buffer, layout: 'u8', ld: v.rowWords },
        b: { buffer: H, layout: 'f32-transposed', ld: features },
        c: { buffer: vht, ld: rank, offset: block.start * rank },
      },
      `V·Hᵀ[${block.start}]`,
    ),
  );
  const gramW = product(
    ctx,
    { m: rank, n: rank, k: samples, a: { buffer: W, layout: 'f32-transposed', ld: rank }, b: { buffer: W, layout: 'f32', ld: rank }, c: { buffer: wtw, ld: rank } },
    'Wᵀ·W',
  );
  const wtvBlocks = v.blocks.map((block, index) =>
    product(
      ctx,
      {
        m: rank,
        n: features,
        k: block.rows,
        a: { buffer: W, layout: 'f32-transposed', ld: rank, offset: block.start * rank },
        b: { buffer: block.buffer, layout: 'u8', ld: v.rowWords },
        c: { buffer: wtv, ld: features },
        accumulate: index > 0,
      },
      `Wᵀ·V[${block.start}]`,
    ),
  );
  return { hht, vht, wtw, wtv, forW: [gramH, ...vhtBlocks], forH: [gramW, ...wtvBlocks], gramH };
}
