// Cosine similarity of a batch of queries against the corpus, keeping each
// query's best `page_k` corpus rows per corpus partition: the first of the two
// passes of GPU top-k (nearest) and bottom-k (farthest) selection. The second
// pass, search_merge.wgsl, merges the partition lists of each query.
//
// Design: the corpus is split into `partitions` interleaved partitions, row j
// belonging to partition j mod partitions, so neighbouring invocations read
// neighbouring rows. Invocation (p, q) scans partition p for query q and keeps
// two sorted lists in private memory, one for nearest and one for farthest,
// inserting a row only when it beats the list's last entry. There is no
// workgroup memory and no barrier: SwiftShader runs barrier-free kernels
// fastest, and per-invocation lists need no cooperation between invocations.
// The merge pass reads partitions × page_k entries per query, so the host
// picks partitions to keep that small next to the scan of the whole corpus.
//
// Order: "nearest" sorts by similarity descending, "farthest" by similarity
// ascending, and both break ties by the lower corpus index first. Every
// (similarity, index) pair is distinct, so the top page_k of each partition
// contain every row of the global top page_k, and merging them is exact.
//
// Paging: k larger than MAX_K runs as pages of at most MAX_K. Page 0 considers
// every row. A later page considers only the rows that come after `cursors[q]`
// in the list's order; the merge pass sets that cursor to the last row of the
// page it wrote. So pages need no read-back between them.
//
// Skipped rows: corpus rows whose flag is nonzero (all zeros or non-finite,
// see search_normalize.wgsl), and the query's own row when the query is a
// corpus row. A query whose own flag is nonzero finds nothing.
//
// Queries: global query g = query_offset + q is, by `query_source`:
//   0  row g of query_vectors (unit rows from search_normalize.wgsl), flag query_flags[g];
//   1  corpus row query_rows[g], read through query_vectors and query_flags,
//      which the host binds to the corpus and its flags;
//   2  corpus row g, read the same way (the all-queries pass).
//
// Threads: invocation (x, y) = (partition p, query q in this dispatch).
// Dispatch: (ceil(partitions / WORKGROUP_X), ceil(queries / WORKGROUP_Y), 1),
// from dispatchSize() in src/gpu/kernel.ts. Invocations past either edge return.
//
// Bounds: 1 ≤ page_k ≤ MAX_K; any corpus_rows ≥ 1 and queries ≥ 1. Lists with
// fewer than page_k rows are padded with entries of index NONE.
//
// Bindings (group 0):
//   0  params         uniform            Params
//   1  corpus         read-only storage  array<vec4<f32>>  corpus_rows × stride4 unit rows
//   2  corpus_flags   read-only storage  array<u32>        corpus_rows
//   3  query_vectors  read-only storage  array<vec4<f32>>  (query_offset + queries) × stride4, or the corpus
//   4  query_flags    read-only storage  array<u32>        one flag per row of query_vectors
//   5  query_rows     read-only storage  array<u32>        corpus row of each global query (source 1 only)
//   6  cursors        read-only storage  array<Entry>      queries × lists, read on pages after the first
//   7  partials       storage            array<Entry>      queries × lists × partitions × page_k

override WORKGROUP_X: u32 = 8u;
override WORKGROUP_Y: u32 = 8u;

// Longest list one invocation keeps: the page size of k.
const MAX_K = 64u;
const NONE = 0xffffffffu;

const SOURCE_VECTORS = 0u;
const SOURCE_LISTED_ROWS = 1u;

const LIST_NEAREST = 1u;
const LIST_FARTHEST = 2u;

struct Params {
  corpus_rows: u32,
  // vec4 values per unit row.
  stride4: u32,
  // Queries in this dispatch.
  queries: u32,
  query_offset: u32,
  query_source: u32,
  partitions: u32,
  page_k: u32,
  // Bit 0 nearest, bit 1 farthest; list slot 0 is the first requested list.
  lists: u32,
  // 0 on the first page of k, which ignores the cursors.
  page: u32,
}

