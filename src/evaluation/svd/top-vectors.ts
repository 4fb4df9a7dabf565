/**
 * The two leading left singular vectors of an upper bidiagonal B, given its two largest
 * singular values, by inverse iteration on the tridiagonal T = B·Bᵀ (as LAPACK's dstein does
 * for tridiagonal eigenvectors): O(n) per iteration instead of accumulating rotations.
 *
 * Forming T squares B, which is harmless here: for the *top* pair the relative gaps are
 * preserved ((s₁² − s₂²)/s₁² ≈ 2(s₁ − s₂)/s₁), and only the small singular values would lose
 * accuracy, which are never computed this way.
 * @internal
 */

const EPS = 2 ** -52;
/**
 * Inverse iterations per vector. The shift is the eigenvalue to working accuracy, so each
 * solve shrinks the other components by ~eps/gap: the first lands on the vector, the second
 * leaves only rounding.
 */
const ITERATIONS = 2;

/** Workspace for bidiagonals of order ≤ n. */
export class TopLeftVectors {
  /** Diagonal and off-diagonal of T, scaled. */
  readonly #diagonal: Float64Array;
  readonly #off: Float64Array;
  /** LU factors of T − σI with partial pivoting (LAPACK dgttrf layout; `#d` holds the pivots' reciprocals). */
  readonly #d: Float64Array;
  readonly #dl: Float64Array;
  readonly #du: Float64Array;
  readonly #du2: Float64Array;
  readonly #pivot: Uint8Array;
  /** Fixed pseudo-random start vectors, so that results are deterministic. */
  readonly #start1: Float64Array;
  readonly #start2: Float64Array;

  constructor(n: number) {
    this.#diagonal = new Float64Array(n);
    this.#off = new Float64Array(n);
    this.#d = new Float64Array(n);
    this.#dl = new Float64Array(n);
    this.#du = new Float64Array(n);
    this.#du2 = new Float64Array(n);
    this.#pivot = new Uint8Array(n);
    this.#start1 = new Float64Array(n);
    this.#start2 = new Float64Array(n);
    let state = 0x9e3779b9;
    const next = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296 - 0.5;
    };
    for (let i = 0; i < n; i++) {
      this.#start1[i] = 1 + next();
      this.#start2[i] = next();
    }
  }

  /**
   * u1 and u2 (first n entries of each) for the n x n upper bidiagonal with diagonal `d` and
   * superdiagonal `f`, whose two largest singular values are s1 ≥ s2 (s1 > 0). When s1 ≈ s2
   * or s2 ≈ s3 the individual vectors are not determined; u2 is then some unit vector of the
   * cluster orthogonal to u1. n = 1 gives u1 = [1] and leaves u2 alone.
   */
  compute(d: Float64Array, f: Float64Array, n: number, s1: number, s2: number, u1: Float64Array, u2: Float64Array): void {
    if (n === 1) {
      u1[0] = 1;
      return;
    }
    // T = B·Bᵀ of B/s1, so that its largest eigenvalue is 1.
    const inv = 1 / s1;
    const t = this.#diagonal;
    const o = this.#off;
    for (let i = 0; i < n; i++) {
      const di = d[i] * inv;
      const fi = i + 1 < n ? f[i] * inv : 0;
      t[i] = di * di + fi * fi;
      if (i + 1 < n) o[i] = fi * d[i + 1] * inv;
    }
    const r = s2 * inv;
    this.#iterate(n, 1, this.#start1, u1, null);
    this.#iterate(n, r * r, this.#start2, u2, u1);
  }

  /** Inverse iteration for the eigenvalue `shift` of T from `start`, orthogonal to `against` when given. */
  #iterate(n: number, shift: number, start: Float64Array, x: Float64Array, against: Float64Array | null): void {
    this.#factor(n, shift);
    for (let i = 0; i < n; i++) x[i] = start[i];
    if (against !== null) project(x, against, n);
    normalize(x, n);
    for (let it = 0; it < ITERATIONS; it++) {
      this.#solve(n, x);
      if (against !== null) project(x, against, n);
      normalize(x, n);
    }
  }

  /** LU with partial pivoting of T − shift·I (dgttrf); pivots below eps (T is scaled to norm ~1) become eps. */
  #factor(n: number, shift: number): void {
    const d = this.#d;
    const dl = this.#dl;
    const du = this.#du;
    const du2 = this.#du2;
    const pivot = this.#pivot;
    for (let i = 0; i < n; i++) d[i] = this.#diagonal[i] - shift;
    for (let i = 0; i + 1 < n; i++) {
      dl[i] = this.#off[i];
      du[i] = this.#off[i];
      du2[i] = 0;
    }
    for (let i = 0; i + 1 < n; i++) {
      if (Math.abs(d[i]) >= Math.abs(dl[i])) {
        pivot[i] = 0;
        if (d[i] === 0) d[i] = EPS;
        const fact = dl[i] / d[i];
        dl[i] = fact;
        d[i + 1] -= fact * du[i];
      } else {
        pivot[i] = 1;
        const fact = d[i] / dl[i];
        d[i] = dl[i];
        dl[i] = fact;
        const temp = du[i];
        du[i] = d[i + 1];
        d[i + 1] = temp - fact * d[i + 1];
        if (i + 2 < n) {
          du2[i] = du[i + 1];
          du[i + 1] = -fact * du[i + 1];
        }
      }
    }
    // Tiny pivots (the shift is an eigenvalue) become ±eps; store reciprocals for the solves.
    for (let i = 0; i < n; i++) d[i] = 1 / (Math.abs(d[i]) < EPS ? (d[i] < 0 ? -EPS : EPS) : d[i]);
  }

  /** x ← (T − shift·I)⁻¹·x with the factors of {@link #factor}. */
  #solve(n: number, x: Float64Array): void {
    const d = this.#d;
    const dl = this.#dl;
    const du = this.#du;
    const du2 = this.#du2;
    const pivot = this.#pivot;
    for (let i = 0; i + 1 < n; i++) {
      if (pivot[i] === 0) {
        x[i + 1] -= dl[i] * x[i];
      } else {
        const temp = x[i];
        x[i] = x[i + 1];
        x[i + 1] = temp - dl[i] * x[i + 1];
      }
    }
    x[n - 1] *= d[n - 1];
    x[n - 2] = (x[n - 2] - du[n - 2] * x[n - 1]) * d[n - 2];
    for (let i = n - 3; i >= 0; i--) {
      const v = (x[i] - du[i] * x[i + 1] - du2[i] * x[i + 2]) * d[i];
      x[i] = v;
      // Several tiny pivots in a row compound; rescale before anything overflows.
      if (Math.abs(v) > 1e100) for (let j = 0; j < n; j++) x[j] *= 1e-100;
    }
  }
}

/** x −= (x·v)·v for a unit vector v. */
function project(x: Float64Array, v: Float64Array, n: number): void {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * v[i];
  for (let i = 0; i < n; i++) x[i] -= s * v[i];
}

/** Scales x to unit norm; the scaling by the largest entry first keeps huge iterates finite. */
function normalize(x: Float64Array, n: number): void {
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(x[i]));
  if (max === 0 || !Number.isFinite(max)) return;
  let s = 0;
  for (let i = 0; i < n; i++) {
    x[i] /= max;
    s += x[i] * x[i];
  }
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < n; i++) x[i] *= inv;
}
