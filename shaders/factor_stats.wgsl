// Per-component sums of a factor for the sparseness and zero measures:
// Σ|x|, Σx² and the count of exact zeros of each column of W or row of H.
//
// Layout: entry e of component c lives at e·entry_stride + c·component_stride:
// W (samples × rank) has strides rank and 1, H (rank × features) 1 and features.
//
// Threads: one workgroup per component, WORKGROUP_X invocations striding over
// its `length` entries, then a tree sum in workgroup memory (WORKGROUP_X a
// power of two). Dispatch: (components, 1, 1), at most
// maxComputeWorkgroupsPerDimension, which the host checks.
// The zero count is a u32 per invocation, written as f32: exact while a
// component has fewer than 2²⁴ entries.
//
// Bindings (group 0):
//   0  params  uniform            Params
//   1  x       read-only storage  array<f32>  the factor
//   2  stats   storage            array<f32>  3 values per component from `offset`: Σ|x|, Σx², zeros

override WORKGROUP_X: u32 = 64u;
override WORKGROUP_Y: u32 = 1u;

const MAX_WORKGROUP = 256u;

struct Params {
  length: u32,
  entry_stride: u32,
  component_stride: u32,
  offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;

var<workgroup> l1: array<f32, MAX_WORKGROUP>;
var<workgroup> l2: array<f32, MAX_WORKGROUP>;
var<workgroup> zeros: array<u32, MAX_WORKGROUP>;

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(local_invocation_index) local: u32, @builtin(workgroup_id) group: vec3<u32>) {
  let component = group.x;
  var sum = 0.0;
  var squares = 0.0;
  var count = 0u;
  for (var e = local; e < params.length; e += WORKGROUP_X) {
    let value = x[e * params.entry_stride + component * params.component_stride];
    sum += abs(value);
    squares += value * value;
    if (value == 0.0) {
      count += 1u;
    }
  }
  l1[local] = sum;
  l2[local] = squares;
  zeros[local] = count;
  workgroupBarrier();

  for (var half = WORKGROUP_X / 2u; half > 0u; half /= 2u) {
    if (local < half) {
      l1[local] += l1[local + half];
      l2[local] += l2[local + half];
      zeros[local] += zeros[local + half];
    }
    workgroupBarrier();
  }
  if (local == 0u) {
    let at = params.offset + 3u * component;
    stats[at] = l1[0];
    stats[at + 1u] = l2[0];
    stats[at + 2u] = f32(zeros[0]);
  }
}
