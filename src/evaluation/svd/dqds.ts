/**
 * Singular values of an upper bidiagonal matrix by the dqds algorithm (Fernando & Parlett,
 * "Accurate singular values and differential qd algorithms", 1994), with the shift and
 * deflation strategy of LAPACK's dlasq2–dlasq4 in simplified form. Every singular value comes
 * out with high *relative* accuracy, so the smallest ones, which set the condition number,
 * are as good as the largest.
 *
 * Representation: q_i = d_i², e_i = f_i² for diagonal d and superdiagonal f; the eigenvalues
 * of that "qd array" are the squared singular values. One dqds transform with shift τ maps it
 * to the qd array of a bidiagonal B̂ with B̂ᵀB̂ = BBᵀ − τI; shifts accumulate in σ.
 * @internal
 */

import { DqdsOutcome, type SvdKernels } from './wasm-kernels';

const EPS = 2 ** -53;
/** Deflation tolerance on qd entries (squares), as LAPACK: (100·eps)². */
const TOL2 = (100 * EPS) ** 2;
/** dqds transforms allowed per singular value before giving up. */
const MAX_ITERATIONS_PER_VALUE = 30;

/** Where the transform kernel writes its statistics (see {@link SvdKernels.dqds}). */
const DMIN = 0;
const DMIN1 = 1;
const DMIN2 = 2;
const DN = 3;
const DN1 = 4;
const DN2 = 5;

/**
 * A reusable dqds workspace for bidiagonals of order ≤ `capacity`, whose qd arrays live in the
 * heap of `kernels` (the transform runs there) from offset `at`, {@link BidiagonalValues.heapSize}
 * entries.
 */
export class BidiagonalValues {
  readonly #kernels: SvdKernels;
  /** Two qd arrays for the ping-pong between transforms: offsets and views. */
  readonly #qaAt: number;
  readonly #eaAt: number;
  readonly #qbAt: number;
  readonly #ebAt: number;
  readonly #qa: Float64Array;
  readonly #ea: Float64Array;
  readonly #qb: Float64Array;
  readonly #eb: Float64Array;
  /** The transform's statistics: [dmin, dmin1, dmin2, dn, dn1, dn2]. */
  readonly #statsAt: number;
  readonly #stats: Float64Array;
  /**
   * Blocks split off above the one being solved, still to do: first index, last index, the
   * shift σ they carry, and which array (0: a, 1: b) holds their current values.
   */
  readonly #pendingTop: Int32Array;
  readonly #pendingBottom: Int32Array;
  readonly #pendingSigma: Float64Array;
  readonly #pendingArray: Uint8Array;
  #pending = 0;
  /** Transforms of the last call (including failed attempts). */
  iterations = 0;
  /** False when the last call ran out of iterations or met a non-finite value. */
  converged = true;

  /** Heap entries a workspace of this capacity uses. */
  static heapSize(capacity: number): number {
    return 4 * capacity + 6;
  }

  constructor(kernels: SvdKernels, at: number, capacity: number) {
    this.#kernels = kernels;
    const heap = kernels.heap;
    this.#qaAt = at;
    this.#eaAt = at + capacity;
    this.#qbAt = at + 2 * capacity;
    this.#ebAt = at + 3 * capacity;
    this.#statsAt = at + 4 * capacity;
    this.#qa = heap.subarray(this.#qaAt, this.#qaAt + capacity);
    this.#ea = heap.subarray(this.#eaAt, this.#eaAt + capacity);
    this.#qb = heap.subarray(this.#qbAt, this.#qbAt + capacity);
    this.#eb = heap.subarray(this.#ebAt, this.#ebAt + capacity);
    this.#stats = heap.subarray(this.#statsAt, this.#statsAt + 6);
    this.#pendingTop = new Int32Array(capacity);
    this.#pendingBottom = new Int32Array(capacity);
    this.#pendingSigma = new Float64Array(capacity);
    this.#pendingArray = new Uint8Array(capacity);
  }

