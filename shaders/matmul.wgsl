// Register-blocked matrix product C = op(A) · op(B), optionally added to C.
//
// Threads: one invocation computes a TILE_M × TILE_N (4 × 4) block of C and
// keeps it in registers, with no workgroup memory and no barriers, which was
// the fastest shape on SwiftShader. Invocation (x, y) owns rows
// 4y .. 4y+3 and columns 4x .. 4x+3 of C and walks K four at a time.
//
// Dispatch: (ceil(N / (4 · WORKGROUP_X)), ceil(M / (4 · WORKGROUP_Y)), 1),
// computed by dispatchSize() in src/gpu/kernel.ts. When the x count passes
// maxComputeWorkgroupsPerDimension (N above about two million with the
// default sizes), the extra columns of workgroups fold into z and the column
// index becomes id.x + id.z · num_workgroups.x · WORKGROUP_X.
//
// Bounds: any M, N, K ≥ 1. Loads past the edges of A and B read as zero and
// stores past the edges of C are skipped. Packed 8-bit operands are stored
// with each row padded by zero bytes to a whole u32, so a load of four bytes
// never needs a bound check along the packed axis.
//
// Operands: A and B are bound as u32 words and read either as f32 (bitcast)
// or as four 8-bit pixels per word, scaled to [0, 1] by unpack4x8unorm. The
// override constants choose the storage of each operand:
//   A_PACKED  A is 8-bit, stored M × K row-major (A_TRANSPOSED must be false)
//   A_TRANSPOSED  A is f32 stored K × M, so op(A) = Aᵀ of what is stored
//   B_PACKED  B is 8-bit, stored K × N row-major (B_TRANSPOSED must be false)
//   B_TRANSPOSED  B is f32 stored N × K
// Leading dimensions and offsets count u32 words: elements for f32 operands,
// groups of four pixels for packed ones.
//
// Bindings (group 0):
//   0  params  uniform             Params
//   1  a       read-only storage   array<u32>  A as stored
//   2  b       read-only storage   array<u32>  B as stored
//   3  c       storage             array<f32>  M × N at offset_c, row stride ldc

override WORKGROUP_X: u32 = 8u;
override WORKGROUP_Y: u32 = 8u;
override A_PACKED: bool = false;
override A_TRANSPOSED: bool = false;
override B_PACKED: bool = false;
override B_TRANSPOSED: bool = false;

const TILE_M = 4u;
const TILE_N = 4u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  lda: u32,
  ldb: u32,
  ldc: u32,
  offset_a: u32,
  offset_b: u32,
  offset_c: u32,
  // 1 adds the product to C, 0 overwrites C.
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

fn a_f32(index: u32) -> f32 {
  return bitcast<f32>(a[params.offset_a + index]);
}

fn b_f32(index: u32) -> f32 {
  return bitcast<f32>(b[params.offset_b + index]);
}

// op(A)[row][k .. k+3], zero outside op(A).
fn load_a(row: u32, k: u32) -> vec4<f32> {
  if (row >= params.m) {
    return vec4<f32>(0.0);
  }
  if (A_PACKED) {
    return unpack4x8unorm(a[params.offset_a + row * params.lda + k / 4u]);
  }
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (k + j < params.k) {
      if (A_TRANSPOSED) {
        v[j] = a_f32((k + j) * params.lda + row);
      } else {
        v[j] = a_f32(row * params.lda + k + j);
      }
    }
  }
  return v;
}

// op(B)[k][col .. col+3], zero outside op(B).
fn load_b(k: u32, col: u32) -> vec4<f32> {
  if (k >= params.k) {
    return vec4<f32>(0.0);
  }
  if (B_PACKED) {
    return unpack4x8unorm(b[params.offset_b + k * params.ldb + col / 4u]);
  }
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (col + j < params.n) {
      if (B_TRANSPOSED) {
        v[j] = b_f32((col + j) * params.ldb + k);
      } else {
        v[j] = b_f32(k * params.ldb + col + j);
      }
    }
  }
  return v;
}

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row0 = id.y * TILE_M;
  let col0 = (id.x + id.z * groups.x * WORKGROUP_X) * TILE_N;
  if (row0 >= params.m || col0 >= params.n) {
    return;
  }

  var acc: array<vec4<f32>, TILE_M>;
  for (var k = 0u; k < params.k; k += 4u) {
    let b0 = load_b(k, col0);
    let b1 = load_b(k + 1u, col0);
    let b2 = load_b(k + 2u, col0);
    let b3 = load_b(k + 3u, col0);
    for (var i = 0u; i < TILE_M; i++) {
      let av = load_a(row0 + i, k);
      acc[i] += av.x * b0 + av.y * b1 + av.z * b2 + av.w * b3;
    }
  }

  for (var i = 0u; i < TILE_M; i++) {
    let row = row0 + i;
    if (row >= params.m) {
      break;
    }
    for (var j = 0u; j < TILE_N; j++) {
      let col = col0 + j;
      if (col < params.n) {
        let index = params.offset_c + row * params.ldc + col;
        if (params.accumulate != 0u) {
          c[index] += acc[i][j];
        } else {
          c[index] = acc[i][j];
        }
      }
    }
  }
}
