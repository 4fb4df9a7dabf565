/**
 * Householder reductions for the thin SVD (thin-svd.ts): LQ of a wide matrix to a square
 * lower-triangular factor, and Golub–Kahan bidiagonalisation of a matrix with at least as
 * many rows as columns. Row-major, in place, in the heap of a {@link SvdKernels}; no
 * allocation.
 *
 * A textbook reflector application is two passes over the trailing matrix (a product, then a
 * rank-1 update). Here every pass does the update of one reflector *and* the product the next
 * reflector needs (LAPACK's dgebd2 does four passes per step, these do two), in the kernels of
 * wasm-kernels.ts.
 *
 * Padding contract (what the kernels need): a matrix with `rows` rows and `cols` columns is
 * stored with a row stride `ld` ≥ cols + 1, even, and 3 zero rows below it; vectors indexed by
 * column have `ld` entries, those indexed by row have rows + 3; padding starts at zero and the
 * reductions keep it zero.
 * @internal
 */
import type { SvdKernels } from './wasm-kernels';

/** Reflector H = I − τ·v·vᵀ with v = [1, tail·scale], from LAPACK dlarfg. */
interface Reflector {
  /** The value that replaces alpha (H·x = beta·e₁). */
  beta: number;
  /** τ; 0 means H = I (nothing to annihilate). */
  tau: number;
  /** Factor applied to the tail to store v. */
  scale: number;
}

const reflector: Reflector = { beta: 0, tau: 0, scale: 0 };

/** The reflector of (alpha, tail) given ‖tail‖², into the shared {@link reflector}. β has the sign opposite to alpha, so alpha − β never cancels. */
function makeReflector(alpha: number, tailSquares: number): Reflector {
  if (tailSquares === 0) {
    reflector.beta = alpha;
    reflector.tau = 0;
    reflector.scale = 0;
    return reflector;
  }
  const norm = Math.sqrt(alpha * alpha + tailSquares);
  const beta = alpha >= 0 ? -norm : norm;
  reflector.beta = beta;
  reflector.tau = (beta - alpha) / beta;
  reflector.scale = 1 / (alpha - beta);
  return reflector;
}

/** Smallest multiple of 4 that is ≥ count. */
function rows4(count: number): number {
  return (count + 3) & ~3;
}

/** Column pairs covering count columns. */
function pairs(count: number): number {
  return (count + 1) >> 1;
}

/** Row stride for a matrix with `cols` columns under the padding contract. */
export function paddedStride(cols: number): number {
  return (cols + 2) & ~1;
}

/** Heap layout of an LQ: the m x n matrix at `at` (stride `ld`), and row-vector scratch. */
export interface LqLayout {
  at: number;
  m: number;
  n: number;
  ld: number;
  /** m + 3 entries: products of the rows with the current reflector. */
  dots: number;
  /** Two vectors of `ld` entries: the current and the next reflector. */
  current: number;
  next: number;
}

/**
 * LQ of the wide m x n matrix (m < n): on return row i holds L[i][0..i] (lower triangular,
 * diagonal included); the rest of the matrix is scratch and Q is not formed. `tau` has ≥ m
 * entries.
 */
export function lqInPlace(kernels: SvdKernels, layout: LqLayout, tau: Float64Array): void {
  const w = kernels.heap;
  const { at, m, n, ld, dots } = layout;
  let uk = layout.current;
  let un = layout.next;
  let tail = 0;
  for (let j = 1; j < n; j++) tail += w[at + j] * w[at + j];
  rowReflector(w, at, n, tail, tau, 0, uk);
  // dots[i] = row i · u₀ for the rows below (scale 0: no update).
  if (m > 1) kernels.updateDot(at + ld, ld, rows4(m - 1), pairs(n), uk, uk, dots + 1, 1, dots + 1, 0, 0);
  for (let k = 0; k + 1 < m; k++) {
    const next = k + 1;
    const rn = at + next * ld;
    // Row k+1 first (update and squared tail in one pass): it defines the next reflector,
    // whose products the kernel forms while it updates the rows below.
    const g = tau[k] * w[dots + next];
    w[rn + k] -= g;
    const first = w[rn + next] - g * w[uk + next];
    w[rn + next] = first;
    tail = 0;
    for (let j = next + 1; j < n; j++) {
      const x = w[rn + j] - g * w[uk + j];
      w[rn + j] = x;
      tail += x * x;
    }
    rowReflector(w, rn, n, tail, tau, next, un);
    w[un + k] = 0;
    const below = m - next - 1;
    if (below > 0) kernels.updateDot(rn + ld + k, ld, rows4(below), pairs(n - k), uk + k, un + k, dots + next + 1, 1, dots + next + 1, tau[k], 0);
    const swap = uk;
    uk = un;
    un = swap;
  }
}

/**
 * Reflector annihilating the row at `base` right of column `row`, given its squared tail:
 * β on the diagonal, τ into tau[row], and v (1 at `row`, the scaled tail after it) into the
 * vector at `out`.
 */
function rowReflector(w: Float64Array, base: number, n: number, tail: number, tau: Float64Array, row: number, out: number): void {
  const h = makeReflector(w[base + row], tail);
  tau[row] = h.tau;
  w[base + row] = h.beta;
  w[out + row] = 1;
  for (let j = row + 1; j < n; j++) w[out + j] = w[base + j] * h.scale;
}

/** Heap layout of a bidiagonalisation: the m x n matrix at `at` (m ≥ n, stride `ld`) and scratch. */
export interface BidiagonalLayout {
  at: number;
  m: number;
  n: number;
  ld: number;
  /** `ld` entries: vᵀ·A for the pending left reflector. */
  z: number;
  /** `ld` entries: the current right reflector. */
  u: number;
  /** m + 3 entries: A·u for the current right reflector. */
  y: number;
  /** n rows of `ldV` ≥ m + 3 entries: row k holds the left reflector v_k at columns k+1..m−1. */
  v: number;
  ldV: number;
}

