// Partial sums of D_β(V ‖ W·H) and of ‖V − W·H‖² over one row block of V,
// one pair per workgroup, for the loss of β ≠ 2 (β = 2 needs no W·H; see
// dot_partials.wgsl). The host sums the partials in float64.
//
// Each element adds its own non-negative term, so no large sums cancel:
//   β = 1   V > ε: V·log(V/WH) − V + WH        V ≤ ε: WH
//   β = 0   V > ε: V/WH − log(V/WH) − 1        V ≤ ε: −1
//   other   V > ε: (V^β − β·V·WH^(β−1) + (β−1)·WH^β) / (β(β−1))
//           V ≤ ε: WH^β / β
// which sums to scikit-learn's `_beta_divergence` (1.2): EPSILON stands in
// for WH = 0 in the terms with V, and the terms without V use WH itself.
// The β = 0 count term runs over all entries there too, hence −1 for V ≤ ε.
//
// Threads: G workgroups of WORKGROUP_X invocations; invocation t of
// workgroup g handles elements g·WORKGROUP_X + t, stepping by the whole grid,
// then the workgroup adds its values as a tree. Dispatch: (G, 1, 1) with
// G = min(PARTIALS, ceil(rows · features / WORKGROUP_X)); the slots from G on
// are not written. WORKGROUP_X must be a power of two.
// With `accumulate` set the pair is added to what is there, so row blocks
// of V sum into the same PARTIALS pairs; the host dispatches every block of
// one sum with the G of the largest, so no block adds to a slot the first
// one did not write.
//
// Bindings (group 0):
//   0  params    uniform            Params
//   1  v         read-only storage  array<u32>  V block, 4 pixels a word, v_ld words a row, from word v_offset
//   2  wh        read-only storage  array<f32>  rows × features of W·H, row stride ld
//   3  partials  storage            array<f32>  divergence at offset .. offset+PARTIALS, ‖V − WH‖² after them

override WORKGROUP_X: u32 = 256u;
override WORKGROUP_Y: u32 = 1u;

const PARTIALS = 64u;
const MAX_WORKGROUP = 256u;
const EPSILON: f32 = 1.1920929e-7;

struct Params {
  rows: u32,
  features: u32,
  ld: u32,
  v_ld: u32,
  v_offset: u32,
  offset: u32,
  accumulate: u32,
  beta: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> v: array<u32>;
@group(0) @binding(2) var<storage, read> wh: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;

var<workgroup> divergences: array<f32, MAX_WORKGROUP>;
var<workgroup> residuals: array<f32, MAX_WORKGROUP>;

fn power(x: f32, e: f32) -> f32 {
  if (x <= 0.0) {
    return 0.0;
  }
  return exp2(min(e * log2(x), 126.0));
}

fn divergence(value: f32, reconstruction: f32, beta: f32) -> f32 {
  var safe = reconstruction;
  if (safe == 0.0) {
    safe = EPSILON;
  }
  if (beta == 1.0) {
    if (value > EPSILON) {
      return value * log(value / safe) - value + reconstruction;
    }
    return reconstruction;
  }
  if (beta == 0.0) {
    if (value > EPSILON) {
      let ratio = value / safe;
      return ratio - log(ratio) - 1.0;
    }
    return -1.0;
  }
  if (value > EPSILON) {
    let terms = power(value, beta) - beta * value * power(safe, beta - 1.0) + (beta - 1.0) * power(reconstruction, beta);
    return terms / (beta * (beta - 1.0));
  }
  return power(reconstruction, beta) / beta;
}

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let count = params.rows * params.features;
  let stride = groups.x * WORKGROUP_X;
  var d = 0.0;
  var r = 0.0;
  for (var i = group.x * WORKGROUP_X + local; i < count; i += stride) {
    let row = i / params.features;
    let col = i % params.features;
    let value = unpack4x8unorm(v[params.v_offset + row * params.v_ld + col / 4u])[col % 4u];
    let reconstruction = wh[row * params.ld + col];
    d += divergence(value, reconstruction, params.beta);
    r += (value - reconstruction) * (value - reconstruction);
  }
  divergences[local] = d;
  residuals[local] = r;
  workgroupBarrier();

  for (var half = WORKGROUP_X / 2u; half > 0u; half /= 2u) {
    if (local < half) {
      divergences[local] += divergences[local + half];
      residuals[local] += residuals[local + half];
    }
    workgroupBarrier();
  }
  if (local == 0u) {
    let at = params.offset + group.x;
    if (params.accumulate != 0u) {
      partials[at] += divergences[0];
      partials[at + PARTIALS] += residuals[0];
    } else {
      partials[at] = divergences[0];
      partials[at + PARTIALS] = residuals[0];
    }
  }
}