  /**
   * Singular values of the n x n upper bidiagonal with diagonal `d` and superdiagonal `f`
   * (signs are irrelevant) into `out`, descending.
   */
  compute(d: Float64Array, f: Float64Array, n: number, out: Float64Array): void {
    this.iterations = 0;
    this.converged = true;
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(d[i]), i + 1 < n ? Math.abs(f[i]) : 0);
    if (!(max > 0) || max === Infinity) {
      out.fill(max === 0 ? 0 : Number.NaN, 0, n);
      this.converged = max === 0;
      return;
    }
    // A power of two: exact, and keeps the squares far from overflow and underflow.
    const scale = 2 ** -Math.ceil(Math.log2(max));
    const qa = this.#qa;
    const ea = this.#ea;
    for (let i = 0; i < n; i++) {
      const x = d[i] * scale;
      qa[i] = x * x;
      const y = i + 1 < n ? f[i] * scale : 0;
      ea[i] = y * y;
    }
    // Split into unreduced blocks from the bottom and solve each (eigenvalues into out); a
    // block that splits while it is solved leaves its upper part on the pending stack.
    let bottom = n - 1;
    while (bottom >= 0) {
      let top = bottom;
      while (top > 0 && !negligible(ea[top - 1], qa[top - 1], qa[top])) top--;
      if (top > 0) ea[top - 1] = 0;
      this.#pending = 0;
      this.#block(top, bottom, 0, 0, out);
      while (this.#pending > 0) {
        const p = --this.#pending;
        this.#block(this.#pendingTop[p], this.#pendingBottom[p], this.#pendingSigma[p], this.#pendingArray[p], out);
      }
      bottom = top - 1;
    }
    let finite = true;
    for (let i = 0; i < n; i++) {
      finite &&= Number.isFinite(out[i]);
      out[i] = Math.sqrt(Math.max(out[i], 0)) / scale;
    }
    if (!finite) this.converged = false;
    sortDescending(out, n);
  }

  /**
   * Eigenvalues (plus `sigma`) of the unreduced qd block [i0, n0], whose values are in array
   * `array` (0: a, 1: b), into out[i0..n0].
   */
  #block(i0: number, n0: number, sigma: number, array: number, out: Float64Array): void {
    let q = array === 0 ? this.#qa : this.#qb;
    let e = array === 0 ? this.#ea : this.#eb;
    let qq = array === 0 ? this.#qb : this.#qa;
    let ee = array === 0 ? this.#eb : this.#ea;
    let qAt = array === 0 ? this.#qaAt : this.#qbAt;
    let eAt = array === 0 ? this.#eaAt : this.#ebAt;
    let qqAt = array === 0 ? this.#qbAt : this.#qaAt;
    let eeAt = array === 0 ? this.#ebAt : this.#eaAt;
    let current = array;
    if (n0 === i0) {
      out[i0] = q[i0] + sigma;
      return;
    }
    // dqds moves small eigenvalues to the bottom; start with the larger end on top.
    if (1.5 * q[i0] < q[n0]) reverse(q, e, i0, n0);
    let compensation = 0;
    let first = true;
    let g = 0.25;
    let lastCase6 = false;
    const stats = this.#stats;
    const limit = this.iterations + MAX_ITERATIONS_PER_VALUE * (n0 - i0 + 1);
    for (;;) {
      // Deflate converged eigenvalues at the bottom.
      let deflated = 0;
      for (;;) {
        if (n0 < i0) return;
        if (n0 === i0 || e[n0 - 1] <= TOL2 * (sigma + q[n0]) || e[n0 - 1] <= TOL2 * q[n0 - 1]) {
          out[n0] = q[n0] + sigma;
          n0--;
          deflated++;
          continue;
        }
        if (n0 - 1 === i0 || e[n0 - 2] <= TOL2 * (sigma + q[n0 - 1]) || e[n0 - 2] <= TOL2 * q[n0 - 2]) {
          twoByTwo(q[n0 - 1], e[n0 - 1], q[n0], sigma, out, n0);
          n0 -= 2;
          deflated += 2;
          continue;
        }
        break;
      }
      if (this.iterations >= limit) {
        this.#giveUp(q, i0, n0, sigma, out);
        return;
      }
      // Shift: a lower bound on the smallest eigenvalue of the block, or a fraction of one.
      let tau = 0;
      if (first) {
        first = false;
      } else if (deflated > 0) {
        lastCase6 = false;
        tau = this.#shiftAfterDeflation(q, e, i0, n0, deflated);
      } else {
        // dlasq4 case 6 (no hint where the smallest eigenvalue is): a fraction of dmin that
        // grows while the case repeats.
        const case6 = stats[DMIN] !== stats[DN] && stats[DMIN] !== stats[DN1] && stats[DMIN] !== stats[DN2];
        if (case6) g = lastCase6 ? g + (1 - g) / 3 : 0.25;
        lastCase6 = case6;
        tau = this.#shiftNoDeflation(q, e, qq, ee, i0, n0, g);
      }
      // Transform until it succeeds; a shift of 0 always does.
      let failures = 0;
      for (;;) {
        this.iterations++;
        const outcome = this.#kernels.dqds(qAt, eAt, qqAt, eeAt, i0, n0, tau, this.#statsAt);
        if (outcome === DqdsOutcome.success) break;
        if (tau === 0) {
          // Only a 0/0 from an underflowed entry makes a zero shift fail.
          this.#giveUp(q, i0, n0, sigma, out);
          return;
        }
        failures++;
        const late = outcome === DqdsOutcome.lateFailure;
        if (late && ee[n0 - 1] <= 100 * EPS * (sigma + stats[DN1]) && Math.abs(stats[DN]) <= 100 * EPS * sigma) {
          // Convergence hidden by a negative bottom: it is σ to working accuracy.
          qq[n0] = 0;
          stats[DMIN] = 0;
          break;
        }
        if (failures >= 2) tau = 0;
        else if (late) tau = (tau + stats[DN]) * (1 - 2 * EPS);
        else tau *= 0.25;
      }
      // σ += τ with compensation: σ is the large part of every eigenvalue still in the block.
      const y = tau - compensation;
      const t = sigma + y;
      compensation = t - sigma - y;
      sigma = t;
      const qSwap = q;
      q = qq;
      qq = qSwap;
      const eSwap = e;
      e = ee;
      ee = eSwap;
      const qAtSwap = qAt;
      qAt = qqAt;
      qqAt = qAtSwap;
      const eAtSwap = eAt;
      eAt = eeAt;
      eeAt = eAtSwap;
      current ^= 1;
      // An eigenvalue converging inside the block (the smallest d is not at the bottom) makes
      // an interior e negligible: split there, finish the lower part first, and leave the
      // upper one, with the shift it carries, for later (as dlasq2 does).
      if (stats[DMIN] !== stats[DN] && n0 - i0 >= 3) {
        for (let k = n0 - 2; k >= i0; k--) {
          if (e[k] <= TOL2 * q[k] || e[k] <= TOL2 * sigma) {
            const p = this.#pending++;
            this.#pendingTop[p] = i0;
            this.#pendingBottom[p] = k;
            this.#pendingSigma[p] = sigma;
            this.#pendingArray[p] = current;
            e[k] = 0;
            i0 = k + 1;
            break;
          }
        }
      }
    }
  }

  /** Diagonal approximations for what is left of the block, flagged as not converged. */
  #giveUp(q: Float64Array, i0: number, n0: number, sigma: number, out: Float64Array): void {
    for (let i = i0; i <= n0; i++) out[i] = q[i] + sigma;
    this.converged = false;
  }

  /**
   * Shift when nothing deflated since the last transform (dlasq4 cases 2–6). (q, e) is the
   * current array, (qOld, eOld) the input of the last transform.
   */
  #shiftNoDeflation(q: Float64Array, e: Float64Array, qOld: Float64Array, eOld: Float64Array, i0: number, n0: number, g: number): number {
    const stats = this.#stats;
    const dmin = stats[DMIN];
    const dmin1 = stats[DMIN1];
    const dmin2 = stats[DMIN2];
    const dn = stats[DN];
    const dn1 = stats[DN1];
    const dn2 = stats[DN2];
    if (dmin <= 0) return 0;
    const quarter = 0.25 * dmin;
    if (dmin === dn && dmin1 === dn1) {
      // Cases 2, 3: the bottom is converging. Bound the eigenvalue near dn from below with
      // the residual b1 of the last row and the gap to the one above (Kato–Temple style).
      const b1 = Math.sqrt(q[n0]) * Math.sqrt(e[n0 - 1]);
      const b2 = Math.sqrt(q[n0 - 1]) * Math.sqrt(e[n0 - 2]);
      const a2 = q[n0 - 1] + e[n0 - 1];
      const gap2 = 0.75 * dmin2 - a2;
      const gap1 = gap2 > 0 && gap2 > b2 ? a2 - dn - (b2 / gap2) * b2 : a2 - dn - (b1 + b2);
      if (gap1 > 0 && gap1 > b1) return Math.max(dn - (b1 / gap1) * b1, 0.5 * dmin);
      let s = dn > b1 ? dn - b1 : 0;
      if (a2 > b1 + b2) s = Math.min(s, a2 - (b1 + b2));
      return Math.max(s, dmin / 3);
    }
    // Cases 4, 5: the smallest d is one of the last three; γ = that d shrunk by the
    // Rayleigh-quotient residual bound γ·(1 − √a)/(1 + a), with a the estimated squared norm
    // of the approximate eigenvector's other components (relative to its peak).
    let gamma: number;
    let a: number;
    if (dmin === dn) {
      gamma = dn;
      if (e[n0 - 1] > q[n0 - 1]) return quarter;
      a = chain(q, e, i0, n0 - 2, e[n0 - 1] / q[n0 - 1], e[n0 - 1] / q[n0 - 1]);
    } else if (dmin === dn1) {
      gamma = dn1;
      if (eOld[n0 - 1] > qOld[n0] || e[n0 - 2] > q[n0 - 2]) return quarter;
      const b = e[n0 - 2] / q[n0 - 2];
      a = chain(q, e, i0, n0 - 3, eOld[n0 - 1] / qOld[n0] + b, b);
    } else if (dmin === dn2) {
      gamma = dn2;
      if (eOld[n0 - 2] > qOld[n0 - 1] || eOld[n0 - 1] > qOld[n0]) return quarter;
      a = (eOld[n0 - 2] / qOld[n0 - 1]) * (1 + eOld[n0 - 1] / qOld[n0]);
      if (n0 - i0 > 2) {
        if (e[n0 - 3] > q[n0 - 3]) return quarter;
        const b = e[n0 - 3] / q[n0 - 3];
        a = chain(q, e, i0, n0 - 4, a + b, b);
      } else {
        a /= 1.05; // chain() applies the 1.05 safety factor; no chain here
        a *= 1.05;
      }
    } else {
      // Case 6: no hint where the smallest eigenvalue is.
      return g * dmin;
    }
    return a >= 0 && a < BOUND ? (gamma * (1 - Math.sqrt(a))) / (1 + a) : quarter;
  }

  /** Shift after `count` eigenvalues deflated since the last transform (dlasq4 cases 7–12). */
  #shiftAfterDeflation(q: Float64Array, e: Float64Array, i0: number, n0: number, count: number): number {
    const stats = this.#stats;
    const dmin1 = stats[DMIN1];
    const dmin2 = stats[DMIN2];
    const dn1 = stats[DN1];
    const dn2 = stats[DN2];
    if (count === 1) {
      if (dmin1 !== dn1 || dmin2 !== dn2) return dmin1 === dn1 ? 0.5 * dmin1 : 0.25 * dmin1;
      // Cases 7, 8: dmin1 is the new bottom d; refine it by the norm of the vector above.
      const s = dmin1 / 3;
      if (e[n0 - 1] > q[n0 - 1]) return s;
      return refinedShift(q, e, i0, n0, s, dmin1, 0.5 * dmin2);
    }
    if (count === 2) {
      if (dmin2 !== dn2 || 2 * e[n0 - 1] >= q[n0 - 1]) return 0.25 * dmin2;
      // Case 10.
      const s = dmin2 / 3;
      const gap = q[n0 - 1] + e[n0 - 2] - Math.sqrt(q[n0 - 2]) * Math.sqrt(e[n0 - 2]);
      return refinedShift(q, e, i0, n0, s, dmin2, gap);
    }
    return 0;
  }
}

