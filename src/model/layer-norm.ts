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
