/**
 * Float64 thin SVD for the evaluation stage's spectral metrics (method.md §5: SVD in float64).
 *
 * Computes only what the nine metrics need: every singular value (descending), the top two
 * left singular vectors and the first right singular vector. Algorithm (docs/svd-metrics.md):
 *
 * 1. wide A (m < n): Householder LQ, A = L·Q, keeping only the m x m lower-triangular L
 *    (left singular vectors of A are those of L; Q is never formed).
 * 2. Golub–Kahan bidiagonalisation of L (or of A when m ≥ n): QᵀAP = B, upper bidiagonal,
 *    keeping the left reflectors only (householder.ts; trailing updates in WebAssembly SIMD,
 *    wasm-kernels.ts).
 * 3. All singular values of B by dqds (dqds.ts), to high relative accuracy.
 * 4. The top two left singular vectors of B by inverse iteration on B·Bᵀ with the computed
 *    s₁², s₂² as shifts (top-vectors.ts), mapped back through the stored reflectors.
 * 5. v₁ = Aᵀu₁ / ‖Aᵀu₁‖, exact to rounding because s₁ is the largest singular value.
 *
 * Accuracy: backward stable, so every singular value is within a few eps·s₁ of the exact one
 * (the 1e-6·s₁ level where the condition number caps is resolved to ~1e-10 relative).
 */
import { BidiagonalValues } from './dqds';
import { applyLeftReflectors, bidiagonalize, lqInPlace, paddedStride, type BidiagonalLayout, type LqLayout } from './householder';
import { TopLeftVectors } from './top-vectors';
import { jsKernels, wasmKernels, wasmKernelsAvailable, type SvdKernels } from './wasm-kernels';

/** Options of {@link ThinSvd}. */
export interface ThinSvdOptions {
  /**
   * Where the O(n³) trailing updates run: `'wasm'` (WebAssembly SIMD, ~3x faster) or `'js'`
   * (plain TypeScript; the same arithmetic up to summation order). `'wasm'` falls back to
   * `'js'` where WebAssembly SIMD is unavailable.
   * @default 'wasm'
   */
  kernels?: 'wasm' | 'js';
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
  /** False when the singular values did not converge or the input was not finite (outputs are then NaN or approximate). */
  readonly converged: boolean;
}

