/**
 * Slow, trusted references for the SVD tests: a plain one-sided (Hestenes) Jacobi SVD, the
 * nine metric formulas written out directly (reference-pipeline.md §8.4), and matrices with
 * known singular values and vectors. Nothing here shares code with src/evaluation/svd.
 */

/** What the tests compare with ThinSvd. */
export interface ReferenceSvd {
  /** All k = min(m, n) singular values, descending. */
  values: number[];
  /** Left singular vectors of the two largest values (fewer when k < 2). */
  left: number[][];
  /** Right singular vector of the largest value. */
  v1: number[];
}

/**
 * One-sided Jacobi on the n columns of A (m x n, any shape): rotate column pairs until every
 * pair is orthogonal to working precision (|cos| ≤ m·eps, dots recomputed every time); the
 * column norms are then the singular values and the normalised columns the left vectors.
 * Accurate to a few eps·s₁ for every singular value; O(sweeps·n²·m), fine for tests.
 */
export function jacobiSvd(a: ArrayLike<number>, m: number, n: number): ReferenceSvd {
  const cols = Array.from({ length: n }, (_, j) => Float64Array.from({ length: m }, (_, i) => a[i * n + j]));
  const tol = m * 2 ** -52;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const x = cols[p];
        const y = cols[q];
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += x[i] * x[i];
          beta += y[i] * y[i];
          gamma += x[i] * y[i];
        }
        if (alpha === 0 || beta === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const xi = x[i];
          const yi = y[i];
          x[i] = c * xi - s * yi;
          y[i] = s * xi + c * yi;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = cols.map((col) => Math.sqrt(col.reduce((sum, v) => sum + v * v, 0)));
  const order = norms.map((_, j) => j).sort((i, j) => norms[j] - norms[i]);
  const k = Math.min(m, n);
  const values = order.slice(0, k).map((j) => norms[j]);
  const left = order.slice(0, Math.min(2, k)).map((j) => Array.from(cols[j], (v) => (norms[j] === 0 ? 0 : v / norms[j])));
  const v1 = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i * n + j] * left[0][i];
    return s;
  });
  const norm = Math.hypot(...v1);
  return { values, left, v1: v1.map((v) => (norm === 0 ? 0 : v / norm)) };
}

const EPS = 1e-12;
const CAP = 1e6;

/** The nine metrics written out as in reference-pipeline.md §8.4 (null where unavailable). */
export function referenceMetrics(
  values: number[],
  u1: ArrayLike<number>,
  v1: ArrayLike<number>,
  square: boolean,
  target: 'qkt' | 'avwo' | 'wvwo',
  grassmannian: number | null,
): Record<string, number | null> {
  const k = values.length;
  const squares = values.map((s) => s * s);
  const total = values.reduce((a, b) => a + b, 0);
  const p = values.map((s) => s / (total + EPS));
  let alignment: number | null = null;
  if (square && target !== 'avwo') {
    let dot = 0;
    for (let i = 0; i < u1.length; i++) dot += u1[i] * v1[i];
    alignment = Math.abs(dot);
  }
  return {
    stable_rank: squares.reduce((a, b) => a + b, 0) / (squares[0] + EPS),
    spectral_entropy: Math.max(0, -p.reduce((h, pi) => h + pi * Math.log(pi + EPS), 0)),
    spectral_gap_1_2: k >= 2 ? values[0] - values[1] : null,
    spectral_gap_2_3: k >= 3 ? values[1] - values[2] : null,
    spectral_gap_4_5: k >= 5 ? values[3] - values[4] : null,
    condition_number: Math.min(values[0] / (values[k - 1] + EPS), CAP),
    rank1_residual_norm: Math.sqrt(squares.slice(1).reduce((a, b) => a + b, 0) + EPS) / (Math.sqrt(squares.reduce((a, b) => a + b, 0) + EPS) + EPS),
    read_write_alignment: alignment,
    grassmannian_distance: target === 'wvwo' ? null : grassmannian,
  };
}

/**
 * Geodesic distance between span(a1, a2) and span(b1, b2) (orthonormal pairs): principal
 * angles from the eigenvalues of MᵀM, M = AᵀB (2 x 2), by the quadratic formula.
 */
export function referenceGrassmannian(a1: ArrayLike<number>, a2: ArrayLike<number>, b1: ArrayLike<number>, b2: ArrayLike<number>): number {
  const dot = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
    return s;
  };
  const m11 = dot(a1, b1);
  const m12 = dot(a1, b2);
  const m21 = dot(a2, b1);
  const m22 = dot(a2, b2);
  // MᵀM = [[p, r], [r, q]]
  const p = m11 * m11 + m21 * m21;
  const q = m12 * m12 + m22 * m22;
  const r = m11 * m12 + m21 * m22;
  const mean = (p + q) / 2;
  const radius = Math.hypot((p - q) / 2, r);
  const cosines = [Math.sqrt(Math.max(0, mean + radius)), Math.sqrt(Math.max(0, mean - radius))];
  const angles = cosines.map((c) => Math.acos(Math.min(1, Math.max(-1, c))));
  return Math.hypot(...angles);
}

/** Deterministic uniform(−0.5, 0.5) numbers (xorshift32). */
export function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  };
}

/**
 * A random n x n orthogonal matrix (row-major), the product of n Householder reflectors of
 * random vectors applied to the identity: orthogonal to rounding.
 */
export function randomOrthogonal(n: number, seed: number): Float64Array {
  const next = random(seed);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let r = 0; r < n; r++) {
    const v = Float64Array.from({ length: n }, next);
    const vv = v.reduce((s, x) => s + x * x, 0);
    // Q ← Q·(I − 2vvᵀ/vᵀv)
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += q[i * n + j] * v[j];
      const f = (2 * s) / vv;
      for (let j = 0; j < n; j++) q[i * n + j] -= f * v[j];
    }
  }
  return q;
}

/** Column j of the row-major n x n matrix q. */
export function column(q: Float64Array, n: number, j: number): number[] {
  return Array.from({ length: n }, (_, i) => q[i * n + j]);
}

/**
 * A = U·diag(values)·Vᵀ (m x n, row-major) with U, V the given orthogonal matrices (m x m and
 * n x n); values has min(m, n) entries. Its singular values are `values` (sorted) and its
 * singular vectors the matching columns of U and V.
 */
export function withSpectrum(values: number[], u: Float64Array, v: Float64Array, m: number, n: number): Float64Array {
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < values.length; t++) s += u[i * m + t] * values[t] * v[j * n + t];
      a[i * n + j] = s;
    }
  }
  return a;
}
