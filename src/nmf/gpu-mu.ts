/**
 * One multiplicative-update iteration on the GPU, W and then H, for any β.
 *
 * β = 2 needs no W·H: the numerators are V·Hᵀ and Wᵀ·V, products with the
 * packed V, and the denominators go through the rank × rank Gram matrices.
 *
 * Other β need (W·H) elementwise. Each half-iteration computes W·H one piece
 * of rows at a time into a scratch buffer, turns it in place into
 * E = V ⊙ (WH)^(β−2) and D = (WH)^(β−1) (shaders/beta_terms.wgsl), and
 * multiplies E and D by Hᵀ (or Wᵀ) with the shared matmul kernel. V is read
 * once per half-iteration and W·H never exists for all of V, because the
 * scratch takes 8 · features bytes per row of a piece only. Fusing the powers into the
 * product kernel would save that memory traffic but not a flop (W·H costs the
 * same rank multiply-adds per element either way) and would need a second
 * matmul, so the pieces keep one tuned product kernel for everything.
 * For β = 1, D·Hᵀ is the row sums of H (Wᵀ·D the column sums of W), a
 * rank-long vector that the update kernel broadcasts.
 */
import type { Dispatch } from '../gpu/kernel.ts';
import { product, reconstructPiece, type SolverContext } from './gpu-context.ts';
import type { FrobeniusProducts } from './gpu-products.ts';
import { FLOAT64_EPSILON } from './reference/mu.ts';

/** The dispatches of one MU iteration; `frobenius` must be given for β = 2. */
export function muIteration(ctx: SolverContext, frobenius: FrobeniusProducts | null): Dispatch[] {
  const { beta } = ctx.settings;
  const halves = beta === 2 ? frobeniusHalves(ctx, frobenius!) : betaHalves(ctx);
  return ctx.updateH ? [...halves.w, ...halves.h] : halves.w;
}

interface Halves {
  w: Dispatch[];
  h: Dispatch[];
}

/** scikit-learn's clipping after the step: W for β < 1, H for β ≤ 1. */
function clipping(ctx: SolverContext): { w: number; h: number } {
  const { beta } = ctx.settings;
  return { w: beta < 1 ? FLOAT64_EPSILON : 0, h: beta <= 1 ? FLOAT64_EPSILON : 0 };
}

function frobeniusHalves(ctx: SolverContext, products: FrobeniusProducts): Halves {
  const { W, H, rank, resources, label, penalties, elementwise } = ctx;
  const { samples, features } = ctx.v;
  const whht = resources.storage(`${label}/W·H·Hᵀ`, samples * rank * 4);
  const wtwh = resources.storage(`${label}/Wᵀ·W·H`, rank * features * 4);

  const w = [
    ...products.forW,
    product(ctx, { m: samples, n: rank, k: rank, a: { buffer: W, layout: 'f32', ld: rank }, b: { buffer: products.hht, layout: 'f32', ld: rank }, c: { buffer: whht, ld: rank } }, 'W·H·Hᵀ'),
    elementwise.multiplicativeUpdate(W, products.vht, whht, samples * rank, `${label}/update-W`, { l1: penalties.l1W, l2: penalties.l2W }),
  ];
  const h = [
    ...products.forH,
    product(ctx, { m: rank, n: features, k: rank, a: { buffer: products.wtw, layout: 'f32', ld: rank }, b: { buffer: H, layout: 'f32', ld: features }, c: { buffer: wtwh, ld: features } }, 'Wᵀ·W·H'),
    elementwise.multiplicativeUpdate(H, products.wtv, wtwh, rank * features, `${label}/update-H`, { l1: penalties.l1H, l2: penalties.l2H }),
  ];
  return { w, h };
}

