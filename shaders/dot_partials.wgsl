// Partial sums of the dot product Σ x[i] · y[i], one per workgroup.
//
// The Frobenius loss of NMF needs no reconstruction W·H:
//   ‖V − W·H‖² = ‖V‖² − 2 ⟨H, Wᵀ·V⟩ + ⟨Wᵀ·W, H·Hᵀ⟩,
// and this kernel computes the two inner products. The host sums the
// PARTIALS values in float64 after read-back, which keeps the rounding of a
// long f32 sum out of the loss.
//
// Threads: G workgroups of WORKGROUP_X invocations; invocation t of
// workgroup g sums elements g·WORKGROUP_X + t, stepping by the whole grid,
// then the workgroup adds its values as a tree in workgroup memory.
// Dispatch: (G, 1, 1) with G = min(PARTIALS, ceil(count / WORKGROUP_X)), so
// small inputs start no idle workgroups; the read-back size stays PARTIALS,
// and the slots from G on are never written, so they keep their zeros.
// WORKGROUP_X must be a power of two for the tree.
//
// Bindings (group 0):
//   0  params    uniform            Params
//   1  x         read-only storage  array<f32>  count
//   2  y         read-only storage  array<f32>  count
//   3  partials  storage            array<f32>  PARTIALS values at offset, G of them written

override WORKGROUP_X: u32 = 256u;
override WORKGROUP_Y: u32 = 1u;

const PARTIALS = 64u;
const MAX_WORKGROUP = 256u;

struct Params {
  count: u32,
  offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;

var<workgroup> sums: array<f32, MAX_WORKGROUP>;

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let stride = groups.x * WORKGROUP_X;
  var sum = 0.0;
  for (var i = group.x * WORKGROUP_X + local; i < params.count; i += stride) {
    sum += x[i] * y[i];
  }
  sums[local] = sum;
  workgroupBarrier();

  for (var half = WORKGROUP_X / 2u; half > 0u; half /= 2u) {
    if (local < half) {
      sums[local] += sums[local + half];
    }
    workgroupBarrier();
  }
  if (local == 0u) {
    partials[params.offset + group.x] = sums[0];
  }
}
