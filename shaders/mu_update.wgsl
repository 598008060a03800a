// Multiplicative update of one factor x (W or H) for the β-divergence:
//   x ← x · (numerator / max(denominator + l1 + l2 · x, EPSILON))^gamma
// and then x ← 0 where x < zero_below.
//
// The host computes numerator and denominator with matrix products: for the
// Frobenius loss V·Hᵀ over W·(H·Hᵀ) (W) and Wᵀ·V over (Wᵀ·W)·H (H); for
// other β, (V ⊙ (WH)^(β−2))·Hᵀ over (WH)^(β−1)·Hᵀ and the same with Wᵀ on
// the left. For β = 1 the denominator is one sum per component, which
// `denominator_layout` broadcasts instead of materialising a matrix:
//   0  denominator[index]                 a full matrix, like x
//   1  denominator[index % cols]          one value per column (W: Σ of each row of H)
//   2  denominator[index / cols]          one value per row (H: Σ of each column of W)
// `zero_denominator_is_one` puts 1 in place of a zero broadcast value before
// the penalties are added, as scikit-learn does for the column sums of W.
//
// EPSILON is the f32 machine epsilon (2⁻²³), the value scikit-learn puts in
// place of a zero denominator. Taking the maximum instead also keeps a tiny
// positive denominator from overflowing the quotient, and the numerator and
// the result are clamped to the largest f32, so x stays finite. An entry that
// is 0 stays 0, as the product x · ratio makes it in exact arithmetic.
// `zero_below` is scikit-learn's clipping for β < 1 (W) and β ≤ 1 (H): the
// float64 epsilon 2⁻⁵², a normal f32 number, so the threshold is the same.
//
// Threads: one invocation updates one element. Dispatch:
// (min(G, maxComputeWorkgroupsPerDimension), ceil(G / that), 1) with
// G = ceil(count / WORKGROUP_X), from dispatchSizeLinear() in src/gpu/kernel.ts;
// the flat index is x + y · num_workgroups.x · WORKGROUP_X.
//
// Bindings (group 0):
//   0  params       uniform            Params
//   1  numerator    read-only storage  array<f32>  count
//   2  denominator  read-only storage  array<f32>  count, cols or count / cols (see above)
//   3  x            storage            array<f32>  count, updated in place

override WORKGROUP_X: u32 = 256u;
override WORKGROUP_Y: u32 = 1u;

const EPSILON: f32 = 1.1920929e-7;
const F32_MAX: f32 = 0x1.fffffep+127f;

struct Params {
  count: u32,
  cols: u32,
  denominator_layout: u32,
  zero_denominator_is_one: u32,
  l1: f32,
  l2: f32,
  gamma: f32,
  zero_below: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> numerator: array<f32>;
@group(0) @binding(2) var<storage, read> denominator: array<f32>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>;

fn denominator_at(index: u32) -> f32 {
  switch (params.denominator_layout) {
    case 1u: {
      return denominator[index % params.cols];
    }
    case 2u: {
      return denominator[index / params.cols];
    }
    default: {
      return denominator[index];
    }
  }
}

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = id.x + id.y * groups.x * WORKGROUP_X;
  if (index >= params.count) {
    return;
  }
  let old = x[index];
  if (old == 0.0) {
    return;
  }

  var d = denominator_at(index);
  if (params.zero_denominator_is_one != 0u && d == 0.0) {
    d = 1.0;
  }
  d = max(d + params.l1 + params.l2 * old, EPSILON);
  var ratio = min(numerator[index], F32_MAX) / d;
  if (params.gamma != 1.0 && ratio > 0.0) {
    ratio = exp2(params.gamma * log2(ratio));
  }
  var updated = min(old * ratio, F32_MAX);
  if (updated < params.zero_below) {
    updated = 0.0;
  }
  x[index] = updated;
}
