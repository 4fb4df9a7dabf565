/**
 * The inner loops of the thin SVD as WebAssembly: the two trailing-matrix updates of the
 * Householder reductions (householder.ts) and the reflector application (both in SIMD,
 * f64x2), and the dqds transform (dqds.ts). V8 runs these JavaScript loops over a
 * Float64Array at one element per 2–3 cycles (bounds checks, no vectors); the SIMD kernels
 * take ~0.35 ns per updated element, 4–5x less, which is what brings the 64x64 SVD well
 * under LAPACK's time. The dqds recurrence is latency-bound (one division per step, ~6 ns)
 * and about as fast in optimised JavaScript; it sits here because its arrays share the heap
 * and it then needs no JIT warm-up.
 *
 * {@link jsKernels} implements the same contract in plain TypeScript: the fallback where
 * WebAssembly SIMD is missing, the reference the tests compare the bytecode with, and its
 * readable specification.
 *
 * The update kernels work on blocks of 4 rows x 2 columns of a row-major matrix, so callers
 * pad: row counts are multiples of 4 and column counts even, with zero padding that the
 * updates leave zero (householder.ts).
 * @internal
 */
import { assemble, Code, F64, I32, OP, SIMD, V128 } from './wasm-assembler';

/** Outcome of {@link SvdKernels.dqds}. */
export const DqdsOutcome = {
  /** Every d ≥ 0: the transform is valid. */
  success: 0,
  /** Only the last d < 0: the shift was just above the smallest eigenvalue. */
  lateFailure: 1,
  /** An earlier d < 0 (or a NaN): the shift was far too large. */
  earlyFailure: 2,
} as const;

/** Offsets and strides are in elements of `heap`, not bytes. */
export interface SvdKernels {
  /** The Float64Array all kernels address (the WebAssembly memory for the wasm kernels). */
  readonly heap: Float64Array;
  /**
   * For rows r < `rows` (a multiple of 4) of the matrix W at `at` (row stride `ld`), columns
   * j < 2·`pairs`: W[r][j] −= scale·g[r]·x[j], then out[r] = Σ_j W[r][j]·t[j] over the updated
   * row, then W[r][0] −= colScale·out[r]. g[r] = heap[gAt + r·gStride]; out[r] =
   * heap[outAt + r] (may alias g when gStride = 1).
   *
   * @returns Σ_r W[r][0]² after the update
   */
  updateDot(at: number, ld: number, rows: number, pairs: number, x: number, t: number, gAt: number, gStride: number, outAt: number, scale: number, colScale: number): number;
  /**
   * For the same block: first v[r] = vScale·W[r][−1] (the column left of the block), stored
   * back there and at heap[vOut + r]; then W[r][j] −= scale·y[r]·x[j], and acc[j] +=
   * v[r]·W[r][j] over the updated rows, with y[r] = heap[yAt + r].
   */
  updateAccumulate(at: number, ld: number, rows: number, pairs: number, x: number, yAt: number, acc: number, scale: number, vScale: number, vOut: number): void;
  /**
   * x ← H_0·H_1·…·H_{n−1}·x for reflectors H_k = I − τ_k·v_k·v_kᵀ, v_k = [0…0, 1 (at k),
   * heap[v + k·ldV + i] for k < i < m], τ_k = heap[tau + k], applied to two vectors at once,
   * stored interleaved: (x1[i], x2[i]) at heap[x + 2i], heap[x + 2i + 1].
   */
  applyReflectors(v: number, ldV: number, tau: number, n: number, m: number, x: number): void;
  /**
   * One dqds transform with shift τ of the qd block [i0, n0] (n0 ≥ i0 + 2) from (q, e) into
   * (qq, ee), each the offset of element 0 of its array: s_k = d_k + e_k, qq_k = s_k,
   * ee_k = e_k·q_{k+1}/s_k, d_{k+1} = d_k·q_{k+1}/s_k − τ, qq_n0 = d_n0, from d_i0 = q_i0 − τ;
   * where s_k = 0 (an exact split) ee_k = 0 and d_{k+1} = q_{k+1} − τ.
   * Writes [dmin, dmin1, dmin2, dn, dn1, dn2] at `stats` (minimum over all d, over all but
   * the last, over all but the last two; the last three d) unless it fails early, and returns
   * a {@link DqdsOutcome}.
   */
  dqds(q: number, e: number, qq: number, ee: number, i0: number, n0: number, tau: number, stats: number): number;
}

