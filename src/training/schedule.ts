/**
 * The learning-rate schedule of method.md section 4 / reference-pipeline.md section 7.2:
 * linear warm-up over the first 10% of the schedule's horizon, then a cosine from 1.0 down to
 * 0.1. Unlike the reference, which always assumed 50 epochs, the horizon is a real step count:
 * `training.schedule_steps` when set, else `training.max_steps` (so by default the cosine ends
 * where training ends), capped at `max_epochs` whole epochs.
 *
 * The horizon is separate from the run's last step so that a run of N steps is an exact prefix
 * of a run of M > N steps with the same horizon (budget extension, docs/training.md).
 */

/** The step budget the schedule is computed from. */
export interface StepBudget {
  /** The schedule's horizon: min(schedule_steps ?? max_steps, max_epochs * steps_per_epoch). */
  total: number;
  /** Warm-up steps: floor(0.1 * total). */
  warm: number;
}

/**
 * The schedule budget for `maxSteps` (or `scheduleSteps` when given), capped at `maxEpochs`
 * whole epochs when that is set.
 */
export function stepBudget(maxSteps: number, maxEpochs: number | null, stepsPerEpoch: number, scheduleSteps: number | null = null): StepBudget {
  const total = cappedAtEpochs(scheduleSteps ?? maxSteps, maxEpochs, stepsPerEpoch);
  return { total, warm: Math.floor(0.1 * total) };
}

/** The last step a run takes at most: min(max_steps, max_epochs * steps_per_epoch). */
export function lastStep(maxSteps: number, maxEpochs: number | null, stepsPerEpoch: number): number {
  return cappedAtEpochs(maxSteps, maxEpochs, stepsPerEpoch);
}

function cappedAtEpochs(steps: number, maxEpochs: number | null, stepsPerEpoch: number): number {
  return maxEpochs === null ? steps : Math.min(steps, maxEpochs * stepsPerEpoch);
}

/**
 * The multiplier of the base learning rate for 0-based optimizer step k:
 * k / max(1, warm) while k < warm (so the very first update uses lr = 0, as in the reference),
 * then 0.1 + 0.45 (1 + cos(pi min(1, (k - warm) / max(1, total - warm)))), from 1.0 to 0.1,
 * and 0.1 for every step past the horizon.
 */
export function lrMultiplier(k: number, budget: StepBudget): number {
  const { total, warm } = budget;
  if (k < warm) return k / Math.max(1, warm);
  const progress = Math.min(1, (k - warm) / Math.max(1, total - warm));
  return 0.1 + 0.45 * (1 + Math.cos(Math.PI * progress));
}
