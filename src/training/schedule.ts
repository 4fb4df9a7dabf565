/**
 * The learning-rate schedule of method.md section 4 / reference-pipeline.md section 7.2:
 * linear warm-up over the first 10% of the step budget, then a cosine from 1.0 down to 0.1.
 * Unlike the reference, which always assumed 50 epochs, the budget is the number of steps
 * this run will really take at most, so the cosine ends where training ends.
 */

/** The step budget the schedule is computed from. */
export interface StepBudget {
  /** Optimizer steps of the whole run: min(max_steps, max_epochs * steps_per_epoch). */
  total: number;
  /** Warm-up steps: floor(0.1 * total). */
  warm: number;
}

/** The budget for `maxSteps`, capped at `maxEpochs` whole epochs when that is set. */
export function stepBudget(maxSteps: number, maxEpochs: number | null, stepsPerEpoch: number): StepBudget {
  const total = maxEpochs === null ? maxSteps : Math.min(maxSteps, maxEpochs * stepsPerEpoch);
  return { total, warm: Math.floor(0.1 * total) };
}

/**
 * The multiplier of the base learning rate for 0-based optimizer step k:
 * k / max(1, warm) while k < warm (so the very first update uses lr = 0, as in the reference),
 * then 0.1 + 0.45 (1 + cos(pi min(1, (k - warm) / max(1, total - warm)))), from 1.0 to 0.1.
 */
export function lrMultiplier(k: number, budget: StepBudget): number {
  const { total, warm } = budget;
  if (k < warm) return k / Math.max(1, warm);
  const progress = Math.min(1, (k - warm) / Math.max(1, total - warm));
  return 0.1 + 0.45 * (1 + Math.cos(Math.PI * progress));
}
