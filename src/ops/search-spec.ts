/**
 * Search strategies of a sweep file beyond the grid: `random` (n_trials sampled from
 * per-field distributions) and `halving` (successive halving over the training budget
 * `training.max_steps`), ranked by an objective read from result.json. Types and constants
 * only, so the workflow sandbox can import them with the sweep definition.
 */

/** How a sweep chooses its experiments. `grid` (the default) is the cartesian product. */
export const SEARCH_STRATEGIES = ['grid', 'random', 'halving'] as const;
export type SearchStrategy = (typeof SEARCH_STRATEGIES)[number];

/**
 * A distribution of one config field, written as a one-key object:
 * `{"uniform": {"low": 0.1, "high": 0.5}}`, `{"log_uniform": {"low": 1e-4, "high": 1e-2}}`,
 * `{"int": {"low": 1, "high": 4}}` (both ends included) or `{"choice": [16, 32, 64]}`.
 */
export type Distribution =
  | { uniform: { low: number; high: number } }
  | { log_uniform: { low: number; high: number } }
  | { int: { low: number; high: number } }
  | { choice: unknown[] };

/** The scalar a search ranks trials by. */
export interface SearchObjective {
  /**
   * Where the number is in the trial's result.json: dot-separated keys, `[n]` for an array
   * index, `["a.b"]` for a key containing dots. A segment applied to an array of named records
   * (`stages`) selects the record with that `name`, so `stages.train.summary.final_loss` is the
   * train stage's final loss. See docs/operations-local.md, "Searches".
   */
  path: string;
  direction: 'minimize' | 'maximize';
}

/** Successive halving: rungs of training budget from `min_steps` to `max_steps`, each `eta` times the last. */
export interface HalvingSettings {
  /** `training.max_steps` of the first rung. */
  min_steps: number;
  /** `training.max_steps` of the last rung (the budget of a full run). */
  max_steps: number;
  /** Reduction factor: each rung multiplies the budget by eta and keeps the best 1/eta of the trials. @default 3 */
  eta: number;
}

/** The sampled strategies' settings, as read from the sweep file. */
export interface SearchDefinition {
  strategy: 'random' | 'halving';
  /** Trials to sample (distinct configs). */
  n_trials: number;
  /** Seed of the sampler: the same file gives the same trials. */
  search_seed: number;
  /** Dotted config path -> its distribution, in the order written. */
  space: Record<string, Distribution>;
  /** Only for `halving`. */
  halving?: HalvingSettings;
}

/** The most draws a search makes to find n_trials distinct configs, per trial. */
export const MAX_DRAWS_PER_TRIAL = 100;
