/**
 * One AdamW update emitted as graph ops, with the update of `torch.optim.AdamW` (single-tensor
 * path, amsgrad off) applied to the clipped gradient c·g:
 *
 *   p  <- p * (1 - lr * wd)
 *   m  <- b1 * m + ((1 - b1) c) * g
 *   v  <- b2 * v + ((1 - b2) c²) * g²
 *   p  <- p - (lr sqrt(1 - b2^t) / (1 - b1^t)) * m / (sqrt(v) + eps sqrt(1 - b2^t))
 *
 * where t is the step count after incrementing (1 for the first update). The last line is
 * torch's lr/(1 - b1^t) · m / (sqrt(v)/sqrt(1 - b2^t) + eps) with the bias correction moved
 * into the scalars. Every scalar factor (clipping included) is computed once on scalars, so
 * each moment update is three passes over the state and the parameter update six. The values
 * agree with torch's operation order to float rounding (tests/model/adamw.test.ts).
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';
import type { GradientClip } from './grad-clip';

/** AdamW hyper-parameters (the trainer contract's `hyper` less clipping). */
export interface AdamWHyper {
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Parameter, raw gradient and moments of the flat state. */
export interface AdamWSlot {
  param: Value;
  grad: Value;
  m: Value;
  v: Value;
}

/** Updated parameter and moments. */
export interface AdamWResult {
  param: Value;
  m: Value;
  v: Value;
}

/**
 * Emits the update of `slot` with the gradient clipped by `clip` (its coefficient and the
 * squared raw gradient); `learningRate` and `step` are scalar graph values.
 */
export function adamW(b: GraphBuilder, slot: AdamWSlot, clip: Pick<GradientClip, 'coefficient' | 'squared'>, learningRate: Value, step: Value, hyper: AdamWHyper): AdamWResult {
  const { weightDecay, beta1, beta2, epsilon } = hyper;
  const { param, grad, m, v } = slot;
  // Scalars, computed once.
  const decay = b.sub(1, b.mul(learningRate, weightDecay));
  const correction2Sqrt = b.unary('Sqrt', b.sub(1, b.pow(b.scalar(beta2), step)));
  const stepSize = b.div(b.mul(learningRate, correction2Sqrt), b.sub(1, b.pow(b.scalar(beta1), step)));
  const gradFactor = b.mul(clip.coefficient, 1 - beta1);
  const squareFactor = b.mul(b.mul(clip.coefficient, clip.coefficient), 1 - beta2);
  // Passes over the state.
  const m1 = b.add(b.mul(m, beta1), b.mul(grad, gradFactor));
  const v1 = b.add(b.mul(v, beta2), b.mul(clip.squared, squareFactor));
  const denominator = b.add(b.unary('Sqrt', v1), b.mul(correction2Sqrt, epsilon));
  const param1 = b.sub(b.mul(param, decay), b.mul(b.div(m1, denominator), stepSize));
  return { param: param1, m: m1, v: v1 };
}
