/**
 * Small dense float64 linear algebra on the CPU: the thin QR and the SVD that
 * the randomized SVD runs on its k + oversamples wide sketches. Matrices are
 * row-major `Float64Array`s.
 */

/**
 * Returns Q (m × n) of the thin QR decomposition of A (m × n, m ≥ n), by
 * Householder reflections. Q has orthonormal columns even when A is rank
 * deficient, which Gram–Schmidt does not promise.
 */
export function orthonormalColumns(a: ArrayLike<number>, m: number, n: number): Float64Array {
  if (m < n) throw new RangeError(`orthonormalColumns needs m ≥ n, got a ${m} × ${n} matrix`);
  // Column-major working copy: column j is work[j*m .. j*m+m).
  const work = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) work[j * m + i] = a[i * n + j];

  const reflectors: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const v = work.slice(k * m + k, k * m + m);
    const norm = euclideanNorm(v);
    if (norm > 0) {
      v[0] += v[0] >= 0 ? norm : -norm;
      const vNorm = euclideanNorm(v);
      for (let i = 0; i < v.length; i++) v[i] /= vNorm;
      for (let j = k; j < n; j++) applyReflector(v, work, j * m + k);
    }
    reflectors.push(v);
  }

  // Q = H_0 · H_1 · … · H_{n−1} · I[:, :n], applied from the last reflector back.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = reflectors[k];
    for (let j = 0; j < n; j++) applyReflector(v, q, j * m + k);
  }
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = q[j * m + i];
  return out;
}

function euclideanNorm(v: Float64Array): number {
  let sum = 0;
  for (const x of v) sum += x * x;
  return Math.sqrt(sum);
}

/** x ← (I − 2vvᵀ)·x for the column segment x = data[start .. start + v.length), v of unit norm or zero. */
function applyReflector(v: Float64Array, data: Float64Array, start: number): void {
  let dot = 0;
  for (let i = 0; i < v.length; i++) dot += v[i] * data[start + i];
  if (dot === 0) return;
  for (let i = 0; i < v.length; i++) data[start + i] -= 2 * dot * v[i];
}

export interface Svd {
  /** m × k, orthonormal columns (a column is zero where its singular value is). */
  U: Float64Array;
  /** k singular values, largest first. */
  S: Float64Array;
  /** k × n, orthonormal rows. */
  Vt: Float64Array;
  /** k = min(m, n). */
  k: number;
}

/**
 * Thin SVD of A (m × n) by one-sided Jacobi rotations, accurate to float64
 * rounding for the small matrices it is meant for (a few hundred columns).
 */
export function svd(a: ArrayLike<number>, m: number, n: number): Svd {
  if (m >= n) return jacobiSvd(a, m, n);
  // A = U·S·Vt ⇔ Aᵀ = Vtᵀ·S·Uᵀ.
  const transposed = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) transposed[j * m + i] = a[i * n + j];
  const t = jacobiSvd(transposed, n, m);
  return { U: transpose(t.Vt, t.k, m), S: t.S, Vt: transpose(t.U, n, t.k), k: t.k };
}

export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

const MAX_SWEEPS = 60;

/** One-sided Jacobi on the n columns of a tall A (m ≥ n): A·J = G with orthogonal columns, so A = (G/S)·S·Jᵀ. */
function jacobiSvd(a: ArrayLike<number>, m: number, n: number): Svd {
  const g = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) g[j * m + i] = a[i * n + j];
  const j = new Float64Array(n * n);
  for (let i = 0; i < n; i++) j[i * n + i] = 1;

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = g[p * m + i];
          const y = g[q * m + i];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(g, p * m, q * m, m, c, s);
        rotate(j, p * n, q * n, n, c, s);
      }
    }
    if (!rotated) break;
  }

  // Columns of G have norms S; sort them largest first.
  const norms = Array.from({ length: n }, (_, col) => {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += g[col * m + i] ** 2;
    return Math.sqrt(sum);
  });
  const order = norms.map((_, col) => col).sort((x, y) => norms[y] - norms[x]);
  const U = new Float64Array(m * n);
  const S = new Float64Array(n);
  const Vt = new Float64Array(n * n);
  order.forEach((col, rank) => {
    S[rank] = norms[col];
    for (let i = 0; i < m; i++) U[i * n + rank] = norms[col] > 0 ? g[col * m + i] / norms[col] : 0;
    // J is stored column-major here (column c at j[c*n ..]), so row `rank` of Jᵀ is that column.
    for (let i = 0; i < n; i++) Vt[rank * n + i] = j[col * n + i];
  });
  return { U, S, Vt, k: n };
}

/** Rotates the column pair (x, y) stored at data[px ..] and data[py ..] by the Jacobi angle (c, s). */
function rotate(data: Float64Array, px: number, py: number, length: number, c: number, s: number): void {
  for (let i = 0; i < length; i++) {
    const x = data[px + i];
    const y = data[py + i];
    data[px + i] = c * x - s * y;
    data[py + i] = s * x + c * y;
  }
}
