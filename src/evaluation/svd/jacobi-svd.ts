/**
 * Float64 thin SVD for the evaluation stage's spectral metrics (method.md §5: SVD in float64).
 *
 * Computes only what the nine metrics need: every singular value (descending), the top two
 * left singular vectors and the first right singular vector. Algorithm:
 *
 * - wide or square A (m <= n): Householder QR with column pivoting of Aᵀ, so that
 *   P·A = L·Qᵀ with L = Rᵀ (m x m, lower triangular), then one-sided (Hestenes) Jacobi on the
 *   columns of L. Left singular vectors of A are the normalised final columns, un-permuted;
 *   no rotation matrix is accumulated. This is the Drmač–Veselić preconditioning: the
 *   pivoted, graded L converges in far fewer sweeps than A itself.
 * - tall A (m > n): one-sided Jacobi directly on the n columns of A (not a target shape here,
 *   kept for completeness).
 * - v₁ = Aᵀu₁ / ‖Aᵀu₁‖, exact to rounding because s₁ is the largest singular value.
 *
 * Jacobi is used instead of eigenvalues of the Gram matrix because the condition number needs
 * s_k to full relative accuracy; the Gram route loses everything below ~1e-8·s₁ (see
 * docs/svd-metrics.md).
 */

const EPS = 2 ** -52;

/** Options of {@link ThinSvd}. */
export interface ThinSvdOptions {
  /**
   * Upper bound on Jacobi sweeps; a sweep that performs no rotation ends the iteration.
   * @default 60
   */
  maxSweeps?: number;
  /**
   * QR-with-pivoting preconditioning for square matrices (wide ones always need it: it is
   * what reduces them to m x m). Turning it off is only useful to measure what it buys.
   * @default true
   */
  precondition?: boolean;
}

/**
 * The SVD outputs the metrics read. Arrays are owned by the {@link ThinSvd} that produced them
 * and are overwritten by its next `compute` call.
 */
export interface SvdResult {
  /** Rows m of the decomposed matrix. */
  readonly rows: number;
  /** Columns n of the decomposed matrix. */
  readonly cols: number;
  /** k = min(m, n) singular values, descending, all ≥ 0. */
  readonly values: Float64Array;
  /** First left singular vector (length m, unit norm). */
  readonly u1: Float64Array;
  /** Second left singular vector (length m, unit norm, orthogonal to u1); NaN when k < 2. */
  readonly u2: Float64Array;
  /** First right singular vector (length n, unit norm). */
  readonly v1: Float64Array;
  /** How many left vectors are defined: min(2, k). */
  readonly leftCount: number;
  /** Jacobi sweeps of the last call (the last one performs no rotation). */
  readonly sweeps: number;
  /** False when `maxSweeps` ran out before the columns were orthogonal to machine precision. */
  readonly converged: boolean;
}

/**
 * A reusable thin-SVD workspace for one matrix shape. All buffers are allocated in the
 * constructor; `compute` allocates nothing, so a batch of thousands of matrices of the same
 * shape costs no garbage.
 *
 * @example
 * const svd = new ThinSvd(64, 128);
 * for (let b = 0; b < batch; b++) metricsOf(svd.compute(batched, b * 64 * 128));
 */
export class ThinSvd implements SvdResult {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float64Array;
  readonly u1: Float64Array;
  readonly u2: Float64Array;
  readonly v1: Float64Array;
  readonly leftCount: number;
  sweeps = 0;
  converged = true;

  readonly #k: number;
  /** Jacobi column length: k for the preconditioned path, m for the direct path. */
  readonly #len: number;
  readonly #wide: boolean;
  readonly #maxSweeps: number;
  readonly #tol: number;
  /** k Jacobi columns of length #len, contiguous. */
  readonly #w: Float64Array;
  /** Squared column norms tracked through the rotations. */
  readonly #d: Float64Array;
  /** Column indices sorted by descending norm. */
  readonly #order: Int32Array;
  /** Wide path: Aᵀ as m contiguous columns of length n (the rows of A), factored in place. */
  readonly #x: Float64Array;
  /** Wide path: row permutation of A chosen by the pivoting (L row i is A row perm[i]). */
  readonly #perm: Int32Array;
  /** Wide path: partial column norms of Aᵀ for pivoting, and their reference values. */
  readonly #pn: Float64Array;
  readonly #pnRef: Float64Array;