/** The plain TypeScript kernels over `heap`. */
export function jsKernels(heap: Float64Array): SvdKernels {
  return {
    heap,
    updateDot(at, ld, rows, pairs, x, t, gAt, gStride, outAt, scale, colScale) {
      const cols = 2 * pairs;
      let squares = 0;
      for (let r = 0; r < rows; r += 4) {
        const r0 = at + r * ld;
        const r1 = r0 + ld;
        const r2 = r1 + ld;
        const r3 = r2 + ld;
        const g0 = scale * heap[gAt + r * gStride];
        const g1 = scale * heap[gAt + (r + 1) * gStride];
        const g2 = scale * heap[gAt + (r + 2) * gStride];
        const g3 = scale * heap[gAt + (r + 3) * gStride];
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let j = 0; j < cols; j++) {
          const xj = heap[x + j];
          const tj = heap[t + j];
          const a0 = heap[r0 + j] - g0 * xj;
          const a1 = heap[r1 + j] - g1 * xj;
          const a2 = heap[r2 + j] - g2 * xj;
          const a3 = heap[r3 + j] - g3 * xj;
          heap[r0 + j] = a0;
          heap[r1 + j] = a1;
          heap[r2 + j] = a2;
          heap[r3 + j] = a3;
          s0 += a0 * tj;
          s1 += a1 * tj;
          s2 += a2 * tj;
          s3 += a3 * tj;
        }
        heap[outAt + r] = s0;
        heap[outAt + r + 1] = s1;
        heap[outAt + r + 2] = s2;
        heap[outAt + r + 3] = s3;
        const c0 = heap[r0] - colScale * s0;
        const c1 = heap[r1] - colScale * s1;
        const c2 = heap[r2] - colScale * s2;
        const c3 = heap[r3] - colScale * s3;
        heap[r0] = c0;
        heap[r1] = c1;
        heap[r2] = c2;
        heap[r3] = c3;
        squares += c0 * c0 + c1 * c1 + c2 * c2 + c3 * c3;
      }
      return squares;
    },
    updateAccumulate(at, ld, rows, pairs, x, yAt, acc, scale, vScale, vOut) {
      const cols = 2 * pairs;
      for (let r = 0; r < rows; r += 4) {
        const r0 = at + r * ld;
        const r1 = r0 + ld;
        const r2 = r1 + ld;
        const r3 = r2 + ld;
        const g0 = scale * heap[yAt + r];
        const g1 = scale * heap[yAt + r + 1];
        const g2 = scale * heap[yAt + r + 2];
        const g3 = scale * heap[yAt + r + 3];
        const v0 = vScale * heap[r0 - 1];
        const v1 = vScale * heap[r1 - 1];
        const v2 = vScale * heap[r2 - 1];
        const v3 = vScale * heap[r3 - 1];
        heap[r0 - 1] = v0;
        heap[r1 - 1] = v1;
        heap[r2 - 1] = v2;
        heap[r3 - 1] = v3;
        heap[vOut + r] = v0;
        heap[vOut + r + 1] = v1;
        heap[vOut + r + 2] = v2;
        heap[vOut + r + 3] = v3;
        for (let j = 0; j < cols; j++) {
          const xj = heap[x + j];
          const a0 = heap[r0 + j] - g0 * xj;
          const a1 = heap[r1 + j] - g1 * xj;
          const a2 = heap[r2 + j] - g2 * xj;
          const a3 = heap[r3 + j] - g3 * xj;
          heap[r0 + j] = a0;
          heap[r1 + j] = a1;
          heap[r2 + j] = a2;
          heap[r3 + j] = a3;
          heap[acc + j] += v0 * a0 + v1 * a1 + v2 * a2 + v3 * a3;
        }
      }
    },
    applyReflectors(v, ldV, tau, n, m, x) {
      for (let k = n - 1; k >= 0; k--) {
        const t = heap[tau + k];
        if (t === 0) continue;
        const base = v + k * ldV;
        let s1 = heap[x + 2 * k];
        let s2 = heap[x + 2 * k + 1];
        for (let i = k + 1; i < m; i++) {
          const vi = heap[base + i];
          s1 += vi * heap[x + 2 * i];
          s2 += vi * heap[x + 2 * i + 1];
        }
        s1 *= t;
        s2 *= t;
        heap[x + 2 * k] -= s1;
        heap[x + 2 * k + 1] -= s2;
        for (let i = k + 1; i < m; i++) {
          const vi = heap[base + i];
          heap[x + 2 * i] -= s1 * vi;
          heap[x + 2 * i + 1] -= s2 * vi;
        }
      }
    },
    dqds(q, e, qq, ee, i0, n0, tau, stats) {
      let d = heap[q + i0] - tau;
      if (d < 0) return DqdsOutcome.earlyFailure;
      let dmin = d;
      let k = i0;
      // d_{k+1} = d_k·q_{k+1}/s_k − τ with the product beside the sum rather than after the
      // quotient: the recurrence is latency-bound, and this keeps a multiply off its path.
      for (; k < n0 - 2; k++) {
        const ek = heap[e + k];
        const qk = heap[q + k + 1];
        const s = d + ek;
        heap[qq + k] = s;
        // s = 0 (d = e = 0, a split): ee = 0 and d restarts from q (LAPACK dlasq6).
        heap[ee + k] = s === 0 ? 0 : ek * (qk / s);
        d = s === 0 ? qk - tau : (d * qk) / s - tau;
        if (d < dmin) {
          if (d < 0) return DqdsOutcome.earlyFailure;
          dmin = d;
        }
      }
      const dn2 = d;
      const dmin2 = dmin;
      let s = d + heap[e + k];
      heap[qq + k] = s;
      heap[ee + k] = s === 0 ? 0 : heap[e + k] * (heap[q + k + 1] / s);
      const dn1 = s === 0 ? heap[q + k + 1] - tau : (d * heap[q + k + 1]) / s - tau;
      if (dn1 < 0) return DqdsOutcome.earlyFailure;
      dmin = Math.min(dmin, dn1);
      const dmin1 = dmin;
      k++;
      s = dn1 + heap[e + k];
      heap[qq + k] = s;
      heap[ee + k] = s === 0 ? 0 : heap[e + k] * (heap[q + k + 1] / s);
      const dn = s === 0 ? heap[q + k + 1] - tau : (dn1 * heap[q + k + 1]) / s - tau;
      heap[qq + k + 1] = dn;
      heap[stats] = Math.min(dmin, dn);
      heap[stats + 1] = dmin1;
      heap[stats + 2] = dmin2;
      heap[stats + 3] = dn;
      heap[stats + 4] = dn1;
      heap[stats + 5] = dn2;
      if (dn < 0) return DqdsOutcome.lateFailure;
      return dn >= 0 ? DqdsOutcome.success : DqdsOutcome.earlyFailure;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The same three kernels in WebAssembly.
// ---------------------------------------------------------------------------------------------

/** Emits `a = v128.load(p + j) − g·x; v128.store(p + j, a)` for the four rows, leaving a in `a[q]`. */
function emitRowUpdates(c: Code, rowPtr: number[], j: number, g: number[], xj: number, a: number[]): void {
  for (let q = 0; q < 4; q++) {
    c.get(rowPtr[q]).get(j).op(OP.i32Add);
    c.get(rowPtr[q]).get(j).op(OP.i32Add).loadV();
    c.get(g[q]).get(xj).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub).tee(a[q]);
    c.storeV();
  }
}

/** Sets rows 1–3 of a group from row 0 and the byte stride. */
function emitRowPointers(c: Code, p: number[], ld: number): void {
  for (let q = 1; q < 4; q++) c.get(p[q - 1]).get(ld).op(OP.i32Add).set(p[q]);
}

function updateDotCode(): Code {
  // Byte addresses and strides except rows and pairs.
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, F64], [F64]);
  const [at, ld, rows, pairs, x, t, gAt, gStride, outAt, scale, colScale] = c.params.map((_, i) => i);
  const dotq = c.local(F64);
  const col = c.local(F64);
  const squares = c.local(F64);
  const p = [c.local(I32), c.local(I32), c.local(I32), c.local(I32)];
  const j = c.local(I32);
  const end = c.local(I32);
  const left = c.local(I32);
  const g = [c.local(V128), c.local(V128), c.local(V128), c.local(V128)];
  const s = [c.local(V128), c.local(V128), c.local(V128), c.local(V128)];
  const a = [c.local(V128), c.local(V128), c.local(V128), c.local(V128)];
  const xj = c.local(V128);
  const tj = c.local(V128);
  c.get(pairs).i32(4).op(OP.i32Shl).set(end);
  c.get(rows).set(left);
  c.get(at).set(p[0]);
  c.doWhile(() => {
    emitRowPointers(c, p, ld);
    for (let q = 0; q < 4; q++) {
      c.get(scale).get(gAt).get(gStride).i32(q).op(OP.i32Mul).op(OP.i32Add).load().op(OP.f64Mul);
      c.simd(SIMD.f64x2Splat).set(g[q]);
      c.f64(0).simd(SIMD.f64x2Splat).set(s[q]);
    }
    c.i32(0).set(j);
    c.doWhile(() => {
      c.get(x).get(j).op(OP.i32Add).loadV().set(xj);
      c.get(t).get(j).op(OP.i32Add).loadV().set(tj);
      emitRowUpdates(c, p, j, g, xj, a);
      for (let q = 0; q < 4; q++) c.get(s[q]).get(a[q]).get(tj).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Add).set(s[q]);
      c.get(j).i32(16).op(OP.i32Add).tee(j).get(end).op(OP.i32LtS);
    });
    for (let q = 0; q < 4; q++) {
      c.get(outAt);
      c.get(s[q]).simd(SIMD.f64x2ExtractLane, 0).get(s[q]).simd(SIMD.f64x2ExtractLane, 1).op(OP.f64Add).tee(dotq);
      c.store(8 * q);
      // W[r][0] −= colScale·out[r]; squares += W[r][0]²
      c.get(p[q]).get(p[q]).load().get(colScale).get(dotq).op(OP.f64Mul).op(OP.f64Sub).tee(col).store();
      c.get(squares).get(col).get(col).op(OP.f64Mul).op(OP.f64Add).set(squares);
    }
    c.get(p[3]).get(ld).op(OP.i32Add).set(p[0]);
    c.get(gAt).get(gStride).i32(2).op(OP.i32Shl).op(OP.i32Add).set(gAt);
    c.get(outAt).i32(32).op(OP.i32Add).set(outAt);
    c.get(left).i32(4).op(OP.i32Sub).tee(left).i32(0).op(OP.i32GtS);
  });
  c.get(squares);
  return c;
}

