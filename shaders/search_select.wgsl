// Cosine similarity of a batch of queries against the corpus, keeping each
// query's best `page_k` corpus rows per corpus partition: the first of the two
// passes of GPU top-k (nearest) and bottom-k (farthest) selection. The second
// pass, search_merge.wgsl, merges the partition lists of each query.
//
// Design: the corpus is split into `partitions` interleaved partitions, row j
// belonging to partition j mod partitions. Invocation (p, b) scans partition
// p for the QUERIES_PER_INVOCATION queries of block b, ROWS_PER_STEP rows at
// a time: it loads 4 query vec4s and 4 row vec4s per step of the rank and
// accumulates a 4 × 4 block of dot products in registers, as the matmul
// kernel does, because one load per multiply-add left the scan memory-bound.
// For each query it keeps a sorted nearest list and a sorted farthest list in
// private memory. The bar a row must pass, the last entry of a full list, is
// held apart from the list in one vec4 per list, a lane per query, so one
// comparison of the block's best similarities with it rules out most blocks
// and the common case reads no list at all. That lane layout is why
// QUERIES_PER_INVOCATION must stay 4.
// There is no workgroup memory and no barrier: SwiftShader runs barrier-free
// kernels fastest, and per-invocation lists need no cooperation. The merge
// pass reads partitions × page_k entries per query, so the host picks
// partitions to keep that small next to the scan of the whole corpus.
//
// Order: "nearest" sorts by similarity descending, "farthest" by similarity
// ascending, and both break ties by the lower corpus index first. Every
// (similarity, index) pair is distinct, so the top page_k of each partition
// contain every row of the global top page_k, and merging them is exact.
// Insertion compares (similarity, index) pairs, so the order in which rows
// are offered does not matter. The dot product of two rows runs the same
// operations whatever their position in the block, so identical rows get
// bit-identical similarities and tie exactly.
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
// Threads: invocation (x, y) = (partition p, query block b); block b holds
// the queries q = 4b .. 4b + 3 of this dispatch.
// Dispatch: (ceil(partitions / WORKGROUP_X), ceil(queries / (4 · WORKGROUP_Y)), 1),
// from dispatchSize() in src/gpu/kernel.ts. Invocations past the last
// partition return; queries past the last one in a block are skipped.
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
const QUERIES_PER_INVOCATION = 4u;
const ROWS_PER_STEP = 4u;
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

// One sorted list per query of the block; list 0 nearest, list 1 farthest.
var<private> list_similarity: array<array<array<f32, MAX_K>, QUERIES_PER_INVOCATION>, 2>;
var<private> list_index: array<array<array<u32, MAX_K>, QUERIES_PER_INVOCATION>, 2>;
var<private> list_count: array<array<u32, QUERIES_PER_INVOCATION>, 2>;
// The entry a row must come before to enter a list: a sentinel that every
// row beats until the list is full, then the list's last entry.
// Held as one vector per list, so one comparison tests all queries of the block.
var<private> bar_similarity: array<vec4<f32>, 2>;
var<private> bar_index: array<vec4<u32>, 2>;

fn max4(v: vec4<f32>) -> f32 {
  return max(max(v.x, v.y), max(v.z, v.w));
}

fn min4(v: vec4<f32>) -> f32 {
  return min(min(v.x, v.y), min(v.z, v.w));
}

// Whether (s, i) comes before (t, j) in list `list`: nearest (0) sorts by
// similarity descending, farthest (1) ascending, and ties by the lower index.
fn before(list: u32, s: f32, i: u32, t: f32, j: u32) -> bool {
  if (s == t) {
    return i < j;
  }
  if (list == 0u) {
    return s > t;
  }
  return s < t;
}

// Inserts (s, i) into list `list` of query slot `qi` when it comes before the bar.
fn offer(list: u32, qi: u32, s: f32, i: u32) {
  if (!before(list, s, i, bar_similarity[list][qi], bar_index[list][qi])) {
    return;
  }
  let k = params.page_k;
  let count = list_count[list][qi];
  var position = min(count, k - 1u);
  while (position > 0u && before(list, s, i, list_similarity[list][qi][position - 1u], list_index[list][qi][position - 1u])) {
    list_similarity[list][qi][position] = list_similarity[list][qi][position - 1u];
    list_index[list][qi][position] = list_index[list][qi][position - 1u];
    position--;
  }
  list_similarity[list][qi][position] = s;
  list_index[list][qi][position] = i;
  if (count + 1u >= k) {
    list_count[list][qi] = k;
    bar_similarity[list][qi] = list_similarity[list][qi][k - 1u];
    bar_index[list][qi] = list_index[list][qi][k - 1u];
  } else {
    list_count[list][qi] = count + 1u;
  }
}

