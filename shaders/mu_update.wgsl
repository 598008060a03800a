// Multiplicative update of one factor: x ← x · numerator / max(denominator, EPSILON).
//
// This is the Lee–Seung step of NMF for the Frobenius loss: for W the
// numerator is V·Hᵀ and the denominator W·(H·Hᵀ); for H they are Wᵀ·V and
// (Wᵀ·W)·H. EPSILON is the f32 machine epsilon (2⁻²³), the value
// scikit-learn puts in place of a zero denominator. Taking the maximum
// instead also keeps a tiny positive denominator from overflowing the
// quotient to Inf, so x stays finite whenever the numerator is.
//
// Threads: one invocation updates one element. Dispatch:
// (min(G, maxComputeWorkgroupsPerDimension), ceil(G / that), 1) with
// G = ceil(count / WORKGROUP_X), from dispatchSizeLinear() in src/gpu/kernel.ts;
// the flat index is x + y · num_workgroups.x · WORKGROUP_X.
//
// Bindings (group 0):
//   0  params       uniform            Params
//   1  numerator    read-only storage  array<f32>  count
//   2  denominator  read-only storage  array<f32>  count
//   3  x            storage            array<f32>  count, updated in place

override WORKGROUP_X: u32 = 256u;
override WORKGROUP_Y: u32 = 1u;

const EPSILON: f32 = 1.1920929e-7;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> numerator: array<f32>;
@group(0) @binding(2) var<storage, read> denominator: array<f32>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>;

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = id.x + id.y * groups.x * WORKGROUP_X;
  if (index >= params.count) {
    return;
  }
  x[index] = x[index] * numerator[index] / max(denominator[index], EPSILON);
}