/**
 * Golub–Kahan bidiagonalisation QᵀAP = B (m ≥ n): B is upper bidiagonal with diagonal `d` (n)
 * and superdiagonal `e` (n − 1). The left reflectors are kept, contiguous, in the layout's `v`
 * rows (`tauLeft[k]` their τ) for {@link applyLeftReflectors}; the right ones are discarded.
 * The matrix is overwritten.
 *
 * Step k, with c = k + 1: (1) row k gets the pending left update and yields the right
 * reflector u; (2) one kernel pass over rows ≥ c applies the left reflector k, forms y = A·u,
 * applies the right update to column c and returns that column's squared norm, which gives
 * the left reflector of column c; (3) a second pass applies the right update to columns > c,
 * scales and stores the new left reflector and accumulates z = vᵀA for step k+1.
 */
export function bidiagonalize(kernels: SvdKernels, layout: BidiagonalLayout, d: Float64Array, e: Float64Array, tauLeft: Float64Array): void {
  const w = kernels.heap;
  const { at, m, n, ld, z, u, y, v, ldV } = layout;
  // Column 0 (the only strided pass here), then z = v₀ᵀ·A[:, 1..] in a pass that updates nothing.
  let total = 0;
  for (let i = 0; i < m; i++) total += w[at + i * ld] * w[at + i * ld];
  let h = reflectorOfColumn(w[at], total);
  d[0] = h.beta;
  tauLeft[0] = h.tau;
  if (n === 1) {
    scaleColumn(w, layout, 0, h.scale);
    return;
  }
  accumulatePass(kernels, layout, 0, h, 0);
  for (let k = 0; k + 1 < n; k++) {
    const tl = tauLeft[k];
    const rk = at + k * ld;
    const c = k + 1;
    // (1) Row k: left update with its squared tail in the same loop, then the right reflector.
    const first = w[rk + c] - tl * w[z + c];
    w[rk + c] = first;
    let tail = 0;
    for (let j = c + 1; j < n; j++) {
      const x = w[rk + j] - tl * w[z + j];
      w[rk + j] = x;
      tail += x * x;
    }
    h = makeReflector(first, tail);
    const tr = h.tau;
    e[k] = h.beta;
    w[u + c] = 1;
    for (let j = c + 1; j < n; j++) w[u + j] = w[rk + j] * h.scale;
    // (2) Rows ≥ c (row c's v entry is stored in column k like the others').
    total = kernels.updateDot(rk + ld + c, ld, rows4(m - c), pairs(n - c), z + c, u + c, rk + ld + k, ld, y + c, tl, tr);
    h = reflectorOfColumn(w[rk + ld + c], total);
    d[c] = h.beta;
    tauLeft[c] = h.tau;
    if (c + 1 >= n) {
      scaleColumn(w, layout, c, h.scale);
      break;
    }
    // (3)
    accumulatePass(kernels, layout, c, h, tr);
  }
}

/**
 * Right update (scale `tr`, reflector in u, products in y) of the columns right of `col` over
 * rows ≥ col, with the left reflector `h` of column `col` scaled into place and into v, and
 * z = vᵀA accumulated over the updated rows.
 */
function accumulatePass(kernels: SvdKernels, layout: BidiagonalLayout, col: number, h: Reflector, tr: number): void {
  const w = kernels.heap;
  const { at, m, n, ld, z, u, y, v, ldV } = layout;
  const diagonal = at + col * ld + col;
  // The kernel scales the whole column by h.scale; (α − β)·h.scale is v's leading 1 (to
  // rounding). With no reflector (τ = 0) everything scales to 0, and z = 0 is never used.
  w[diagonal] = h.tau === 0 ? 0 : w[diagonal] - h.beta;
  w.fill(0, z + col + 1, z + n);
  kernels.updateAccumulate(diagonal + 1, ld, rows4(m - col), pairs(n - col - 1), u + col + 1, y + col, z + col + 1, tr, h.scale, v + col * ldV + col);
}

/** The reflector of a column from its leading entry and its squared norm (τ = 0 for a zero column). */
function reflectorOfColumn(alpha: number, total: number): Reflector {
  if (total === 0) return makeReflector(alpha, 0);
  const norm = Math.sqrt(total);
  const beta = alpha >= 0 ? -norm : norm;
  reflector.beta = beta;
  reflector.tau = (beta - alpha) / beta;
  reflector.scale = 1 / (alpha - beta);
  return reflector;
}

/** Scales column `col`'s tail (rows col+1..m−1) into its reflector and stores it in row `col` of v. */
function scaleColumn(w: Float64Array, layout: BidiagonalLayout, col: number, scale: number): void {
  const { at, m, ld, v, ldV } = layout;
  for (let i = col + 1; i < m; i++) {
    const x = w[at + i * ld + col] * scale;
    w[at + i * ld + col] = x;
    w[v + col * ldV + i] = x;
  }
}

/**
 * x ← Q·x for the Q = H₀·H₁·…·H_{n−1} that {@link bidiagonalize} left in the layout, for two
 * vectors of length m stored interleaved at `x` in the heap (see {@link SvdKernels.applyReflectors});
 * `tauLeft` is the offset of the τ's in the heap.
 */
export function applyLeftReflectors(kernels: SvdKernels, layout: BidiagonalLayout, tauLeft: number, x: number): void {
  kernels.applyReflectors(layout.v, layout.ldV, tauLeft, layout.n, layout.m, x);
}