/**
 * A reusable thin-SVD workspace for one matrix shape. All buffers (and the WebAssembly
 * memory) are allocated in the constructor; `compute` allocates nothing, so a batch of
 * thousands of matrices of the same shape costs no garbage.
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
  converged = true;
  /** dqds transforms of the last call (failed attempts included), for benchmarks. */
  iterations = 0;
  /** Which kernels this workspace runs. */
  readonly kernels: 'wasm' | 'js';

  readonly #k: number;
  readonly #wide: boolean;
  /** The kernels (WebAssembly or TypeScript) and the heap every buffer below lives in. */
  readonly #ops: SvdKernels;
  readonly #lq: LqLayout;
  readonly #bidiagonal: BidiagonalLayout;
  readonly #d: Float64Array;
  readonly #e: Float64Array;
  readonly #tauLeft: Float64Array;
  readonly #tauLeftAt: number;
  /** u1 and u2 interleaved in the heap, for the reflector kernel. */
  readonly #pair: Float64Array;
  readonly #pairAt: number;
  readonly #tauLq: Float64Array;
  readonly #dqds: BidiagonalValues;
  readonly #top: TopLeftVectors;
  /** Left vectors of B (length k). */
  readonly #b1: Float64Array;
  readonly #b2: Float64Array;

  /**
   * @param rows - m ≥ 1
   * @param cols - n ≥ 1
   */
  constructor(rows: number, cols: number, options: ThinSvdOptions = {}) {
    if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`ThinSvd rows must be a positive integer, got ${rows}`);
    if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`ThinSvd cols must be a positive integer, got ${cols}`);
    const kernels = options.kernels ?? 'wasm';
    if (kernels !== 'wasm' && kernels !== 'js') throw new RangeError(`ThinSvd kernels must be 'wasm' or 'js', got '${String(kernels)}'`);
    this.rows = rows;
    this.cols = cols;
    const k = Math.min(rows, cols);
    this.#k = k;
    this.#wide = rows < cols;
    this.values = new Float64Array(k);
    this.u1 = new Float64Array(rows);
    this.u2 = new Float64Array(rows);
    this.v1 = new Float64Array(cols);
    this.leftCount = Math.min(2, k);
    // Heap layout (householder.ts padding contract): [LQ matrix, dots, two reflectors] when
    // wide; [bidiagonalised matrix, z, u, y, left reflectors]; the qd arrays; the τ's; u1 and
    // u2 interleaved. Every region starts at an even offset.
    let top = 0;
    const take = (size: number): number => {
      const at = top;
      top += size + (size & 1);
      return at;
    };
    const ldX = this.#wide ? paddedStride(cols) : 0;
    const lqAt = take(this.#wide ? (rows + 3) * ldX : 0);
    this.#lq = { at: lqAt, m: rows, n: cols, ld: ldX, dots: take(this.#wide ? rows + 3 : 0), current: take(ldX), next: take(ldX) };
    // Bidiagonalised: L (m x m) when wide, else A itself (m x n, m ≥ n); k columns either way.
    const ldB = paddedStride(k);
    const bAt = take((rows + 3) * ldB);
    const ldV = rows + 3 + ((rows + 3) & 1);
    this.#bidiagonal = { at: bAt, m: rows, n: k, ld: ldB, z: take(ldB), u: take(ldB), y: take(rows + 3), v: take(k * ldV), ldV };
    const qdAt = take(BidiagonalValues.heapSize(k));
    const tauAt = take(k);
    this.#pairAt = take(2 * rows);
    this.kernels = kernels === 'wasm' && wasmKernelsAvailable() ? 'wasm' : 'js';
    this.#ops = this.kernels === 'wasm' ? wasmKernels(top) : jsKernels(new Float64Array(top));
    this.#dqds = new BidiagonalValues(this.#ops, qdAt, k);
    this.#d = new Float64Array(k);
    this.#e = new Float64Array(k);
    this.#tauLeftAt = tauAt;
    this.#tauLeft = this.#ops.heap.subarray(tauAt, tauAt + k);
    this.#pair = this.#ops.heap.subarray(this.#pairAt, this.#pairAt + 2 * rows);
    this.#tauLq = new Float64Array(rows);
    this.#top = new TopLeftVectors(k);
    this.#b1 = new Float64Array(k);
    this.#b2 = new Float64Array(k);
  }

  /**
   * Decomposes the row-major m x n matrix stored at `a[offset .. offset + m·n)`. Entries must
   * be finite and below ~1e150 in magnitude, and the matrix either zero or with a norm above
   * ~1e-150 (squares of column norms must neither overflow nor underflow; any float32 data
   * qualifies). A non-finite entry makes every output NaN and `converged` false.
   *
   * @returns this workspace, whose fields now describe the matrix
   */
  compute(a: Float64Array, offset = 0): SvdResult {
    const m = this.rows;
    const n = this.cols;
    if (offset < 0 || offset + m * n > a.length) {
      throw new RangeError(`ThinSvd.compute: ${m}x${n} matrix at offset ${offset} exceeds input length ${a.length}`);
    }
    this.#reduce(a, offset);
    const k = this.#k;
    const d = this.#d;
    const e = this.#e;
    for (let i = 0; i < k; i++) {
      if (!Number.isFinite(d[i]) || !Number.isFinite(e[i])) {
        this.#fail();
        return this;
      }
    }
    this.#dqds.compute(d, e, k, this.values);
    this.converged = this.#dqds.converged;
    this.iterations = this.#dqds.iterations;
    this.#vectors(a, offset);
    return this;
  }

  /** Steps 1–2: the bidiagonal into #d, #e, with the left reflectors in the heap. */
  #reduce(a: Float64Array, offset: number): void {
    const heap = this.#ops.heap;
    const m = this.rows;
    const n = this.cols;
    const b = this.#bidiagonal;
    if (this.#wide) {
      const x = this.#lq;
      copyRows(a, offset, m, n, heap, x.at, x.ld);
      lqInPlace(this.#ops, x, this.#tauLq);
      for (let i = 0; i < m; i++) {
        const from = x.at + i * x.ld;
        const to = b.at + i * b.ld;
        for (let j = 0; j <= i; j++) heap[to + j] = heap[from + j];
        heap.fill(0, to + i + 1, to + m);
      }
    } else {
      copyRows(a, offset, m, n, heap, b.at, b.ld);
    }
    this.#e[this.#k - 1] = 0;
    bidiagonalize(this.#ops, b, this.#d, this.#e, this.#tauLeft);
  }

  /** Steps 4–5. */
  #vectors(a: Float64Array, offset: number): void {
    const k = this.#k;
    const u1 = this.u1;
    const u2 = this.u2;
    const s1 = this.values[0];
    if (s1 === 0) {
      // The zero matrix: the identity's vectors, as LAPACK returns.
      u1.fill(0);
      u1[0] = 1;
      u2.fill(k >= 2 ? 0 : Number.NaN);
      if (k >= 2) u2[1] = 1;
      this.v1.fill(0);
      this.v1[0] = 1;
      return;
    }
    this.#top.compute(this.#d, this.#e, k, s1, k >= 2 ? this.values[1] : 0, this.#b1, this.#b2);
    // u = Q·[b; 0] for both vectors in one pass over the reflectors.
    const pair = this.#pair;
    pair.fill(0);
    for (let i = 0; i < k; i++) {
      pair[2 * i] = this.#b1[i];
      pair[2 * i + 1] = k >= 2 ? this.#b2[i] : 0;
    }
    applyLeftReflectors(this.#ops, this.#bidiagonal, this.#tauLeftAt, this.#pairAt);
    for (let i = 0; i < this.rows; i++) {
      u1[i] = pair[2 * i];
      u2[i] = pair[2 * i + 1];
    }
    normalizeInPlace(u1);
    if (k >= 2) {
      // Q is orthogonal to rounding; restore u1 ⟂ u2 and unit norms exactly to rounding.
      const c = dot(u1, u2, this.rows);
      for (let i = 0; i < this.rows; i++) u2[i] -= c * u1[i];
      normalizeInPlace(u2);
    } else {
      u2.fill(Number.NaN);
    }
    firstRightVector(a, offset, this.rows, this.cols, u1, this.v1);
  }

  /** Non-finite input: NaN everywhere, and the heap's padding zeroed again for the next call. */
  #fail(): void {
    this.#ops.heap.fill(0);
    this.values.fill(Number.NaN);
    this.u1.fill(Number.NaN);
    this.u2.fill(Number.NaN);
    this.v1.fill(Number.NaN);
    this.converged = false;
    this.iterations = 0;
  }
}

