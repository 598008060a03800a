// One HALS coordinate-descent sweep over a factor X (Cichocki & Phan 2009),
// as scikit-learn 1.2's `_update_cdnmf_fast` runs it: W with G = H·Hᵀ and
// P = V·Hᵀ, or Hᵀ with G = Wᵀ·W and P = (Wᵀ·V)ᵀ. Components t are visited
// in `order`; for each, every row i takes the step
//   grad = Σ_r G[t, r]·X[i, r] + l2·X[i, t] − (P[i, t] − l1)
//   X[i, t] ← max(X[i, t] − grad / (G[t, t] + l2), 0)   unless that Hessian is 0
// and adds |projected gradient| (grad, or min(grad, 0) where X[i, t] = 0,
// before the step) to the sweep's violation.
//
// A row's steps read and write only that row of X, so the rows are
// independent and one invocation sweeps one row through every component, in
// order: the whole sweep is one dispatch.
//
// Layout: entry (i, t) of X and of P lives at i·row_stride + t·component_stride,
// so W (row-major samples × rank: strides rank, 1) and H (rank × features,
// swept as Hᵀ: strides 1, features) are read where they are.
//
// Threads: one invocation per row of X; rows past the end add 0 to the sum.
// Dispatch: dispatchSizeLinear() over `rows`; the flat row is
// x + y · num_workgroups.x · WORKGROUP_X and the flat workgroup
// x + y · num_workgroups.x. Each workgroup adds its violations as a tree
// (WORKGROUP_X must be a power of two) and writes one partial sum.
//
// Bindings (group 0):
//   0  params    uniform            Params
//   1  gram      read-only storage  array<f32>  rank × rank
//   2  data_term read-only storage  array<f32>  P, laid out like X
//   3  order     read-only storage  array<u32>  rank component indices
//   4  x         storage            array<f32>  X, updated in place
//   5  partials  storage            array<f32>  one violation per workgroup, from `offset`

override WORKGROUP_X: u32 = 64u;
override WORKGROUP_Y: u32 = 1u;

const MAX_WORKGROUP = 256u;

struct Params {
  rows: u32,
  rank: u32,
  row_stride: u32,
  component_stride: u32,
  offset: u32,
  l1: f32,
  l2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gram: array<f32>;
@group(0) @binding(2) var<storage, read> data_term: array<f32>;
@group(0) @binding(3) var<storage, read> order: array<u32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;

var<workgroup> violations: array<f32, MAX_WORKGROUP>;

fn sweep(row: u32) -> f32 {
  let base = row * params.row_stride;
  var violation = 0.0;
  for (var s = 0u; s < params.rank; s++) {
    let t = order[s];
    let at = base + t * params.component_stride;
    let current = x[at];
    var grad = params.l1 - data_term[at] + params.l2 * current;
    for (var r = 0u; r < params.rank; r++) {
      grad += gram[t * params.rank + r] * x[base + r * params.component_stride];
    }
    if (current == 0.0) {
      violation += abs(min(grad, 0.0));
    } else {
      violation += abs(grad);
    }
    let hessian = gram[t * params.rank + t] + params.l2;
    if (hessian != 0.0) {
      x[at] = max(current - grad / hessian, 0.0);
    }
  }
  return violation;
}

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(
  @builtin(global_invocation_id) id: vec3<u32>,
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let row = id.x + id.y * groups.x * WORKGROUP_X;
  var violation = 0.0;
  if (row < params.rows) {
    violation = sweep(row);
  }
  violations[local] = violation;
  workgroupBarrier();

  for (var half = WORKGROUP_X / 2u; half > 0u; half /= 2u) {
    if (local < half) {
      violations[local] += violations[local + half];
    }
    workgroupBarrier();
  }
  if (local == 0u) {
    partials[params.offset + group.x + group.y * groups.x] = violations[0];
  }
}