function updateAccumulateCode(): Code {
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, F64, F64, I32]);
  const [at, ld, rows, pairs, x, yAt, acc, scale, vScale, vOut] = c.params.map((_, i) => i);
  const vq = c.local(F64);
  const p = [c.local(I32), c.local(I32), c.local(I32), c.local(I32)];
  const j = c.local(I32);
  const end = c.local(I32);
  const left = c.local(I32);
  const g = [c.local(V128), c.local(V128), c.local(V128), c.local(V128)];
  const v = [c.local(V128), c.local(V128), c.local(V128), c.local(V128)];
  const a = [c.local(V128), c.local(V128), c.local(V128), c.local(V128)];
  const xj = c.local(V128);
  c.get(pairs).i32(4).op(OP.i32Shl).set(end);
  c.get(rows).set(left);
  c.get(at).set(p[0]);
  c.doWhile(() => {
    emitRowPointers(c, p, ld);
    for (let q = 0; q < 4; q++) {
      c.get(scale).get(yAt).load(8 * q).op(OP.f64Mul).simd(SIMD.f64x2Splat).set(g[q]);
      // v = vScale·W[r][−1], stored back and at vOut[r]
      c.get(p[q]).i32(8).op(OP.i32Sub).get(vScale).get(p[q]).i32(8).op(OP.i32Sub).load().op(OP.f64Mul).tee(vq).store();
      c.get(vOut).get(vq).store(8 * q);
      c.get(vq).simd(SIMD.f64x2Splat).set(v[q]);
    }
    c.i32(0).set(j);
    c.doWhile(() => {
      c.get(x).get(j).op(OP.i32Add).loadV().set(xj);
      emitRowUpdates(c, p, j, g, xj, a);
      // acc[j..j+1] += v0·a0 + v1·a1 + v2·a2 + v3·a3
      c.get(acc).get(j).op(OP.i32Add);
      c.get(acc).get(j).op(OP.i32Add).loadV();
      c.get(v[0]).get(a[0]).simd(SIMD.f64x2Mul);
      for (let q = 1; q < 4; q++) c.get(v[q]).get(a[q]).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Add);
      c.simd(SIMD.f64x2Add).storeV();
      c.get(j).i32(16).op(OP.i32Add).tee(j).get(end).op(OP.i32LtS);
    });
    c.get(p[3]).get(ld).op(OP.i32Add).set(p[0]);
    c.get(yAt).i32(32).op(OP.i32Add).set(yAt);
    c.get(vOut).i32(32).op(OP.i32Add).set(vOut);
    c.get(left).i32(4).op(OP.i32Sub).tee(left).i32(0).op(OP.i32GtS);
  });
  return c;
}

