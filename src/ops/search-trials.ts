/**
 * The trials of a random or halving search: `n_trials` distinct configs sampled from the
 * space with the search's seed, and the experiment (sweep point) of a trial at a budget.
 *
 * Draw d samples every field from its own stream `Rng.derive(search_seed, 'search', d, field)`,
 * so a field's values do not depend on the other fields or their order. A draw that repeats
 * an earlier trial's values is skipped (trials are distinct experiments); after
 * MAX_DRAWS_PER_TRIAL x n_trials draws the search keeps the trials it has, with a note.
 */
import { canonicalJson } from '../config/canonical-json';
import { experimentId } from '../config/hash';
import { parseConfig } from '../config/load';
import { ConfigError } from '../errors';
import { Rng } from '../random/rng';
import { getConfigPath, setConfigPath } from './config-paths';
import { halvingRungs } from './search-budget';
import { MAX_DRAWS_PER_TRIAL, type Distribution, type SearchDefinition } from './search-spec';
import { expandSweep, formatCoordinates, type SweepPoint } from './sweep-expand';
import { sweepSpecFromDefinition } from './sweep-load';
import type { SweepDefinition, SweepSpec } from './sweep-spec';

/** One sampled configuration. */
export interface Trial {
  /** 1-based, in sampling order. */
  index: number;
  /** Field -> value, in the order of the space. */
  values: Record<string, unknown>;
}

/** The trials of `search`, and notes when fewer distinct configs exist than were asked for. */
export function sampleTrials(search: SearchDefinition): { trials: Trial[]; notes: string[] } {
  const trials: Trial[] = [];
  const seen = new Set<string>();
  const maxDraws = MAX_DRAWS_PER_TRIAL * search.n_trials;
  let draw = 0;
  for (; draw < maxDraws && trials.length < search.n_trials; draw++) {
    const values: Record<string, unknown> = {};
    for (const [field, distribution] of Object.entries(search.space)) values[field] = sample(distribution, Rng.derive(search.search_seed, 'search', draw, field));
    const identity = canonicalJson(values);
    if (seen.has(identity)) continue;
    seen.add(identity);
    trials.push({ index: trials.length + 1, values });
  }
  const notes = trials.length < search.n_trials ? [`the space has only ${trials.length} distinct configs in ${draw} draws: the search runs ${trials.length} trial(s), not ${search.n_trials}`] : [];
  return { trials, notes };
}

/** One value of `distribution` from `rng`. */
export function sample(distribution: Distribution, rng: Rng): unknown {
  if ('choice' in distribution) return structuredClone(distribution.choice[rng.int(distribution.choice.length)]);
  if ('int' in distribution) return distribution.int.low + rng.int(distribution.int.high - distribution.int.low + 1);
  if ('uniform' in distribution) return distribution.uniform.low + rng.float() * (distribution.uniform.high - distribution.uniform.low);
  const { low, high } = distribution.log_uniform;
  return Math.exp(Math.log(low) + rng.float() * (Math.log(high) - Math.log(low)));
}

/**
 * The experiments of `trials` at `budget` (`training.max_steps`; null keeps the base's), in
 * trial order, each validated with the normal config rules. A halving search also sets
 * `training.schedule_steps` to `halving.max_steps` unless the base sets it, so that every
 * rung shares one schedule and a promoted trial continues its shorter run (budget extension).
 * @throws ConfigError listing every invalid trial with its values, and trials that are the same experiment.
 */
export function trialPoints(spec: SweepSpec, trials: readonly Trial[], budget: number | null): SweepPoint[] {
  const search = spec.search!;
  const points: SweepPoint[] = [];
  const problems: string[] = [];
  const first = new Map<string, SweepPoint>();
  for (const trial of trials) {
    const raw = structuredClone(spec.base);
    const coordinates = Object.entries(trial.values).map(([axis, value]) => ({ axis, value }));
    for (const { axis, value } of coordinates) setConfigPath(raw, axis, value);
    if (budget !== null) {
      setConfigPath(raw, 'training.max_steps', budget);
      const horizon = getConfigPath(spec.base, 'training.schedule_steps');
      if (horizon === undefined || horizon === null) setConfigPath(raw, 'training.schedule_steps', search.halving!.max_steps);
      coordinates.push({ axis: 'training.max_steps', value: budget });
    }
    const where = `trial ${trial.index} (${formatCoordinates(coordinates)})`;
    try {
      const { config, warnings } = parseConfig(raw);
      const point: SweepPoint = { index: trial.index, coordinates, config, experimentId: experimentId(config), warnings };
      const earlier = first.get(point.experimentId);
      if (earlier !== undefined) problems.push(`${where}: the same experiment ${point.experimentId} as trial ${earlier.index} — runtime.* does not make a new experiment`);
      first.set(point.experimentId, point);
      points.push(point);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => `${where}: ${problem}`));
    }
  }
  if (problems.length > 0) throw new ConfigError([`${spec.source}: ${problems.length} problem(s) in the search, nothing was run:`, ...problems]);
  return points;
}

/** A search's trials and, for every rung (one for random), the points it would run with all trials. */
export interface SearchTrials {
  trials: Trial[];
  notes: string[];
}

/**
 * Samples the trials of a search and validates every trial at every budget it may run with
 * (each rung of a halving search), so a search never stops half-way on an invalid config.
 * @throws ConfigError as {@link trialPoints}.
 */
export function prepareSearch(spec: SweepSpec): SearchTrials {
  const search = spec.search!;
  const { trials, notes } = sampleTrials(search);
  if (search.strategy === 'random') trialPoints(spec, trials, null);
  else for (const rung of halvingRungs(trials.length, search.halving!)) trialPoints(spec, trials, rung.budget);
  return { trials, notes };
}

/**
 * The fixed list of experiments of a sweep definition: the grid's points, or a random
 * search's trials (what `npm run sweep` runs and what the Temporal sweep workflow pages through).
 * @throws ConfigError for a halving search, whose later rungs depend on results (it runs locally: `npm run sweep`).
 */
export function expandDefinition(definition: SweepDefinition, source: string): SweepPoint[] {
  const spec = sweepSpecFromDefinition(definition, source);
  if (spec.search === undefined) return expandSweep(spec);
  if (spec.search.strategy === 'halving') {
    throw new ConfigError(
      `${source}: strategy "halving" runs locally only (npm run sweep -- ${source}): its rungs depend on the results of the rung before; submit a "random" search or a grid to Temporal`,
    );
  }
  return trialPoints(spec, sampleTrials(spec.search).trials, null);
}
