// Merges the per-partition lists of search_select.wgsl into one sorted page
// of at most page_k entries per query and list, writes it into the results at
// page_offset, and stores its last entry as the cursor of the next page.
//
// Threads: invocation (x, y) = (query q in this dispatch, list slot l); slot 0
// is the first requested list (nearest when requested), slot 1 the farthest
// list when both are requested. One invocation inserts the partition lists
// into one sorted list in private memory, as search_select.wgsl does, with no
// workgroup memory and no barrier. Each partition list is sorted, so the
// invocation stops reading a list at its first entry that does not make the
// merged list, or at its first NONE entry.
//
// Dispatch: (ceil(queries / WORKGROUP_X), ceil(list_count / WORKGROUP_Y), 1),
// from dispatchSize() in src/gpu/kernel.ts. Invocations past either edge return.
//
// Bounds: 1 ≤ page_k ≤ MAX_K and page_offset + page_k ≤ k_total. Slots of the
// page past the entries found hold index NONE. When a page finds no entry,
// the cursor keeps its value, so later pages find none either.
//
// Bindings (group 0):
//   0  params    uniform            Params
//   1  partials  read-only storage  array<Entry>  queries × list_count × partitions × page_k
//   2  cursors   storage            array<Entry>  queries × list_count
//   3  results   storage            array<Entry>  queries × list_count × k_total

override WORKGROUP_X: u32 = 64u;
override WORKGROUP_Y: u32 = 1u;

const MAX_K = 64u;
const NONE = 0xffffffffu;

struct Params {
  queries: u32,
  // 1 or 2 lists per query.
  list_count: u32,
  // 1 when slot 0 holds the nearest list, 0 when it holds the farthest.
  first_is_nearest: u32,
  partitions: u32,
  page_k: u32,
  // Entries per query and list in `results`.
  k_total: u32,
  // Position of this page in each results list.
  page_offset: u32,
}

struct Entry {
  similarity: f32,
  index: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<Entry>;
@group(0) @binding(2) var<storage, read_write> cursors: array<Entry>;
@group(0) @binding(3) var<storage, read_write> results: array<Entry>;

var<private> merged_similarity: array<f32, MAX_K>;
var<private> merged_index: array<u32, MAX_K>;

// Whether (s, i) comes before (t, j): by similarity, descending for the
// nearest list and ascending for the farthest, then by the lower index.
fn before(nearest: bool, s: f32, i: u32, t: f32, j: u32) -> bool {
  if (s == t) {
    return i < j;
  }
  if (nearest) {
    return s > t;
  }
  return s < t;
}

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let q = id.x;
  let slot = id.y;
  if (q >= params.queries || slot >= params.list_count) {
    return;
  }
  let nearest = slot == 0u && params.first_is_nearest == 1u;
  let k = params.page_k;
  let list = q * params.list_count + slot;

  var count = 0u;
  for (var p = 0u; p < params.partitions; p++) {
    let base = (list * params.partitions + p) * k;
    for (var j = 0u; j < k; j++) {
      let entry = partials[base + j];
      if (entry.index == NONE) {
        break;
      }
      let s = entry.similarity;
      let i = entry.index;
      if (count == k && !before(nearest, s, i, merged_similarity[k - 1u], merged_index[k - 1u])) {
        break;
      }
      var position = min(count, k - 1u);
      while (position > 0u && before(nearest, s, i, merged_similarity[position - 1u], merged_index[position - 1u])) {
        merged_similarity[position] = merged_similarity[position - 1u];
        merged_index[position] = merged_index[position - 1u];
        position--;
      }
      merged_similarity[position] = s;
      merged_index[position] = i;
      count = min(count + 1u, k);
    }
  }

  let out = list * params.k_total + params.page_offset;
  for (var j = 0u; j < k; j++) {
    if (j < count) {
      results[out + j] = Entry(merged_similarity[j], merged_index[j]);
    } else {
      results[out + j] = Entry(0.0, NONE);
    }
  }
  if (count > 0u) {
    cursors[list] = Entry(merged_similarity[count - 1u], merged_index[count - 1u]);
  }
}