function applyReflectorsCode(): Code {
  // v, tau, x: byte addresses; ldV in bytes; n, m counts.
  const c = new Code([I32, I32, I32, I32, I32, I32]);
  const [v, ldV, tau, n, m, x] = c.params.map((_, i) => i);
  const k = c.local(I32);
  const base = c.local(I32); // byte address of v_k's entry k (its implicit 1)
  const xk = c.local(I32); // byte address of x's pair k
  const i = c.local(I32); // byte offset of entry i past entry k, in v (8·(i − k))
  const end = c.local(I32); // 8·(m − 1 − k)
  const t = c.local(F64);
  const s = c.local(V128);
  const vi = c.local(V128);
  c.block(() => {
    c.get(n).op(OP.i32Eqz).exitIf();
    c.get(n).i32(1).op(OP.i32Sub).set(k);
    c.doWhile(() => {
      c.get(tau).get(k).i32(3).op(OP.i32Shl).op(OP.i32Add).load().set(t);
      c.get(x).get(k).i32(4).op(OP.i32Shl).op(OP.i32Add).set(xk);
      c.get(m).i32(1).op(OP.i32Sub).get(k).op(OP.i32Sub).i32(3).op(OP.i32Shl).set(end);
      c.get(t).f64(0).op(OP.f64Ne).when(() => {
        c.get(v).get(k).get(ldV).op(OP.i32Mul).op(OP.i32Add).get(k).i32(3).op(OP.i32Shl).op(OP.i32Add).set(base);
        // s = x_k + Σ_{i>k} v_i·x_i (both vectors in the two lanes)
        c.get(xk).loadV().set(s);
        c.get(end).i32(0).op(OP.i32GtS).when(() => {
          c.i32(0).set(i);
          c.doWhile(() => {
            c.get(i).i32(8).op(OP.i32Add).set(i);
            c.get(base).get(i).op(OP.i32Add).load().simd(SIMD.f64x2Splat).set(vi);
            c.get(s).get(vi).get(xk).get(i).get(i).op(OP.i32Add).op(OP.i32Add).loadV().simd(SIMD.f64x2Mul).simd(SIMD.f64x2Add).set(s);
            c.get(i).get(end).op(OP.i32LtS);
          });
        });
        // x_k −= τ·s; x_i −= τ·s·v_i
        c.get(s).get(t).simd(SIMD.f64x2Splat).simd(SIMD.f64x2Mul).set(s);
        c.get(xk).get(xk).loadV().get(s).simd(SIMD.f64x2Sub).storeV();
        c.get(end).i32(0).op(OP.i32GtS).when(() => {
          c.i32(0).set(i);
          c.doWhile(() => {
            c.get(i).i32(8).op(OP.i32Add).set(i);
            c.get(xk).get(i).get(i).op(OP.i32Add).op(OP.i32Add);
            c.get(xk).get(i).get(i).op(OP.i32Add).op(OP.i32Add).loadV();
            c.get(s).get(base).get(i).op(OP.i32Add).load().simd(SIMD.f64x2Splat).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub).storeV();
            c.get(i).get(end).op(OP.i32LtS);
          });
        });
      });
      c.get(k).i32(1).op(OP.i32Sub).tee(k).i32(0).op(OP.i32GeS);
    });
  });
  return c;
}