struct Entry {
  similarity: f32,
  index: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> corpus: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> corpus_flags: array<u32>;
@group(0) @binding(3) var<storage, read> query_vectors: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> query_flags: array<u32>;
@group(0) @binding(5) var<storage, read> query_rows: array<u32>;
@group(0) @binding(6) var<storage, read> cursors: array<Entry>;
@group(0) @binding(7) var<storage, read_write> partials: array<Entry>;

var<private> near_similarity: array<f32, MAX_K>;
var<private> near_index: array<u32, MAX_K>;
var<private> far_similarity: array<f32, MAX_K>;
var<private> far_index: array<u32, MAX_K>;

// Whether (s, i) comes before (t, j) in the nearest order.
fn before_near(s: f32, i: u32, t: f32, j: u32) -> bool {
  return s > t || (s == t && i < j);
}

// Whether (s, i) comes before (t, j) in the farthest order.
fn before_far(s: f32, i: u32, t: f32, j: u32) -> bool {
  return s < t || (s == t && i < j);
}

// Inserts (s, i) into the sorted nearest list of `count` entries; returns the new count.
fn insert_near(s: f32, i: u32, count: u32) -> u32 {
  let k = params.page_k;
  if (count == k && !before_near(s, i, near_similarity[k - 1u], near_index[k - 1u])) {
    return count;
  }
  var position = min(count, k - 1u);
  while (position > 0u && before_near(s, i, near_similarity[position - 1u], near_index[position - 1u])) {
    near_similarity[position] = near_similarity[position - 1u];
    near_index[position] = near_index[position - 1u];
    position--;
  }
  near_similarity[position] = s;
  near_index[position] = i;
  return min(count + 1u, k);
}

// Inserts (s, i) into the sorted farthest list of `count` entries; returns the new count.
fn insert_far(s: f32, i: u32, count: u32) -> u32 {
  let k = params.page_k;
  if (count == k && !before_far(s, i, far_similarity[k - 1u], far_index[k - 1u])) {
    return count;
  }
  var position = min(count, k - 1u);
  while (position > 0u && before_far(s, i, far_similarity[position - 1u], far_index[position - 1u])) {
    far_similarity[position] = far_similarity[position - 1u];
    far_index[position] = far_index[position - 1u];
    position--;
  }
  far_similarity[position] = s;
  far_index[position] = i;
  return min(count + 1u, k);
}

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let p = id.x;
  let q = id.y;
  if (p >= params.partitions || q >= params.queries) {
    return;
  }
  let want_near = (params.lists & LIST_NEAREST) != 0u;
  let want_far = (params.lists & LIST_FARTHEST) != 0u;
  let list_count = u32(want_near) + u32(want_far);
  let far_slot = u32(want_near);

  let g = params.query_offset + q;
  var own_row = NONE;
  var query_row = g;
  if (params.query_source == SOURCE_LISTED_ROWS) {
    own_row = query_rows[g];
    query_row = own_row;
  } else if (params.query_source != SOURCE_VECTORS) {
    own_row = g;
  }
  let query_base = query_row * params.stride4;

  // Page 0 starts from cursors that every row comes after.
  var near_cursor = Entry(3.0, 0u);
  var far_cursor = Entry(-3.0, 0u);
  if (params.page > 0u) {
    if (want_near) {
      near_cursor = cursors[q * list_count];
    }
    if (want_far) {
      far_cursor = cursors[q * list_count + far_slot];
    }
  }

  var near_count = 0u;
  var far_count = 0u;
  if (query_flags[query_row] == 0u) {
    for (var row = p; row < params.corpus_rows; row += params.partitions) {
      if (row == own_row || corpus_flags[row] != 0u) {
        continue;
      }
      let corpus_base = row * params.stride4;
      var sum = vec4<f32>(0.0);
      for (var d = 0u; d < params.stride4; d++) {
        sum += query_vectors[query_base + d] * corpus[corpus_base + d];
      }
      let s = (sum.x + sum.y) + (sum.z + sum.w);

      if (want_near && before_near(near_cursor.similarity, near_cursor.index, s, row)) {
        near_count = insert_near(s, row, near_count);
      }
      if (want_far && before_far(far_cursor.similarity, far_cursor.index, s, row)) {
        far_count = insert_far(s, row, far_count);
      }
    }
  }

  let k = params.page_k;
  if (want_near) {
    let out = (q * list_count * params.partitions + p) * k;
    for (var j = 0u; j < k; j++) {
      if (j < near_count) {
        partials[out + j] = Entry(near_similarity[j], near_index[j]);
      } else {
        partials[out + j] = Entry(0.0, NONE);
      }
    }
  }
  if (want_far) {
    let out = ((q * list_count + far_slot) * params.partitions + p) * k;
    for (var j = 0u; j < k; j++) {
      if (j < far_count) {
        partials[out + j] = Entry(far_similarity[j], far_index[j]);
      } else {
        partials[out + j] = Entry(0.0, NONE);
      }
    }
  }
}
