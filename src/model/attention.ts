/**
 * Causal multi-head self-attention with separate bias-free Wq, Wk, Wv, Wo
 * (reference-pipeline.md section 6). Activations are 2-D [batch·T, d] outside this module.
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';
import { normalizedLinear, type NormalizedInput } from './layer-norm';

/** Weights of one attention layer, stored [out, in]. */
export interface AttentionWeights {
  q: Value;
  k: Value;
  v: Value;
  o: Value;
}

/**
 * Attention over the LayerNorm output `x` [batch·T, d] (see {@link normalizedLinear}) with
 * `heads` heads; returns [batch·T, d].
 * The causal mask is an additive constant (0 on and below the diagonal, -inf above), so
 * masked probabilities are exactly 0 as with PyTorch's masked_fill(-inf).
 */
export function causalSelfAttention(b: GraphBuilder, x: NormalizedInput, w: AttentionWeights, shape: { batch: number; time: number; heads: number }): Value {
  const { batch, time, heads } = shape;
  const d = x.xhat.shape[1];
  const dh = d / heads;
  // Three [N, d] x [d, d] products rather than one [N, d] x [d, 3d] product split in three:
  // onnxruntime's Split and the Concat its gradient needs each copy the whole [N, 3d]
  // activation, which costs more than the larger GEMM saves. The 1/sqrt(dh) score scale is
  // Q's Gemm alpha (free) rather than a pass over Q or the scores.
  const q = normalizedLinear(b, x, w.q, null, { alpha: 1 / Math.sqrt(dh) });
  const k = normalizedLinear(b, x, w.k, null);
  const v = normalizedLinear(b, x, w.v, null);
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
