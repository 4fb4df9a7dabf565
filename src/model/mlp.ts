/**
 * The transformer's feed-forward block: Linear(d, 4d) with bias, exact GELU, Linear(4d, d)
 * with bias.
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';
import { gelu } from './gelu';

/** Weights of one MLP, stored [out, in]. */
export interface MlpWeights {
  fc1: Value;
  fc1Bias: Value;
  fc2: Value;
  fc2Bias: Value;
}

/** MLP over `x` [N, d]; returns [N, d]. */
export function mlp(b: GraphBuilder, x: Value, w: MlpWeights): Value {
  const hidden = gelu(b, b.gemm(x, w.fc1, w.fc1Bias, { transB: true }));
  return b.gemm(hidden, w.fc2, w.fc2Bias, { transB: true });
}
