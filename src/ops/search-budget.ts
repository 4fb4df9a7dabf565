/**
 * The training budget of a search: the rungs of successive halving and the training steps a
 * search costs compared with the grid over the same trials.
 *
 * Rungs: the budgets are min_steps, min_steps * eta, min_steps * eta^2, ... below max_steps,
 * then max_steps; the first rung runs every trial and each later rung the best
 * max(1, floor(n / eta)) of the rung before.
 */
import type { HalvingSettings } from './search-spec';

/** One rung of successive halving. */
export interface Rung {
  /** 0-based. */
  index: number;
  /** `training.max_steps` of its runs. */
  budget: number;
  /** Trials it runs (planned; fewer when trials of the rung before failed). */
  trials: number;
}

/** The rungs of a halving search with `nTrials` trials. */
export function halvingRungs(nTrials: number, halving: HalvingSettings): Rung[] {
  const budgets: number[] = [];
  for (let budget = halving.min_steps; budget < halving.max_steps; budget *= halving.eta) budgets.push(budget);
  budgets.push(halving.max_steps);
  const rungs: Rung[] = [];
  let trials = nTrials;
  budgets.forEach((budget, index) => {
    if (index > 0) trials = Math.max(1, Math.floor(trials / halving.eta));
    rungs.push({ index, budget, trials });
  });
  return rungs;
}

/** Training steps of a halving search against the grid over the same trials. */
export interface BudgetTotals {
  /** Every trial trained to the last rung's budget (the grid over the same points). */
  grid: number;
  /** Every rung's runs trained from scratch. */
  halvingFromScratch: number;
  /** Promoted runs continue from the rung before (budget extension): what the search costs. */
  halving: number;
}

/** The planned totals of `rungs` (a search of rungs[0].trials trials). */
export function budgetTotals(rungs: readonly Rung[]): BudgetTotals {
  const last = rungs[rungs.length - 1];
  let halving = 0;
  let halvingFromScratch = 0;
  rungs.forEach((rung, i) => {
    halvingFromScratch += rung.trials * rung.budget;
    halving += rung.trials * (rung.budget - (i === 0 ? 0 : rungs[i - 1].budget));
  });
  return { grid: rungs[0].trials * last.budget, halvingFromScratch, halving };
}