  /**
   * @param rows - m ≥ 1
   * @param cols - n ≥ 1
   */
  constructor(rows: number, cols: number, options: ThinSvdOptions = {}) {
    if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`ThinSvd rows must be a positive integer, got ${rows}`);
    if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`ThinSvd cols must be a positive integer, got ${cols}`);
    const maxSweeps = options.maxSweeps ?? 60;
    if (!Number.isInteger(maxSweeps) || maxSweeps < 1) throw new RangeError(`ThinSvd maxSweeps must be a positive integer, got ${maxSweeps}`);
    this.rows = rows;
    this.cols = cols;
    this.#k = Math.min(rows, cols);
    this.#wide = rows < cols || (rows === cols && (options.precondition ?? true));
    this.#len = this.#wide ? this.#k : rows;
    this.#maxSweeps = maxSweeps;
    // LAPACK dgesvj's threshold: columns count as orthogonal when |cos| <= sqrt(len)·eps.
    this.#tol = Math.sqrt(this.#len) * EPS;
    this.values = new Float64Array(this.#k);
    this.u1 = new Float64Array(rows);
    this.u2 = new Float64Array(rows);
    this.v1 = new Float64Array(cols);
    this.leftCount = Math.min(2, this.#k);
    this.#w = new Float64Array(this.#k * this.#len);
    this.#d = new Float64Array(this.#k);
    this.#order = new Int32Array(this.#k);
    this.#x = new Float64Array(this.#wide ? rows * cols : 0);
    this.#perm = new Int32Array(this.#wide ? rows : 0);
    this.#pn = new Float64Array(this.#wide ? rows : 0);
    this.#pnRef = new Float64Array(this.#wide ? rows : 0);
  }

  /**
   * Decomposes the row-major m x n matrix stored at `a[offset .. offset + m·n)`. Entries must
   * be finite (apply the non-finite guard first) and below ~1e150 in magnitude (squares of
   * column norms must not overflow).
   *
   * @returns this workspace, whose fields now describe the matrix
   */
  compute(a: Float64Array, offset = 0): SvdResult {
    if (offset < 0 || offset + this.rows * this.cols > a.length) {
      throw new RangeError(`ThinSvd.compute: ${this.rows}x${this.cols} matrix at offset ${offset} exceeds input length ${a.length}`);
    }
    if (this.#wide) this.#loadPreconditioned(a, offset);
    else this.#loadColumns(a, offset);
    this.#orthogonalize();
    this.#extract(a, offset);
    return this;
  }

  /** Direct path: the columns of A become the Jacobi columns. */
  #loadColumns(a: Float64Array, offset: number): void {
    const m = this.rows;
    const n = this.cols;
    const w = this.#w;
    for (let i = 0; i < m; i++) {
      const row = offset + i * n;
      for (let j = 0; j < n; j++) w[j * m + i] = a[row + j];
    }
  }

  /** Wide path: pivoted QR of Aᵀ, then the columns of L = Rᵀ become the Jacobi columns. */
  #loadPreconditioned(a: Float64Array, offset: number): void {
    const m = this.rows;
    const n = this.cols;
    const x = this.#x;
    // Row i of A (contiguous) is column i of Aᵀ.
    x.set(a.subarray(offset, offset + m * n));
    pivotedHouseholderQr(x, n, m, this.#perm, this.#pn, this.#pnRef);
    // Column i of L is row i of R: R[i][r] = x[r·n + i] for r ≥ i.
    const w = this.#w;
    w.fill(0);
    for (let i = 0; i < m; i++) {
      for (let r = i; r < m; r++) w[i * m + r] = x[r * n + i];
    }
  }

  /** Cyclic one-sided Jacobi with tracked column norms, until a sweep rotates nothing. */
  #orthogonalize(): void {
    const k = this.#k;
    const len = this.#len;
    const w = this.#w;
    const d = this.#d;
    this.converged = k < 2;
    this.sweeps = 0;
    if (k < 2) return;
    while (this.sweeps < this.#maxSweeps) {
      this.sweeps++;
      // Fresh norms each sweep stop the tracked values from drifting.
      for (let j = 0; j < k; j++) d[j] = dot(w, j * len, j * len, len);
      let rotations = 0;
      for (let p = 0; p < k - 1; p++) {
        for (let q = p + 1; q < k; q++) rotations += this.#rotatePair(p, q);
      }
      if (rotations === 0) {
        this.converged = true;
        return;
      }
    }
  }

  /** Orthogonalises columns p and q when they are not yet orthogonal; returns 1 if rotated. */
  #rotatePair(p: number, q: number): number {
    const d = this.#d;
    const alpha = d[p];
    const beta = d[q];
    if (alpha === 0 || beta === 0) return 0;
    const w = this.#w;
    const len = this.#len;
    const po = p * len;
    const qo = q * len;
    const gamma = dot(w, po, qo, len);
    if (Math.abs(gamma) <= this.#tol * Math.sqrt(alpha * beta)) return 0;
    // Rutishauser's stable rotation: t is the smaller root of t² + 2ζt − 1 = 0.
    const zeta = (beta - alpha) / (2 * gamma);
    const t = Math.abs(zeta) > 1e150 ? 1 / (2 * zeta) : Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
    const c = 1 / Math.sqrt(1 + t * t);
    const s = c * t;
    for (let i = 0; i < len; i++) {
      const xp = w[po + i];
      const xq = w[qo + i];
      w[po + i] = c * xp - s * xq;
      w[qo + i] = s * xp + c * xq;
    }
    // Updated norms lose relative accuracy when a column shrinks a lot: recompute then.
    const dp = alpha - t * gamma;
    const dq = beta + t * gamma;
    d[p] = dp < 0.1 * alpha ? dot(w, po, po, len) : dp;
    d[q] = dq < 0.1 * beta ? dot(w, qo, qo, len) : dq;
    return 1;
  }

  /** Singular values, sorted, then u₁, u₂ and v₁. */
  #extract(a: Float64Array, offset: number): void {
    const k = this.#k;
    const len = this.#len;
    const w = this.#w;
    const order = this.#order;
    for (let j = 0; j < k; j++) {
      this.#d[j] = Math.sqrt(dot(w, j * len, j * len, len));
      order[j] = j;
    }
    sortByDescending(order, this.#d);
    for (let j = 0; j < k; j++) this.values[j] = this.#d[order[j]];
    this.#leftVector(order[0], this.u1, null);
    if (k >= 2) this.#leftVector(order[1], this.u2, this.u1);
    else this.u2.fill(Number.NaN);
    firstRightVector(a, offset, this.rows, this.cols, this.u1, this.v1);
  }

  /**
   * Normalised Jacobi column `col` as a left vector of A. A zero column (rank-deficient A)
   * has no direction of its own: it becomes a unit vector orthogonal to `orthogonalTo`.
   */
  #leftVector(col: number, out: Float64Array, orthogonalTo: Float64Array | null): void {
    const norm = this.#d[col];
    const m = this.rows;
    if (norm === 0) {
      unitOrthogonalTo(orthogonalTo, out);
      return;
    }
    const w = this.#w;
    const base = col * this.#len;
    if (this.#wide) {
      for (let i = 0; i < m; i++) out[this.#perm[i]] = w[base + i] / norm;
    } else {
      for (let i = 0; i < m; i++) out[i] = w[base + i] / norm;
    }
  }
}

