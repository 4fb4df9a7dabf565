/**
 * Global-L2-norm gradient clipping as `torch.nn.utils.clip_grad_norm_`: every gradient is
 * multiplied by min(1, maxNorm / (totalNorm + 1e-6)).
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';

/** The clipped gradients and the pre-clipping global norm. */
export interface ClippedGradients {
  grads: Value[];
  totalNorm: Value;
}

/** Clips `grads` jointly to global norm `maxNorm`. */
export function clipByGlobalNorm(b: GraphBuilder, grads: readonly Value[], maxNorm: number): ClippedGradients {
  const squares = grads.map((g) => b.reduce('ReduceSum', b.mul(g, g), [...g.shape.keys()], false));
  const totalNorm = b.unary('Sqrt', squares.reduce((acc, s) => b.add(acc, s)));
  const coefficient = b.div(maxNorm, b.add(totalNorm, 1e-6));
  // torch clamps the coefficient at 1 and multiplies unconditionally.
  const clamped = b.where(b.greater(coefficient, 1), 1, coefficient);
  return { grads: grads.map((g) => b.mul(g, clamped)), totalNorm };
}
