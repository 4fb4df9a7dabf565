/**
 * The transformer's feed-forward block: Linear(d, 4d) with bias, exact GELU, Linear(4d, d)
 * with bias.
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';
import { scaledGelu } from './gelu';
import { normalizedLinear, type NormalizedInput } from './layer-norm';

/** Weights of one MLP, stored [out, in]. */
export interface MlpWeights {
  fc1: Value;
  fc1Bias: Value;
  fc2: Value;
  fc2Bias: Value;
}

/**
 * MLP over `x` [N, d]; returns [N, d]. GELU(z) = (1/sqrt 2) s (1 + erf s) with s = z/sqrt 2:
 * the first product yields s directly (output scale 1/sqrt 2) and the second applies the outer
 * 1/sqrt 2 as its alpha, so GELU itself is 3 elementwise passes (see {@link scaledGelu}).
 */
export function mlp(b: GraphBuilder, x: NormalizedInput, w: MlpWeights): Value {
  const s = normalizedLinear(b, x, w.fc1, w.fc1Bias, Math.SQRT1_2);
  return b.gemm(scaledGelu(b, s), w.fc2, w.fc2Bias, { transB: true, alpha: Math.SQRT1_2 });
}
