// The elementwise factors of the β-divergence MU step (β ≠ 2), for one row
// block of V, overwriting the block of W·H they are computed from:
//   E = V ⊙ (WH)^(β−2)    written over WH, columns 0 .. features−1
//   D = (WH)^(β−1)        written beside it, columns features .. 2·features−1
// so that the host multiplies E and D by Hᵀ (W's update) or Wᵀ (H's update).
// For β = 1 (WRITE_D false) D is not needed: its product is a sum of H or W.
//
// The host computes the block WH with one matrix product into `terms`
// (row stride `ld` = 2·features), so V is read once per half-iteration here
// and W·H never exists for all of V at once: the block's memory is
// 8 · features bytes per row (see src/nmf/gpu-mu.ts).
//
// scikit-learn's rules (1.2, `_multiplicative_update_w`/`_h`): in E, zeros of
// WH become EPSILON when β < 2; in D, when β < 1. Zeros of V give E = 0
// whatever WH is. Powers go through exp2(e · log2(x)), WGSL's own definition
// of pow, with the exponent capped at 126 so a tiny WH cannot overflow f32.
// NOTE: for β far below 0, E can reach 2¹²⁶ and its product with Hᵀ can then
// overflow f32; the tests cover β down to −0.5.
//
// Threads: one invocation per element of the rows × features block, flat
// index = row · features + column. Dispatch: dispatchSizeLinear() over
// rows · features; the flat index is x + y · num_workgroups.x · WORKGROUP_X.
//
// Bindings (group 0):
//   0  params  uniform            Params
//   1  v       read-only storage  array<u32>  V block, 4 pixels a word, v_ld words a row, from word v_offset
//   2  terms   storage            array<f32>  rows × ld: WH in, E (and D) out

override WORKGROUP_X: u32 = 256u;
override WORKGROUP_Y: u32 = 1u;
override WRITE_D: bool = true;

const EPSILON: f32 = 1.1920929e-7;

struct Params {
  rows: u32,
  features: u32,
  ld: u32,
  v_ld: u32,
  v_offset: u32,
  beta: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> v: array<u32>;
@group(0) @binding(2) var<storage, read_write> terms: array<f32>;

// x^e for x ≥ 0; the callers never pass x = 0 with e < 0.
fn power(x: f32, e: f32) -> f32 {
  if (x <= 0.0) {
    return 0.0;
  }
  return exp2(min(e * log2(x), 126.0));
}

fn pixel(row: u32, col: u32) -> f32 {
  let word = v[params.v_offset + row * params.v_ld + col / 4u];
  return unpack4x8unorm(word)[col % 4u];
}

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = id.x + id.y * groups.x * WORKGROUP_X;
  if (index >= params.rows * params.features) {
    return;
  }
  let row = index / params.features;
  let col = index % params.features;
  let at = row * params.ld + col;
  let wh = terms[at];
  let value = pixel(row, col);
  let beta = params.beta;

  var e = 0.0;
  if (value > 0.0) {
    var base = wh;
    if (beta < 2.0 && base == 0.0) {
      base = EPSILON;
    }
    if (beta == 1.0) {
      e = value / base;
    } else {
      e = value * power(base, beta - 2.0);
    }
  }
  terms[at] = e;

  if (WRITE_D) {
    var base = wh;
    if (beta < 1.0 && base == 0.0) {
      base = EPSILON;
    }
    terms[at + params.features] = power(base, beta - 1.0);
  }
}