/** Beyond this estimated norm² the residual bound says nothing (dlasq4's 0.563). */
const BOUND = 0.563;

/**
 * 1.05·(sum + term·r_k + term·r_k·r_{k−1} + …) with r_j = e_j/q_j for j = k, k−1, …, i0,
 * stopping once the terms are negligible or the sum exceeds {@link BOUND}; −1 when some
 * r_j > 1 (no decay, no bound). The estimated squared norm of an eigenvector's components
 * above a localised peak.
 */
function chain(q: Float64Array, e: Float64Array, i0: number, k: number, sum: number, term: number): number {
  for (; k >= i0 && term !== 0; k--) {
    const previous = term;
    if (e[k] > q[k]) return -1;
    term *= e[k] / q[k];
    sum += term;
    if (100 * Math.max(term, previous) < sum || sum > BOUND) break;
  }
  return 1.05 * sum;
}

/**
 * dlasq4 cases 7, 8 and 10: after a deflation the new bottom was `dBottom` in the last
 * transform (the eigenvalue near it is ≥ dBottom/(1 + b²) with b² the vector's norm above
 * the bottom), corrected for the gap to the next eigenvalue.
 */
function refinedShift(q: Float64Array, e: Float64Array, i0: number, n0: number, s: number, dBottom: number, gapBase: number): number {
  const b = e[n0 - 1] / q[n0 - 1];
  let term = b;
  let sum = b;
  for (let k = n0 - 2; k >= i0 && term !== 0; k--) {
    const previous = term;
    if (e[k] > q[k]) return s;
    term *= e[k] / q[k];
    sum += term;
    if (100 * Math.max(term, previous) < sum) break;
  }
  const b2 = Math.sqrt(1.05 * sum);
  const a2 = dBottom / (1 + b2 * b2);
  const gap = gapBase - a2;
  if (gap > 0 && gap > b2 * a2) return Math.max(s, a2 * (1 - 1.01 * a2 * (b2 / gap) * b2));
  return Math.max(s, a2 * (1 - 1.01 * b2));
}