function dqdsCode(): Code {
  // q, e, qq, ee: byte addresses of element i0; steps = n0 − i0 − 2; stats: byte address.
  const c = new Code([I32, I32, I32, I32, I32, F64, I32], [I32]);
  const [q, e, qq, ee, steps, tau, stats] = c.params.map((_, i) => i);
  const j = c.local(I32);
  const end = c.local(I32);
  const d = c.local(F64);
  const dmin = c.local(F64);
  const s = c.local(F64);
  const ek = c.local(F64);
  const qk = c.local(F64);
  const dn2 = c.local(F64);
  const dmin2 = c.local(F64);
  const dn1 = c.local(F64);
  const dmin1 = c.local(F64);
  const dn = c.local(F64);
  const earlyFailure = (): void => void c.i32(DqdsOutcome.earlyFailure).op(OP.return);
  /** One step at byte offset j from d_in: qq, ee written, d_out = d_in·q/s − τ left on the stack. */
  const step = (dIn: number): void => {
    c.get(e).get(j).op(OP.i32Add).load().set(ek);
    c.get(q).get(j).op(OP.i32Add).load(8).set(qk);
    c.get(qq).get(j).op(OP.i32Add).get(dIn).get(ek).op(OP.f64Add).tee(s).store();
    // s = 0 (d = e = 0, a split): ee = 0 and the next d restarts from q (LAPACK dlasq6).
    c.get(ee).get(j).op(OP.i32Add).f64(0).get(ek).get(qk).get(s).op(OP.f64Div).op(OP.f64Mul);
    c.get(s).f64(0).op(OP.f64Eq).op(OP.select).store();
    c.get(qk).get(tau).op(OP.f64Sub);
    c.get(dIn).get(qk).op(OP.f64Mul).get(s).op(OP.f64Div).get(tau).op(OP.f64Sub);
    c.get(s).f64(0).op(OP.f64Eq).op(OP.select);
  };
  c.get(q).load().get(tau).op(OP.f64Sub).tee(d).f64(0).op(OP.f64Lt).when(earlyFailure);
  c.get(d).set(dmin);
  c.get(steps).i32(3).op(OP.i32Shl).set(end);
  c.i32(0).set(j);
  c.block(() => {
    c.get(end).op(OP.i32Eqz).exitIf();
    c.doWhile(() => {
      step(d);
      c.set(d);
      c.get(d).get(dmin).op(OP.f64Lt).when(() => {
        c.get(d).f64(0).op(OP.f64Lt).when(earlyFailure);
        c.get(d).set(dmin);
      });
      c.get(j).i32(8).op(OP.i32Add).tee(j).get(end).op(OP.i32LtS);
    });
  });
  c.get(d).set(dn2);
  c.get(dmin).set(dmin2);
  step(d);
  c.tee(dn1).f64(0).op(OP.f64Lt).when(earlyFailure);
  c.get(dmin).get(dn1).op(OP.f64Min).tee(dmin).set(dmin1);
  c.get(j).i32(8).op(OP.i32Add).set(j);
  step(dn1);
  c.set(dn);
  c.get(qq).get(j).op(OP.i32Add).get(dn).store(8);
  c.get(stats).get(dmin).get(dn).op(OP.f64Min).store(0);
  c.get(stats).get(dmin1).store(8);
  c.get(stats).get(dmin2).store(16);
  c.get(stats).get(dn).store(24);
  c.get(stats).get(dn1).store(32);
  c.get(stats).get(dn2).store(40);
  c.get(dn).f64(0).op(OP.f64Lt).when(() => void c.i32(DqdsOutcome.lateFailure).op(OP.return));
  c.get(dn).f64(0).op(OP.f64Ge).when(() => void c.i32(DqdsOutcome.success).op(OP.return));
  c.i32(DqdsOutcome.earlyFailure);
  return c;
}

