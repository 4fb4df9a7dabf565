/**
 * LayerNorm over the last axis with learnable scale and shift (PyTorch `nn.LayerNorm`).
 *
 * float32 graphs use onnxruntime's fused LayerNormalization kernel, whose saved mean and
 * inverse standard deviation feed a hand-written gradient rule. float64 graphs (gradient
 * checks) use the decomposition, because the fused kernel has no float64 version.
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';
import { unbroadcast } from '../onnx/gradient-rules';

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
  /** (x - mean) / sqrt(var + eps) over the last axis, [N, d]. */
  xhat: Value;
  /** x̂ with a column of ones appended, [N, d + 1]: the bias rides in the product. */
  xhatWithOnes: Value;
  scale: Value;
  shift: Value;
}

/** Normalises `x` [N, d] for the Linear layers that read it (see {@link normalizedLinear}). */
export function normalizedInput(b: GraphBuilder, x: Value, scale: Value, shift: Value, fused = b.float === 'float32'): NormalizedInput {
  const xhat = normalize(b, x, fused);
  const rows = xhat.shape[0];
  const xhatWithOnes = b.concat([xhat, b.constant([rows, 1], new Array<number>(rows).fill(1))], 1);
  return { xhat, xhatWithOnes, scale, shift };
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
 * `outputScale` times the Linear layer `w` [out, in] (plus optional `bias` [out]) applied to
 * a LayerNorm's output, with the LayerNorm's affine folded into the weights:
 *   (x̂·scale + shift) Wᵀ + bias = x̂ (W·diag(scale))ᵀ + (W shift + bias).
 * The folding costs O(out·in) per step; in exchange the [N, in] LayerNorm output is never
 * materialised and its backward pass needs neither x̂ recomputed nor the g·scale product
 * (6 fewer passes over [N, in] per LayerNorm). The bias term is the last column of the
 * weights against x̂'s column of ones, see {@link biasedProduct}.
 */
export function normalizedLinear(b: GraphBuilder, input: NormalizedInput, w: Value, bias: Value | null, outputScale = 1): Value {
  const { xhat, xhatWithOnes, scale, shift } = input;
  const [out, inner] = w.shape;
  const shifted = b.reshape(b.gemm(b.reshape(shift, [1, inner]), w, null, { transB: true }), [out, 1]);
  const column = bias ? b.add(shifted, b.reshape(bias, [out, 1])) : shifted;
  return biasedProduct(b, xhat, xhatWithOnes, b.mul(w, scale), column, outputScale);
}

/**
 * outputScale · (x Wᵀ + biasᵀ) for x [N, in], W [out, in], bias [out, 1], computed as ONE
 * product [x, 1] [W, bias]ᵀ over in + 1: onnxruntime's Gemm with a bias vector C first
 * copies C into every output row on one thread, which made the [4096, 128] x [128, 512]
 * product ~40% slower than the product itself. The gradient uses x and W without the extra
 * column, so the backward products keep their aligned shapes.
 */
function biasedProduct(b: GraphBuilder, x: Value, xWithOnes: Value, w: Value, bias: Value, outputScale: number): Value {
  return b.composite('BiasedProduct', [x, xWithOnes, w, bias], () => ({
    output: b.gemm(xWithOnes, b.concat([w, bias], 1), null, { transB: true, alpha: outputScale }),
    gradient: (g, gy) => [
      g.gemm(gy, w, null, { alpha: outputScale }),
      null,
      g.gemm(gy, x, null, { transA: true, alpha: outputScale }),
      g.mul(g.reshape(unbroadcast(g, gy, [1, bias.shape[0]]), bias.shape), outputScale),
    ],
  }));
}
