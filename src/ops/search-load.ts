/**
 * Reading the search fields of a sweep file (`strategy`, `n_trials`, `search_seed`, `space`,
 * `halving`, `objective`, `until`): each problem is a line naming the file, the field, the
 * value and the rule, collected with the sweep file's other problems.
 */
import { PIPELINE_STAGES, type StageName } from '../pipeline/dag';
import { configPathProblem } from './config-paths';
import { objectivePathProblem, objectiveStage } from './search-objective';
import type { Distribution, HalvingSettings, SearchDefinition, SearchObjective, SearchStrategy } from './search-spec';

/** The search fields of a sweep file after the file's zod schema (types checked, rules not yet). */
export interface SearchFields {
  strategy: SearchStrategy;
  grid: Record<string, unknown[]>;
  seeds?: number[];
  n_trials?: number;
  search_seed?: number;
  space?: Record<string, unknown>;
  halving?: HalvingSettings;
  objective?: SearchObjective;
  until?: StageName;
}

/** What the search fields amount to: the search (absent for a grid), objective and last stage. */
export interface CheckedSearch {
  search?: SearchDefinition;
  objective?: SearchObjective;
  until?: StageName;
  problems: string[];
}

/** Fields the budget of a halving search owns. */
const HALVING_OWNED = ['training.max_steps', 'training.schedule_steps'];

/** Checks the search fields of the sweep file at `path`; every problem is reported. */
export function checkSearchFields(path: string, fields: SearchFields): CheckedSearch {
  const problems: string[] = [];
  const problem = (field: string, value: unknown, rule: string) => problems.push(`${path}: ${field}: ${show(value)} — ${rule}`);
  const { strategy } = fields;
  if (strategy === 'grid') {
    for (const key of ['n_trials', 'search_seed', 'space', 'halving'] as const) {
      if (fields[key] !== undefined) problem(key, fields[key], `only for strategy "random" or "halving" (this sweep is a grid)`);
    }
  } else {
    if (Object.keys(fields.grid).length > 0) problem('grid', fields.grid, `not used by strategy "${strategy}": sample the fields in "space" (a fixed value belongs in base)`);
    if (fields.seeds !== undefined) problem('seeds', fields.seeds, `not used by strategy "${strategy}": sample the seed in "space", e.g. "seed": {"choice": [1, 2]}`);
    for (const key of ['n_trials', 'search_seed', 'space', 'objective'] as const) {
      if (fields[key] === undefined) problem(key, undefined, `required for strategy "${strategy}"`);
    }
    if (strategy === 'halving' && fields.halving === undefined) problem('halving', undefined, 'required for strategy "halving": {"min_steps": N, "max_steps": M, "eta": 3}');
    if (strategy === 'random' && fields.halving !== undefined) problem('halving', fields.halving, 'only for strategy "halving"');
  }
  const space = checkSpace(fields.space, strategy, problem);
  if (fields.halving !== undefined && fields.halving.min_steps > fields.halving.max_steps) {
    problem('halving.min_steps', fields.halving.min_steps, `must be at most halving.max_steps = ${fields.halving.max_steps}`);
  }
  const until = checkUntil(fields, problem);
  if (problems.length > 0 || strategy === 'grid') return { objective: fields.objective, until, problems };
  const search: SearchDefinition = {
    strategy,
    n_trials: fields.n_trials!,
    search_seed: fields.search_seed!,
    space: space!,
    ...(strategy === 'halving' ? { halving: fields.halving! } : {}),
  };
  return { search, objective: fields.objective, until, problems };
}

type Problem = (field: string, value: unknown, rule: string) => void;

function checkSpace(space: Record<string, unknown> | undefined, strategy: SearchStrategy, problem: Problem): Record<string, Distribution> | undefined {
  if (space === undefined) return undefined;
  if (Object.keys(space).length === 0) problem('space', space, 'needs at least one field to sample');
  for (const [field, distribution] of Object.entries(space)) {
    const pathProblem = configPathProblem(field);
    if (pathProblem !== null) problem(`space.${field}`, distribution, pathProblem);
    else if (strategy === 'halving' && HALVING_OWNED.includes(field)) problem(`space.${field}`, distribution, 'a halving search sets the training budget itself (halving.min_steps .. halving.max_steps)');
    const rule = distributionProblem(distribution);
    if (rule !== null) problem(`space.${field}`, distribution, rule);
  }
  return space as Record<string, Distribution>;
}

const DISTRIBUTIONS = 'a distribution is one of {"uniform": {"low": a, "high": b}}, {"log_uniform": {"low": a, "high": b}}, {"int": {"low": a, "high": b}}, {"choice": [v, ...]}';

/** Why `value` is not a distribution, or null. */
export function distributionProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length !== 1) return DISTRIBUTIONS;
  const [kind, body] = Object.entries(value)[0];
  if (kind === 'choice') return Array.isArray(body) && body.length > 0 ? null : 'choice needs a non-empty list of values';
  if (kind !== 'uniform' && kind !== 'log_uniform' && kind !== 'int') return DISTRIBUTIONS;
  const { low, high, ...extra } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high) || Object.keys(extra).length > 0) {
    return `${kind} needs exactly {"low": number, "high": number}`;
  }
  if (kind === 'int') {
    if (!Number.isInteger(low) || !Number.isInteger(high)) return 'int needs integer low and high';
    return low <= high ? null : 'int needs low <= high (both are included)';
  }
  if (kind === 'log_uniform' && low <= 0) return 'log_uniform needs low > 0';
  return low < high ? null : `${kind} needs low < high`;
}

/** `until` as written, else the stage the objective reads; a stage before the objective's is refused. */
function checkUntil(fields: SearchFields, problem: Problem): StageName | undefined {
  const { objective } = fields;
  const pathProblem = objective === undefined ? null : objectivePathProblem(objective.path);
  if (pathProblem !== null) {
    problem('objective.path', objective!.path, pathProblem);
    return fields.until;
  }
  const needed = objective === undefined ? null : objectiveStage(objective.path);
  if (fields.until === undefined) return needed ?? undefined;
  if (needed !== null && PIPELINE_STAGES.indexOf(needed) > PIPELINE_STAGES.indexOf(fields.until)) {
    problem('until', fields.until, `the objective reads the ${needed} stage, which runs after ${fields.until}`);
  }
  return fields.until;
}

function show(value: unknown): string {
  return value === undefined ? '(missing)' : (JSON.stringify(value) ?? String(value)).slice(0, 60);
}