/** Copies the m x n row-major matrix at a[offset] into `heap` at `at` with row stride `ld` (no views: no garbage). */
function copyRows(a: Float64Array, offset: number, m: number, n: number, heap: Float64Array, at: number, ld: number): void {
  for (let i = 0; i < m; i++) {
    const from = offset + i * n;
    const to = at + i * ld;
    for (let j = 0; j < n; j++) heap[to + j] = a[from + j];
  }
}

function dot(x: Float64Array, y: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

function normalizeInPlace(x: Float64Array): void {
  const inv = 1 / Math.sqrt(dot(x, x, x.length));
  for (let i = 0; i < x.length; i++) x[i] *= inv;
}

/** v₁ = Aᵀu₁ normalised, four rows at a time (row-major, contiguous inner loop). */
function firstRightVector(a: Float64Array, offset: number, m: number, n: number, u1: Float64Array, v1: Float64Array): void {
  v1.fill(0);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const r0 = offset + i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    const c0 = u1[i];
    const c1 = u1[i + 1];
    const c2 = u1[i + 2];
    const c3 = u1[i + 3];
    for (let j = 0; j < n; j++) v1[j] += c0 * a[r0 + j] + c1 * a[r1 + j] + c2 * a[r2 + j] + c3 * a[r3 + j];
  }
  for (; i < m; i++) {
    const r = offset + i * n;
    const c = u1[i];
    for (let j = 0; j < n; j++) v1[j] += c * a[r + j];
  }
  const norm = Math.sqrt(dot(v1, v1, n));
  if (norm === 0) {
    v1.fill(0);
    v1[0] = 1;
    return;
  }
  const inv = 1 / norm;
  for (let j = 0; j < n; j++) v1[j] *= inv;
}
