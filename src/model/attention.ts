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
 * Per-head intermediates of one attention layer, as graph values (extraction mode,
 * reference-pipeline.md section 6). Every tensor is [batch, heads, T, ·].
 */
export interface AttentionIntermediates {
  /** Scaled scores Q_h K_hᵀ / sqrt(dh) BEFORE the causal mask, [B, H, T, T]. */
  scores: Value;
  /** Softmax probabilities A_h (masked entries exactly 0), [B, H, T, T]. */
  probabilities: Value;
  /** V_h = LN1(x) Wv_hᵀ, [B, H, T, dh]. */
  values: Value;
  /** A_h V_h, the head outputs before concatenation and Wo, [B, H, T, dh]. */
  headOutputs: Value;
}

/** Receives a layer's {@link AttentionIntermediates} while the graph is built. */
export type AttentionObserver = (intermediates: AttentionIntermediates) => void;

/**
 * Attention over the LayerNorm output `x` [batch·T, d] (see {@link normalizedLinear}) with
 * `heads` heads; returns [batch·T, d], or only the rows `outputRows` (int32 indices into
 * batch·T) when given: the output projection then runs on those rows alone.
 * The causal mask is an additive constant (0 on and below the diagonal, -inf above), so
 * masked probabilities are exactly 0 as with PyTorch's masked_fill(-inf).
 * `observe`, when given, is handed the per-head intermediates; it only sees values the
 * forward pass computes anyway, so the graph's nodes are the same with or without it.
 */
export function causalSelfAttention(
  b: GraphBuilder,
  x: NormalizedInput,
  w: AttentionWeights,
  shape: { batch: number; time: number; heads: number },
  observe?: AttentionObserver,
  outputRows?: Value,
): Value {
  const { batch, time, heads } = shape;
  const d = x.xhat.shape[1];
  const dh = d / heads;
  // Three [N, d] x [d, d] products rather than one [N, d] x [d, 3d] product split in three:
  // onnxruntime's Split and the Concat its gradient needs each copy the whole [N, 3d]
  // activation, which costs more than the larger GEMM saves. The 1/sqrt(dh) score scale is
  // Q's product's output scale (free) rather than a pass over Q or the scores; it scales the
  // folded LayerNorm-shift term (Wq·shift) too, which is part of Q.
  const scale = 1 / Math.sqrt(dh);
  const q = normalizedLinear(b, x, w.q, null, scale);
  const k = normalizedLinear(b, x, w.k, null);
  const v = normalizedLinear(b, x, w.v, null);
  const heads4 = (t: Value) => b.transpose(b.reshape(t, [batch, time, heads, dh]), [0, 2, 1, 3]); // [B, H, T, dh]
  const scores = queryKeyProducts(b, heads4(q), heads4(k));
  const probabilities = b.softmax(b.add(scores, causalMask(b, time)), -1);
  const values = heads4(v);
  const out = b.matmul(probabilities, values); // [B, H, T, dh]
  observe?.({ scores, probabilities, values, headOutputs: out });
  const merged = b.reshape(b.transpose(out, [0, 2, 1, 3]), [batch * time, d]);
  return b.gemm(outputRows ? b.gather(merged, outputRows) : merged, w.o, null, { transB: true });
}

/**
 * Q Kᵀ over the last two axes, [B, H, T, T]. Its gradient gives dK = gᵀ Q directly: generic
 * autodiff would give dKᵀ = Qᵀ g and then copy it through a Transpose. Every transpose here
 * sits right at a MatMul, where onnxruntime folds it into the product (FusedMatMul).
 */
function queryKeyProducts(b: GraphBuilder, q: Value, k: Value): Value {
  const swapLast2 = (g: GraphBuilder, v: Value) => g.transpose(v, [0, 1, 3, 2]);
  return b.composite('QueryKeyProducts', [q, k], () => ({
    output: b.matmul(q, swapLast2(b, k)),
    gradient: (g, gy) => [g.matmul(gy, k), g.matmul(swapLast2(g, gy), q)],
  }));
}

/** [T, T] additive mask: 0 where key <= query, -inf elsewhere. */
export function causalMask(b: GraphBuilder, time: number): Value {
  const values = Array.from({ length: time * time }, (_, i) => (i % time <= Math.floor(i / time) ? 0 : -Infinity));
  return b.constant([time, time], values);
}
