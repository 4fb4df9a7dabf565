/**
 * Global-L2-norm gradient clipping as `torch.nn.utils.clip_grad_norm_`: every gradient is
 * multiplied by min(1, maxNorm / (totalNorm + 1e-6)).
 *
 * Only the coefficient is computed here: AdamW folds it into its scalar factors (adamw.ts),
 * so the clipped gradient is never written out, and it reuses the squared gradient summed
 * here for its second moment.
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';

/** The clipping coefficient, the pre-clipping global norm and the elementwise squares. */
export interface GradientClip {
  /** min(1, maxNorm / (totalNorm + 1e-6)), a scalar. */
  coefficient: Value;
  totalNorm: Value;
  /** grad * grad, elementwise (unclipped). */
  squared: Value;
}

/** Clipping of the flat gradient `grad` to global norm `maxNorm`. */
export function globalNormClip(b: GraphBuilder, grad: Value, maxNorm: number): GradientClip {
  const squared = b.mul(grad, grad);
  const totalNorm = b.unary('Sqrt', b.reduce('ReduceSum', squared, [...grad.shape.keys()], false));
  const coefficient = b.div(maxNorm, b.add(totalNorm, 1e-6));
  // torch clamps the coefficient at 1 and multiplies unconditionally.
  return { coefficient: b.where(b.greater(coefficient, 1), 1, coefficient), totalNorm, squared };
}
