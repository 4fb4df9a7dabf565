/**
 * Reading a sweep: a sweep file `{ base, grid, seeds?, parallel?, description? }` validated
 * with zod (or a search: `strategy`, `n_trials`, `search_seed`, `space`, `halving`,
 * `objective`, `until`, see search-load.ts), or a config whose original `sweep` block is set. Every problem is a ConfigError
 * line naming the file, the field, the value and the rule; all are reported at once.
 * `readSweepDefinition` gives the sweep as plain JSON (what the Temporal sweep carries) and
 * `sweepSpecFromDefinition` its axes: the one definition of a sweep for both runners.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../config/load';
import { ConfigError } from '../errors';
import { configPathProblem, setConfigPath } from './config-paths';
import { legacySweepAxes } from './legacy-sweep';
import { PIPELINE_STAGES } from '../pipeline/dag';
import { checkSearchFields } from './search-load';
import { SEARCH_STRATEGIES } from './search-spec';
import { MAX_SWEEP_POINTS, type SweepAxis, type SweepDefinition, type SweepSpec } from './sweep-spec';

/** The sweep file format. */
export const sweepFileSchema = z.strictObject({
  /** A config object, or the path of a config file relative to the sweep file. */
  base: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  /** Dotted config path -> the values it takes (each list non-empty). */
  grid: z.record(z.string(), z.array(z.unknown()).min(1)).default({}),
  /** Seeds: every grid point runs once per seed (the innermost axis). */
  seeds: z.array(z.int().min(0).max(2 ** 31 - 1)).min(1).optional(),
  /** Points run at once. */
  parallel: z.int().min(1).default(1),
  description: z.string().optional(),
  /** `grid` (the cartesian product above), `random` or `halving` (search-spec.ts). */
  strategy: z.enum(SEARCH_STRATEGIES).default('grid'),
  /** Trials a random or halving search samples. */
  n_trials: z.int().min(1).max(MAX_SWEEP_POINTS).optional(),
  /** Seed of the sampler. */
  search_seed: z.int().min(0).max(2 ** 31 - 1).optional(),
  /** Dotted config path -> distribution (checked field by field in search-load.ts). */
  space: z.record(z.string(), z.unknown()).optional(),
  /** Successive halving over training.max_steps. */
  halving: z.strictObject({ min_steps: z.int().min(1), max_steps: z.int().min(1), eta: z.int().min(2).default(3) }).optional(),
  /** The result.json scalar the leaderboard ranks by. */
  objective: z.strictObject({ path: z.string().min(1), direction: z.enum(['minimize', 'maximize']) }).optional(),
  /** Run every point up to this stage (default: the objective's stage, else everything). */
  until: z.enum(PIPELINE_STAGES).optional(),
});

const SWEEP_FILE_KEYS = Object.keys(sweepFileSchema.shape).join(', ');

/** Reads the sweep at `path` (a sweep file or a config with a sweep block), ready to expand. */
export function loadSweep(path: string): SweepSpec {
  return sweepSpecFromDefinition(readSweepDefinition(path), path);
}

/**
 * Reads and checks the sweep at `path` as plain JSON (a `base` path is read and inlined).
 * @throws ConfigError listing every problem of the file.
 */
export function readSweepDefinition(path: string): SweepDefinition {
  const raw = readJsonObject(path, 'sweep file');
  if ('base' in raw || 'grid' in raw || 'strategy' in raw) return fromSweepFile(path, raw);
  return fromConfigSweepBlock(path, raw);
}

/**
 * The axes of a definition, in application order: the grid's paths, the original sweep
 * block's fields, then the seeds. `source` names the sweep in messages.
 */
export function sweepSpecFromDefinition(definition: SweepDefinition, source: string): SweepSpec {
  const axes: SweepAxis[] = Object.entries(definition.grid).map(([name, values]) => pathAxis(name, values));
  if (definition.legacy !== undefined) axes.push(...legacySweepAxes(definition.legacy));
  if (definition.seeds !== undefined) axes.push(pathAxis('seed', definition.seeds));
  const { search, objective, until, description } = definition;
  return {
    source,
    base: definition.base,
    axes,
    parallel: definition.parallel,
    notes: definition.notes,
    ...(search === undefined ? {} : { search }),
    ...(objective === undefined ? {} : { objective }),
    ...(until === undefined ? {} : { until }),
    ...(description === undefined ? {} : { description }),
  };
}

function pathAxis(name: string, values: readonly unknown[]): SweepAxis {
  return { name, values, apply: (config, value) => setConfigPath(config, name, value) };
}

function fromSweepFile(path: string, raw: Record<string, unknown>): SweepDefinition {
  const parsed = sweepFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.flatMap((issue) => describeIssue(path, raw, issue)));
  }
  const { base, grid, seeds, parallel, description } = parsed.data;
  const problems = Object.keys(grid).flatMap((key) => {
    const problem = configPathProblem(key);
    return problem === null ? [] : [`${path}: grid.${key}: ${problem}`];
  });
  if (seeds !== undefined && 'seed' in grid) problems.push(`${path}: grid.seed: also given as "seeds" — give the seeds once`);
  const { search, objective, until, problems: searchProblems } = checkSearchFields(path, parsed.data);
  problems.push(...searchProblems);
  if (problems.length > 0) throw new ConfigError(problems);
  const baseObject = typeof base === 'string' ? readJsonObject(resolve(dirname(path), base), `base config of ${path}`) : base;
  return {
    base: withoutSweepBlock(baseObject),
    grid,
    ...(seeds === undefined ? {} : { seeds }),
    parallel,
    notes: [],
    ...(search === undefined ? {} : { search }),
    ...(objective === undefined ? {} : { objective }),
    ...(until === undefined ? {} : { until }),
    ...(description === undefined ? {} : { description }),
  };
}

function fromConfigSweepBlock(path: string, raw: Record<string, unknown>): SweepDefinition {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.problems.map((p) => `${path}: ${p}`));
    throw error;
  }
  const block = raw.sweep;
  if (typeof block !== 'object' || block === null) {
    throw new ConfigError(`${path}: neither a sweep file (with "base" and "grid") nor a config with a "sweep" block — nothing to sweep`);
  }
  const legacy = structuredClone(block) as Record<string, unknown>;
  const notes = ['read as the original config layout: its "sweep" block gives the axes; fields it omits keep the config\'s value'];
  if (Array.isArray(legacy.r_scale_values)) {
    notes.push('sweep.r_scale_values sets training.r = trunc(scale * w), a label: points that differ only in r share every artifact');
  }
  return { base: withoutSweepBlock(raw), grid: {}, legacy, parallel: 1, notes };
}

function describeIssue(path: string, raw: Record<string, unknown>, issue: z.core.$ZodIssue): string[] {
  const field = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const known = field.length === 0 ? `a sweep file has ${SWEEP_FILE_KEYS}` : 'not a field of this object';
    return issue.keys.map((key) => `${path}: ${[...field, key].join('.')}: unknown key — ${known}`);
  }
  let value: unknown = raw;
  for (const key of field) value = (value as Record<string, unknown> | undefined)?.[key];
  const shown = value === undefined ? '(missing)' : JSON.stringify(value).slice(0, 60);
  return [`${path}: ${field.join('.') || '<root>'}: ${shown} — ${issue.message}`];
}

/** A point is a single experiment, so it carries no sweep block (and its hash does not either). */
function withoutSweepBlock(config: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(config);
  delete copy.sweep;
  return copy;
}

function readJsonObject(path: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `${path}: no such file (${what})` : `${path}: cannot be read (${code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${path}: ${JSON.stringify(value)?.slice(0, 40)} — a ${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
