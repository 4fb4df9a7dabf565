/**
 * The optimizer settings every backend is built with (method.md section 4, as the reference,
 * reference-pipeline.md section 7.2): AdamW with betas (0.9, 0.999), eps 1e-8, weight decay
 * 0.01 on all parameters, gradient clipping at global L2 norm 1.0. Not configurable: the
 * config has no fields for them.
 */
import type { TrainerFactory } from './trainer-backend';

/** The hyper-parameter argument of a {@link TrainerFactory}. */
export type OptimizerSettings = Parameters<TrainerFactory>[2];

/** The reference's AdamW and clipping settings. */
export const REFERENCE_OPTIMIZER: Readonly<OptimizerSettings> = Object.freeze({
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  clipNorm: 1.0,
});