function betaHalves(ctx: SolverContext): Halves {
  const { W, H, rank, resources, label, penalties, elementwise, settings, v, pieces } = ctx;
  const { samples, features } = v;
  const { beta, gamma } = settings;
  const scratch = ctx.scratch!;
  const ld = 2 * features;
  const f32 = (name: string, count: number) => resources.storage(`${label}/${name}`, count * 4);
  const clip = clipping(ctx);

  const numeratorW = f32('(V⊙WH^(β−2))·Hᵀ', samples * rank);
  const numeratorH = f32('Wᵀ·(V⊙WH^(β−2))', rank * features);
  const terms = (piece: (typeof pieces)[number], half: string) => [
    reconstructPiece(ctx, piece, half),
    elementwise.betaTerms(v.rowsOf(piece.block, piece.start), scratch, piece.rows, features, ld, beta, `${label}/${half}/E,D[${piece.start}]`),
  ];

  const w: Dispatch[] = [];
  const h: Dispatch[] = [];
  let denominatorW: GPUBuffer;
  let denominatorH: GPUBuffer;
  if (beta === 1) {
    // Σ_j H[t, j] and Σ_i W[i, t], as products with a vector of ones.
    const ones = resources.storage(`${label}/ones`, new Float32Array(Math.max(samples, features)).fill(1));
    denominatorW = f32('H·1', rank);
    denominatorH = f32('Wᵀ·1', rank);
    w.push(product(ctx, { m: rank, n: 1, k: features, a: { buffer: H, layout: 'f32', ld: features }, b: { buffer: ones, layout: 'f32', ld: 1 }, c: { buffer: denominatorW, ld: 1 } }, 'H·1'));
    h.push(product(ctx, { m: rank, n: 1, k: samples, a: { buffer: W, layout: 'f32-transposed', ld: rank }, b: { buffer: ones, layout: 'f32', ld: 1 }, c: { buffer: denominatorH, ld: 1 } }, 'Wᵀ·1'));
  } else {
    denominatorW = f32('WH^(β−1)·Hᵀ', samples * rank);
    denominatorH = f32('Wᵀ·WH^(β−1)', rank * features);
  }

  for (const piece of pieces) {
    w.push(...terms(piece, 'update-W'));
    const rowsOfW = { ld: rank, offset: piece.start * rank };
    w.push(product(ctx, { m: piece.rows, n: rank, k: features, a: { buffer: scratch, layout: 'f32', ld }, b: { buffer: H, layout: 'f32-transposed', ld: features }, c: { buffer: numeratorW, ...rowsOfW } }, `E·Hᵀ[${piece.start}]`));
    if (beta !== 1) {
      w.push(product(ctx, { m: piece.rows, n: rank, k: features, a: { buffer: scratch, layout: 'f32', ld, offset: features }, b: { buffer: H, layout: 'f32-transposed', ld: features }, c: { buffer: denominatorW, ...rowsOfW } }, `D·Hᵀ[${piece.start}]`));
    }
  }
  w.push(
    elementwise.multiplicativeUpdate(W, numeratorW, denominatorW, samples * rank, `${label}/update-W`, {
      denominatorLayout: beta === 1 ? 'per-column' : 'full',
      cols: rank,
      l1: penalties.l1W,
      l2: penalties.l2W,
      gamma,
      zeroBelow: clip.w,
    }),
  );

  pieces.forEach((piece, index) => {
    h.push(...terms(piece, 'update-H'));
    const transposedW = { buffer: W, layout: 'f32-transposed' as const, ld: rank, offset: piece.start * rank };
    const accumulate = index > 0;
    h.push(product(ctx, { m: rank, n: features, k: piece.rows, a: transposedW, b: { buffer: scratch, layout: 'f32', ld }, c: { buffer: numeratorH, ld: features }, accumulate }, `Wᵀ·E[${piece.start}]`));
    if (beta !== 1) {
      h.push(product(ctx, { m: rank, n: features, k: piece.rows, a: transposedW, b: { buffer: scratch, layout: 'f32', ld, offset: features }, c: { buffer: denominatorH, ld: features }, accumulate }, `Wᵀ·D[${piece.start}]`));
    }
  });
  h.push(
    elementwise.multiplicativeUpdate(H, numeratorH, denominatorH, rank * features, `${label}/update-H`, {
      denominatorLayout: beta === 1 ? 'per-row' : 'full',
      cols: features,
      zeroDenominatorIsOne: beta === 1,
      l1: penalties.l1H,
      l2: penalties.l2H,
      gamma,
      zeroBelow: clip.h,
    }),
  );
  return { w, h };
}
