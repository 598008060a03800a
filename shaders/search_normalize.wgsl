// Unit rows for cosine similarity: unit[i] = x[i] / ‖x[i]‖, and one flag per row.
//
// Threads: one invocation normalises one row of `rank` values; no workgroup
// memory, no barriers. Dispatch: (min(G, maxComputeWorkgroupsPerDimension),
// ceil(G / that), 1) with G = ceil(rows / WORKGROUP_X), from
// dispatchSizeLinear() in src/gpu/kernel.ts; the row index is
// x + y · num_workgroups.x · WORKGROUP_X, and invocations past the last row
// return.
//
// Bounds: any rows ≥ 1 and rank ≥ 1. The input is read as raw u32 bits, so the
// flag tests below see NaN, ±Inf and subnormal values even on GPUs that flush
// subnormals to zero or assume arithmetic never meets NaN.
//
// Flags, the same rule as rowProblem() in src/search/reference.ts:
//   0  valid.
//   1  zero: every |x| is below the smallest normal f32 (2⁻¹²⁶). Such a row has
//      no direction, and GPUs may flush subnormal values to zero anyway.
//   2  non-finite: some entry is NaN or ±Inf.
// A flagged row's unit row is all zeros, and the search kernels skip it.
//
// Precision: the row is first multiplied by a power of two that brings its
// largest |x| into [1, 2). Multiplying by a power of two is exact, and the
// sum of squares can then neither overflow nor underflow. A row with exactly
// one nonzero entry becomes exactly ±1 there, so rows that are positive
// multiples of one basis vector (every nonzero row when rank is 1) tie
// exactly, as they do in float64.
//
// Output rows are `stride` floats long, `stride` being rank rounded up to a
// multiple of 4, with zeros after the rank-th entry, so the search kernels read
// them as vec4 and the padding adds nothing to a dot product.
//
// Bindings (group 0):
//   0  params  uniform            Params
//   1  x       read-only storage  array<u32>  rows × rank f32 bit patterns, row-major
//   2  unit    storage            array<f32>  rows × stride, row-major
//   3  flags   storage            array<u32>  rows

override WORKGROUP_X: u32 = 64u;
override WORKGROUP_Y: u32 = 1u;

const FLAG_VALID = 0u;
const FLAG_ZERO = 1u;
const FLAG_NON_FINITE = 2u;

const ABS_MASK = 0x7fffffffu;
const EXPONENT_MASK = 0x7f800000u;
// Bits of 2⁻¹²⁶, the smallest normal f32: |x| bits below this are zero or subnormal.
const SMALLEST_NORMAL_BITS = 0x00800000u;

struct Params {
  rows: u32,
  rank: u32,
  // Floats per output row: rank rounded up to a multiple of 4.
  stride: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> unit: array<f32>;
@group(0) @binding(3) var<storage, read_write> flags: array<u32>;

fn write_zero_row(row: u32, flag: u32) {
  for (var j = 0u; j < params.stride; j++) {
    unit[row * params.stride + j] = 0.0;
  }
  flags[row] = flag;
}

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = id.x + id.y * groups.x * WORKGROUP_X;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.rank;

  // Largest |x| as bits: for non-negative floats, u32 order is value order.
  var max_bits = 0u;
  for (var j = 0u; j < params.rank; j++) {
    let bits = x[base + j] & ABS_MASK;
    if ((bits & EXPONENT_MASK) == EXPONENT_MASK) {
      write_zero_row(row, FLAG_NON_FINITE);
      return;
    }
    max_bits = max(max_bits, bits);
  }
  if (max_bits < SMALLEST_NORMAL_BITS) {
    write_zero_row(row, FLAG_ZERO);
    return;
  }

  // 2^(127 − e) brings a largest value with biased exponent e into [1, 2).
  let shift = 127 - i32(max_bits >> 23u);
  var sum = 0.0;
  var nonzeros = 0u;
  var last_nonzero = 0u;
  for (var j = 0u; j < params.rank; j++) {
    let y = ldexp(bitcast<f32>(x[base + j]), shift);
    sum += y * y;
    if (y != 0.0) {
      nonzeros++;
      last_nonzero = j;
    }
  }

  let out = row * params.stride;
  if (nonzeros == 1u) {
    for (var j = 0u; j < params.stride; j++) {
      unit[out + j] = 0.0;
    }
    unit[out + last_nonzero] = sign(bitcast<f32>(x[base + last_nonzero]));
  } else {
    let norm = sqrt(sum);
    for (var j = 0u; j < params.rank; j++) {
      unit[out + j] = ldexp(bitcast<f32>(x[base + j]), shift) / norm;
    }
    for (var j = params.rank; j < params.stride; j++) {
      unit[out + j] = 0.0;
    }
  }
  flags[row] = FLAG_VALID;
}