fn write_list(list: u32, qi: u32, slot: u32, lists_per_query: u32, q: u32, p: u32) {
  let k = params.page_k;
  let out = ((q * lists_per_query + slot) * params.partitions + p) * k;
  let count = list_count[list][qi];
  for (var j = 0u; j < k; j++) {
    if (j < count) {
      partials[out + j] = Entry(list_similarity[list][qi][j], list_index[list][qi][j]);
    } else {
      partials[out + j] = Entry(0.0, NONE);
    }
  }
}

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let p = id.x;
  let q0 = id.y * QUERIES_PER_INVOCATION;
  if (p >= params.partitions || q0 >= params.queries) {
    return;
  }
  let want = array<bool, 2>((params.lists & LIST_NEAREST) != 0u, (params.lists & LIST_FARTHEST) != 0u);
  let lists_per_query = u32(want[0]) + u32(want[1]);
  // Slot of each list in `cursors` and `partials`: the farthest list is slot 1 only after a nearest list.
  let slot = array<u32, 2>(0u, u32(want[0]));

  // Per query slot: the first vec4 of its vector, its own corpus row, whether
  // it searches, and the cursor that a row must come after to be considered.
  var query_base: array<u32, QUERIES_PER_INVOCATION>;
  var own_row: array<u32, QUERIES_PER_INVOCATION>;
  var searching: array<bool, QUERIES_PER_INVOCATION>;
  var cursor_similarity: array<array<f32, QUERIES_PER_INVOCATION>, 2>;
  var cursor_index: array<array<u32, QUERIES_PER_INVOCATION>, 2>;
  for (var qi = 0u; qi < QUERIES_PER_INVOCATION; qi++) {
    let q = min(q0 + qi, params.queries - 1u);
    let g = params.query_offset + q;
    var row = g;
    own_row[qi] = NONE;
    if (params.query_source == SOURCE_LISTED_ROWS) {
      row = query_rows[g];
      own_row[qi] = row;
    } else if (params.query_source != SOURCE_VECTORS) {
      own_row[qi] = g;
    }
    query_base[qi] = row * params.stride4;
    searching[qi] = q0 + qi < params.queries && query_flags[row] == 0u;

    // Every row comes after these cursors and before these bars, so page 0
    // considers and admits every row until a list is full.
    cursor_similarity[0][qi] = 3.0;
    cursor_similarity[1][qi] = -3.0;
    for (var list = 0u; list < 2u; list++) {
      cursor_index[list][qi] = 0u;
      list_count[list][qi] = 0u;
      // A query that does not search gets a bar no row passes.
      bar_similarity[list][qi] = select(cursor_similarity[list][qi], -cursor_similarity[list][qi], searching[qi]);
      bar_index[list][qi] = NONE;
      if (params.page > 0u && want[list]) {
        let cursor = cursors[q * lists_per_query + slot[list]];
        cursor_similarity[list][qi] = cursor.similarity;
        cursor_index[list][qi] = cursor.index;
      }
    }
  }

  let step = ROWS_PER_STEP * params.partitions;
  for (var first = p; first < params.corpus_rows; first += step) {
    // The block's rows; a row past the corpus reads row 0 and is skipped.
    var row: array<u32, ROWS_PER_STEP>;
    var row_base: array<u32, ROWS_PER_STEP>;
    var usable: array<bool, ROWS_PER_STEP>;
    for (var ri = 0u; ri < ROWS_PER_STEP; ri++) {
      row[ri] = first + ri * params.partitions;
      usable[ri] = row[ri] < params.corpus_rows && corpus_flags[min(row[ri], params.corpus_rows - 1u)] == 0u;
      row_base[ri] = select(0u, row[ri] * params.stride4, row[ri] < params.corpus_rows);
    }

    // similarity[qi][ri] for the 4 × 4 block, each summed in the same order.
    // NOTE: zeroed explicitly because, without an initialiser, Dawn on
    // SwiftShader kept the previous iteration's sums in this loop-body var.
    var similarity = array<vec4<f32>, QUERIES_PER_INVOCATION>();
    for (var d = 0u; d < params.stride4; d++) {
      let c0 = corpus[row_base[0] + d];
      let c1 = corpus[row_base[1] + d];
      let c2 = corpus[row_base[2] + d];
      let c3 = corpus[row_base[3] + d];
      for (var qi = 0u; qi < QUERIES_PER_INVOCATION; qi++) {
        let qv = query_vectors[query_base[qi] + d];
        similarity[qi] += vec4<f32>(dot(qv, c0), dot(qv, c1), dot(qv, c2), dot(qv, c3));
      }
    }

    // The best similarity of the block for each query, against the bars: one
    // comparison per list rules out most blocks once the lists are full.
    let highest = vec4<f32>(max4(similarity[0]), max4(similarity[1]), max4(similarity[2]), max4(similarity[3]));
    let lowest = vec4<f32>(min4(similarity[0]), min4(similarity[1]), min4(similarity[2]), min4(similarity[3]));
    let reach = array<bool, 2>(
      want[0] && any(highest >= bar_similarity[0]),
      want[1] && any(lowest <= bar_similarity[1]),
    );
    for (var list = 0u; list < 2u; list++) {
      if (!reach[list]) {
        continue;
      }
      for (var qi = 0u; qi < QUERIES_PER_INVOCATION; qi++) {
        for (var ri = 0u; ri < ROWS_PER_STEP; ri++) {
          let s = similarity[qi][ri];
          if (usable[ri] && row[ri] != own_row[qi] &&
              before(list, cursor_similarity[list][qi], cursor_index[list][qi], s, row[ri])) {
            offer(list, qi, s, row[ri]);
          }
        }
      }
    }
  }

  for (var qi = 0u; qi < QUERIES_PER_INVOCATION; qi++) {
    let q = q0 + qi;
    if (q >= params.queries) {
      break;
    }
    for (var list = 0u; list < 2u; list++) {
      if (want[list]) {
        write_list(list, qi, slot[list], lists_per_query, q, p);
      }
    }
  }
}
