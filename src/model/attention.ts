/**
 * Causal multi-head self-attention with separate bias-free Wq, Wk, Wv, Wo
 * (reference-pipeline.md section 6). Activations are 2-D [batch·T, d] outside this module.
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';

/** Weights of one attention layer, stored [out, in]. */
export interface AttentionWeights {
  q: Value;
  k: Value;
  v: Value;
  o: Value;
}

/**
 * Attention over `x` [batch·T, d] with `heads` heads; returns [batch·T, d].
 * The causal mask is an additive constant (0 on and below the diagonal, -inf above), so
 * masked probabilities are exactly 0 as with PyTorch's masked_fill(-inf).
 */
export function causalSelfAttention(b: GraphBuilder, x: Value, w: AttentionWeights, shape: { batch: number; time: number; heads: number }): Value {
  const { batch, time, heads } = shape;
  const d = x.shape[1];
  const dh = d / heads;
  // One [N, d] x [d, 3d] product instead of three: a larger GEMM, and the backward pass gets
  // one input-gradient product instead of three plus two additions. The 1/sqrt(dh) score
  // scale is folded into Wq (d·d values) rather than applied to Q or the scores.
  const wqkv = b.concat([b.mul(w.q, 1 / Math.sqrt(dh)), w.k, w.v], 0);
  const [q, k, v] = b.split(b.gemm(x, wqkv, null, { transB: true }), [d, d, d], 1);
  const heads4 = (t: Value) => b.transpose(b.reshape(t, [batch, time, heads, dh]), [0, 2, 1, 3]); // [B, H, T, dh]
  const kh = heads4(k);
  // Transposing K's last two axes right at the MatMul lets onnxruntime fuse it (FusedMatMul).
  const scores = b.add(b.matmul(heads4(q), b.transpose(kh, [0, 1, 3, 2])), causalMask(b, time));
  const out = b.matmul(b.softmax(scores, -1), heads4(v)); // [B, H, T, dh]
  const merged = b.reshape(b.transpose(out, [0, 2, 1, 3]), [batch * time, d]);
  return b.gemm(merged, w.o, null, { transB: true });
}

/** [T, T] additive mask: 0 where key <= query, -inf elsewhere. */
export function causalMask(b: GraphBuilder, time: number): Value {
  const values = Array.from({ length: time * time }, (_, i) => (i % time <= Math.floor(i / time) ? 0 : -Infinity));
  return b.constant([time, time], values);
}
