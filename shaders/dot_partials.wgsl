// Partial sums of the dot product Σ x[i] · y[i], one per invocation.
//
// The Frobenius loss of NMF needs no reconstruction W·H:
//   ‖V − W·H‖² = ‖V‖² − 2 ⟨H, Wᵀ·V⟩ + ⟨Wᵀ·W, H·Hᵀ⟩,
// and this kernel computes the two inner products. The host sums the
// PARTIALS values in float64 after read-back, which keeps the rounding of a
// long f32 sum out of the loss.
//
// Threads: PARTIALS invocations in all; invocation t sums elements
// t, t + PARTIALS, t + 2·PARTIALS, … and writes its own partial. There is no
// workgroup memory and no barrier: a tree reduction with barriers took about
// 45 ms per dispatch on SwiftShader, more than a whole small NMF iteration.
// Dispatch: (PARTIALS / WORKGROUP_X, 1, 1) whatever the count, so the
// read-back size is fixed. WORKGROUP_X must divide PARTIALS.
//
// Bindings (group 0):
//   0  params    uniform            Params
//   1  x         read-only storage  array<f32>  count
//   2  y         read-only storage  array<f32>  count
//   3  partials  storage            array<f32>  PARTIALS values at offset

override WORKGROUP_X: u32 = 64u;
override WORKGROUP_Y: u32 = 1u;

const PARTIALS = 256u;

struct Params {
  count: u32,
  offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  var sum = 0.0;
  for (var i = id.x; i < params.count; i += PARTIALS) {
    sum += x[i] * y[i];
  }
  partials[params.offset + id.x] = sum;
}