/** Σ w[a+i]·w[b+i] for i < len, with two accumulators for instruction-level parallelism. */
function dot(w: Float64Array, a: number, b: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    s0 += w[a + i] * w[b + i];
    s1 += w[a + i + 1] * w[b + i + 1];
  }
  if (i < len) s0 += w[a + i] * w[b + i];
  return s0 + s1;
}

/** Insertion sort of indices by descending key: k ≤ a few hundred, and nearly sorted. */
function sortByDescending(order: Int32Array, key: Float64Array): void {
  for (let i = 1; i < order.length; i++) {
    const idx = order[i];
    const value = key[idx];
    let j = i - 1;
    while (j >= 0 && key[order[j]] < value) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = idx;
  }
}

/**
 * Householder QR with column pivoting (LAPACK dgeqp3 style) of the len x cols matrix whose
 * columns are contiguous in `x` (column c at c·len). On return R[i][c] = x[c·len + i] for
 * i ≤ c, and `perm[i]` is the original column now in position i. Reflectors are discarded:
 * only R and the permutation are needed.
 */
function pivotedHouseholderQr(x: Float64Array, len: number, cols: number, perm: Int32Array, pn: Float64Array, pnRef: Float64Array): void {
  for (let c = 0; c < cols; c++) {
    perm[c] = c;
    pn[c] = Math.sqrt(dot(x, c * len, c * len, len));
    pnRef[c] = pn[c];
  }
  const steps = Math.min(len, cols);
  for (let j = 0; j < steps; j++) {
    swapColumns(x, len, j, argMax(pn, j), perm, pn, pnRef);
    const beta = householderStep(x, len, cols, j);
    x[j * len + j] = beta;
    downdateNorms(x, len, cols, j, pn, pnRef);
  }
}

