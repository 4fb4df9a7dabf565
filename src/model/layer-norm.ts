/**
 * LayerNorm over the last axis with learnable scale and shift (PyTorch `nn.LayerNorm`).
 *
 * float32 graphs use onnxruntime's fused LayerNormalization kernel, whose saved mean and
 * inverse standard deviation feed a hand-written gradient rule. float64 graphs (gradient
 * checks) use the decomposition, because the fused kernel has no float64 version.
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';

/** LayerNorm epsilon of the reference model. */
export const LAYER_NORM_EPSILON = 1e-5;

/** Normalises `x` over its last axis, then applies `scale` and `shift`. */
export function layerNorm(b: GraphBuilder, x: Value, scale: Value, shift: Value, fused = b.float === 'float32'): Value {
  if (fused) return b.layerNormalization(x, scale, shift, LAYER_NORM_EPSILON).y;
  const centred = b.sub(x, b.reduce('ReduceMean', x, [-1], true));
  const variance = b.reduce('ReduceMean', b.mul(centred, centred), [-1], true);
  const normalised = b.div(centred, b.unary('Sqrt', b.add(variance, LAYER_NORM_EPSILON)));
  return b.add(b.mul(normalised, scale), shift);
}

/** LayerNorm's normalised input and its affine parameters, not yet applied (see {@link normalizedLinear}). */
export interface NormalizedInput {
  /** (x - mean) / sqrt(var + eps) over the last axis. */
  xhat: Value;
  scale: Value;
  shift: Value;
}

/**
 * (x - mean) / sqrt(var + eps) over the last axis, without scale and shift. float32 graphs
 * use the fused kernel with a constant unit scale and zero shift, whose gradient rule then
 * reuses the output as x̂ (gradient-rules.ts).
 */
export function normalize(b: GraphBuilder, x: Value, fused = b.float === 'float32'): Value {
  const d = x.shape[x.shape.length - 1];
  if (fused) return b.layerNormalization(x, b.constant([d], new Array<number>(d).fill(1)), b.constant([d], new Array<number>(d).fill(0)), LAYER_NORM_EPSILON).y;
  const centred = b.sub(x, b.reduce('ReduceMean', x, [-1], true));
  const variance = b.reduce('ReduceMean', b.mul(centred, centred), [-1], true);
  return b.div(centred, b.unary('Sqrt', b.add(variance, LAYER_NORM_EPSILON)));
}

/**
 * The Linear layer `w` [out, in] (plus optional `bias` [out]) applied to a LayerNorm's output,
 * with the LayerNorm's affine folded into the weights:
 *   (x̂·scale + shift) Wᵀ + bias = x̂ (W·diag(scale))ᵀ + (W shift + bias).
 * The folding costs O(out·in) per step; in exchange the [N, in] LayerNorm output is never
 * materialised and its backward pass needs neither x̂ recomputed nor the g·scale product
 * (6 fewer passes over [N, in] per LayerNorm). `alpha`/`beta` are the Gemm's.
 */
export function normalizedLinear(
  b: GraphBuilder,
  input: NormalizedInput,
  w: Value,
  bias: Value | null,
  options: { alpha?: number; beta?: number } = {},
): Value {
  const { xhat, scale, shift } = input;
  const [out, inner] = w.shape;
  const shifted = b.reshape(b.gemm(b.reshape(shift, [1, inner]), w, null, { transB: true }), [out]);
  return b.gemm(xhat, b.mul(w, scale), bias ? b.add(shifted, bias) : shifted, { transB: true, ...options });
}