/**
 * The part of the WebAssembly JS API used here. The project compiles against ES2023 + Node
 * types, which declare no WebAssembly value, so the global is typed locally.
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}

const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable (compiled once per thread). */
function wasmModule(): object | null {
  if (compiled === undefined) {
    const bytes = assemble({ updateDot: updateDotCode(), updateAccumulate: updateAccumulateCode(), applyReflectors: applyReflectorsCode(), dqds: dqdsCode() });
    compiled = wasm !== undefined && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** Whether {@link wasmKernels} can run here (WebAssembly with SIMD). */
export function wasmKernelsAvailable(): boolean {
  return wasmModule() !== null;
}

/**
 * The WebAssembly kernels over a fresh, zeroed memory of at least `elements` float64.
 * Throws when WebAssembly SIMD is unavailable (check {@link wasmKernelsAvailable}).
 */
export function wasmKernels(elements: number): SvdKernels {
  const module = wasmModule();
  if (module === null || wasm === undefined) throw new Error('WebAssembly SIMD is not available');
  const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil((elements * 8) / 65536)) });
  const { exports } = new wasm.Instance(module, { env: { memory } });
  const updateDot = exports.updateDot as (...args: number[]) => number;
  const updateAccumulate = exports.updateAccumulate as (...args: number[]) => void;
  const applyReflectors = exports.applyReflectors as (...args: number[]) => void;
  const dqds = exports.dqds as (...args: number[]) => number;
  return {
    heap: new Float64Array(memory.buffer),
    updateDot(at, ld, rows, pairs, x, t, gAt, gStride, outAt, scale, colScale) {
      return updateDot(8 * at, 8 * ld, rows, pairs, 8 * x, 8 * t, 8 * gAt, 8 * gStride, 8 * outAt, scale, colScale);
    },
    updateAccumulate(at, ld, rows, pairs, x, yAt, acc, scale, vScale, vOut) {
      updateAccumulate(8 * at, 8 * ld, rows, pairs, 8 * x, 8 * yAt, 8 * acc, scale, vScale, 8 * vOut);
    },
    applyReflectors(v, ldV, tau, n, m, x) {
      applyReflectors(8 * v, 8 * ldV, 8 * tau, n, m, 8 * x);
    },
    dqds(q, e, qq, ee, i0, n0, tau, stats) {
      return dqds(8 * (q + i0), 8 * (e + i0), 8 * (qq + i0), 8 * (ee + i0), n0 - i0 - 2, tau, 8 * stats);
    },
  };
}