function argMax(values: Float64Array, from: number): number {
  let best = from;
  for (let i = from + 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function swapColumns(x: Float64Array, len: number, a: number, b: number, perm: Int32Array, pn: Float64Array, pnRef: Float64Array): void {
  if (a === b) return;
  for (let i = 0; i < len; i++) {
    const t = x[a * len + i];
    x[a * len + i] = x[b * len + i];
    x[b * len + i] = t;
  }
  swap(perm, a, b);
  swap(pn, a, b);
  swap(pnRef, a, b);
}

function swap(arr: Int32Array | Float64Array, a: number, b: number): void {
  const t = arr[a];
  arr[a] = arr[b];
  arr[b] = t;
}

/**
 * Reflects column j's entries j.. onto its diagonal and applies the reflector to columns
 * j+1..; returns the new diagonal value β (0 for an all-zero column).
 */
function householderStep(x: Float64Array, len: number, cols: number, j: number): number {
  const base = j * len;
  const alpha = x[base + j];
  let tail = 0;
  for (let i = j + 1; i < len; i++) tail += x[base + i] * x[base + i];
  if (tail === 0) return alpha;
  const beta = alpha >= 0 ? -Math.sqrt(alpha * alpha + tail) : Math.sqrt(alpha * alpha + tail);
  const tau = (beta - alpha) / beta;
  const scale = 1 / (alpha - beta);
  // v = [1, x[j+1..]·scale]; stored in place of the column's tail (not needed afterwards).
  for (let i = j + 1; i < len; i++) x[base + i] *= scale;
  for (let c = j + 1; c < cols; c++) {
    const cb = c * len;
    let s = x[cb + j];
    for (let i = j + 1; i < len; i++) s += x[base + i] * x[cb + i];
    s *= tau;
    x[cb + j] -= s;
    for (let i = j + 1; i < len; i++) x[cb + i] -= s * x[base + i];
  }
  return beta;
}

/** Partial-norm downdate with LAPACK's cancellation safeguard (recompute when unreliable). */
function downdateNorms(x: Float64Array, len: number, cols: number, j: number, pn: Float64Array, pnRef: Float64Array): void {
  const guard = Math.sqrt(EPS);
  for (let c = j + 1; c < cols; c++) {
    if (pn[c] === 0) continue;
    const ratio = Math.abs(x[c * len + j]) / pn[c];
    const temp = Math.max(0, 1 - ratio * ratio);
    const rel = pn[c] / pnRef[c];
    if (temp * rel * rel <= guard) {
      let s = 0;
      for (let i = j + 1; i < len; i++) s += x[c * len + i] * x[c * len + i];
      pn[c] = Math.sqrt(s);
      pnRef[c] = pn[c];
    } else {
      pn[c] *= Math.sqrt(temp);
    }
  }
}

/** v₁ = Aᵀu₁ normalised; e₁ for the zero matrix (as LAPACK returns). */
function firstRightVector(a: Float64Array, offset: number, m: number, n: number, u1: Float64Array, v1: Float64Array): void {
  v1.fill(0);
  for (let i = 0; i < m; i++) {
    const ui = u1[i];
    const row = offset + i * n;
    for (let j = 0; j < n; j++) v1[j] += ui * a[row + j];
  }
  let norm = 0;
  for (let j = 0; j < n; j++) norm += v1[j] * v1[j];
  if (norm === 0) {
    v1.fill(0);
    v1[0] = 1;
    return;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let j = 0; j < n; j++) v1[j] *= inv;
}

/**
 * A unit vector orthogonal to `other` (or e₁ when there is none): the coordinate axis least
 * aligned with `other`, with its `other` component removed.
 */
function unitOrthogonalTo(other: Float64Array | null, out: Float64Array): void {
  out.fill(0);
  if (other === null) {
    out[0] = 1;
    return;
  }
  const axis = argMinAbs(other);
  for (let i = 0; i < out.length; i++) out[i] = -other[axis] * other[i];
  out[axis] += 1;
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += out[i] * out[i];
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i] *= inv;
}

function argMinAbs(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i]) < Math.abs(values[best])) best = i;
  return best;
}