/** e_k is negligible between q_k and q_{k+1}: dropping it changes neither eigenvalue beyond rounding. */
function negligible(ek: number, qk: number, qk1: number): boolean {
  return ek <= TOL2 * Math.min(qk, qk1);
}

/** Eigenvalues of the 2x2 qd block (q1, e1, q2) plus σ, into out[n0−1] (larger) and out[n0]. */
function twoByTwo(q1: number, e1: number, q2: number, sigma: number, out: Float64Array, n0: number): void {
  // λ₁ + λ₂ = q1 + q2 + e1 and λ₁·λ₂ = q1·q2, without cancellation.
  const diff = q1 - q2 + e1;
  const large = 0.5 * (q1 + q2 + e1 + Math.sqrt(diff * diff + 4 * e1 * q2));
  const small = large > 0 ? (q1 / large) * q2 : 0;
  out[n0 - 1] = large + sigma;
  out[n0] = small + sigma;
}

function reverse(q: Float64Array, e: Float64Array, i0: number, n0: number): void {
  for (let i = i0, j = n0; i < j; i++, j--) {
    const t = q[i];
    q[i] = q[j];
    q[j] = t;
  }
  for (let i = i0, j = n0 - 1; i < j; i++, j--) {
    const t = e[i];
    e[i] = e[j];
    e[j] = t;
  }
}

/** Insertion sort, descending: n is small and the values nearly sorted. */
function sortDescending(values: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = values[i];
    let j = i - 1;
    while (j >= 0 && values[j] < v) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = v;
  }
}
