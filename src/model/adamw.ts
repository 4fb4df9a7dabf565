/**
 * One AdamW update emitted as graph ops, following `torch.optim.AdamW` (single-tensor path,
 * amsgrad off) operation by operation:
 *
 *   p  <- p * (1 - lr * wd)
 *   m  <- m + (1 - b1) * (g - m)          (lerp)
 *   v  <- v * b2 + (1 - b2) * g * g
 *   p  <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *
 * where t is the step count after incrementing (1 for the first update).
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';

/** AdamW hyper-parameters (the trainer contract's `hyper` less clipping). */
export interface AdamWHyper {
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Parameter, gradient and moments of one tensor. */
export interface AdamWSlot {
  param: Value;
  grad: Value;
  m: Value;
  v: Value;
}

/** Updated parameter and moments of one tensor. */
export interface AdamWResult {
  param: Value;
  m: Value;
  v: Value;
}

/** Emits the update of every slot; `learningRate` and `step` are scalar graph values. */
export function adamW(b: GraphBuilder, slots: readonly AdamWSlot[], learningRate: Value, step: Value, hyper: AdamWHyper): AdamWResult[] {
  const { weightDecay, beta1, beta2, epsilon } = hyper;
  // Scalar bias corrections are computed once for all tensors.
  const decay = b.sub(1, b.mul(learningRate, weightDecay));
  const stepSize = b.div(learningRate, b.sub(1, b.pow(b.scalar(beta1), step)));
  const correction2Sqrt = b.unary('Sqrt', b.sub(1, b.pow(b.scalar(beta2), step)));
  return slots.map(({ param, grad, m, v }) => {
    const decayed = b.mul(param, decay);
    const m1 = b.add(m, b.mul(b.sub(grad, m), 1 - beta1));
    const v1 = b.add(b.mul(v, beta2), b.mul(b.mul(grad, grad), 1 - beta2));
    const denominator = b.add(b.div(b.unary('Sqrt', v1), correction2Sqrt), epsilon);
    return { param: b.sub(decayed, b.mul(b.div(m1, denominator), stepSize)), m: m1, v: v1 };
  });
}
