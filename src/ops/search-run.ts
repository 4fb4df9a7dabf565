/**
 * Running a search: the trials of a random search (or the points of a grid with an
 * objective) as one rung, or successive halving rung by rung: every trial at the smallest
 * budget, then the best 1/eta by the objective at the next budget, and so on. Each run is an
 * ordinary experiment through the sweep runner (ledger row, result folder, shared cache), so
 * a search that is run again finds its completed trials as cache hits and makes the same
 * decisions; a promoted trial's train stage continues from its previous rung's final state
 * (budget extension, docs/training.md).
 *
 * The rung loop is written once over a `RungExecutor`: `runSweep` for a real run, the store's
 * plan and the existing result folders for a dry run.
 */
import { compareObjectives, readObjective } from './search-objective';
import { halvingRungs, type Rung } from './search-budget';
import type { SearchObjective } from './search-spec';
import { prepareSearch, trialPoints, type Trial } from './search-trials';
import { expandSweep, type SweepPoint } from './sweep-expand';
import type { PointOutcome } from './sweep-run';
import type { SweepSpec } from './sweep-spec';
import type { ResultDocument } from '../pipeline/result-schema';

/** A rung of a search; a random search or grid has one rung whose budget is each trial's own max_steps (null). */
export interface SearchRung extends Omit<Rung, 'budget'> {
  budget: number | null;
}

/** What happened to one trial in one rung. */
export interface TrialRun {
  trial: Trial;
  rung: number;
  point: SweepPoint;
  /** `cached`: a dry run found every stage in the store; `to run`: a dry run would compute something. */
  status: PointOutcome['status'] | 'cached' | 'to run';
  objective: number | null;
  /** Why the objective is missing. */
  note: string | null;
  /**
   * The train stage: its steps, the step it continued from (budget extension), the steps its
   * artifact cost (steps - continued from, whenever it was computed) and the steps trained by
   * this session (0 for a cache hit).
   */
  train: { steps: number | null; continuedFrom: number | null; cost: number; trained: number } | null;
  seconds: number;
}

/** A search's experiments and how they are chosen. */
export interface SearchLayout {
  spec: SweepSpec;
  objective: SearchObjective;
  trials: Trial[];
  rungs: SearchRung[];
  notes: string[];
  /** The experiments of `trials` in `rung`. */
  pointsFor(trials: readonly Trial[], rung: SearchRung): SweepPoint[];
}

/** Runs (or plans) the points of one rung. */
export type RungExecutor = (rung: SearchRung, points: SweepPoint[]) => Promise<TrialRunResult[]>;

/** An executor's account of one point, in point order. */
export interface TrialRunResult {
  status: TrialRun['status'];
  /** The point's result.json, when there is one to read the objective from. */
  result: ResultDocument | null;
  seconds: number;
}

/** The outcome of a search. */
export interface SearchOutcome {
  layout: SearchLayout;
  runs: TrialRun[];
  /** Why the rung loop stopped before the last rung (interrupted, no objective, unknown in a dry run), or null. */
  stopped: string | null;
}

/**
 * The layout of a sweep with an objective: a random or halving search's sampled trials, or a
 * grid's points as trials (one rung).
 * @throws ConfigError for invalid trials (every trial is validated at every budget).
 */
export function searchLayout(spec: SweepSpec): SearchLayout {
  const objective = spec.objective!;
  const search = spec.search;
  if (search === undefined) {
    const points = expandSweep(spec);
    const byIndex = new Map(points.map((point) => [point.index, point]));
    const trials = points.map((point) => ({ index: point.index, values: Object.fromEntries(point.coordinates.map((c) => [c.axis, c.value])) }));
    return { spec, objective, trials, notes: [], rungs: [{ index: 0, budget: null, trials: trials.length }], pointsFor: (chosen) => chosen.map((t) => byIndex.get(t.index)!) };
  }
  const { trials, notes } = prepareSearch(spec);
  const rungs: SearchRung[] = search.strategy === 'halving' ? halvingRungs(trials.length, search.halving!) : [{ index: 0, budget: null, trials: trials.length }];
  return { spec, objective, trials, notes, rungs, pointsFor: (chosen, rung) => trialPoints(spec, chosen, rung.budget) };
}

/** Runs the rung loop of `layout` with `execute`. */
export async function runSearchRungs(layout: SearchLayout, execute: RungExecutor): Promise<SearchOutcome> {
  const runs: TrialRun[] = [];
  let survivors = layout.trials;
  for (const rung of layout.rungs) {
    const points = layout.pointsFor(survivors, rung);
    const results = await execute(rung, points);
    const rungRuns = points.map((point, i) => trialRun(layout.objective, survivors[i], rung, point, results[i]));
    runs.push(...rungRuns);
    const next = layout.rungs[rung.index + 1];
    if (next === undefined) return { layout, runs, stopped: null };
    const unfinished = rungRuns.filter((run) => run.status === 'interrupted' || run.status === 'not started' || run.status === 'to run');
    if (unfinished.length > 0) {
      const why = unfinished.some((run) => run.status === 'to run') ? `decided by the objectives of rung ${rung.index}, not all computed yet` : 'the search was interrupted';
      return { layout, runs, stopped: `rung ${rung.index + 1} and later: ${why}` };
    }
    const ranked = rankRuns(rungRuns, layout.objective).filter((run) => run.objective !== null);
    if (ranked.length === 0) return { layout, runs, stopped: `rung ${rung.index + 1} and later: no trial of rung ${rung.index} has an objective` };
    survivors = ranked.slice(0, next.trials).map((run) => run.trial);
    // Promoted trials run in trial order (their order does not change any result).
    survivors = [...survivors].sort((a, b) => a.index - b.index);
  }
  return { layout, runs, stopped: null };
}

function trialRun(objective: SearchObjective, trial: Trial, rung: SearchRung, point: SweepPoint, result: TrialRunResult): TrialRun {
  const read = result.result === null ? { problem: result.status === 'to run' ? 'not computed yet' : 'no result.json' } : readObjective(result.result, objective.path);
  const failed = result.status === 'failed' || result.status === 'gate_failed' || result.status === 'interrupted' || result.status === 'not started';
  const value = 'value' in read && !failed ? read.value : null;
  const note = value !== null ? null : failed ? result.status : 'problem' in read ? read.problem : null;
  return { trial, rung: rung.index, point, status: result.status, objective: value, note, train: trainAccount(result.result), seconds: result.seconds };
}

/** The train stage's steps and their cost (see `TrialRun.train`). */
function trainAccount(result: ResultDocument | null): TrialRun['train'] {
  const record = result?.stages.find((stage) => stage.name === 'train');
  if (record === undefined || record.summary === null) return null;
  const number = (key: string) => (typeof record.summary?.[key] === 'number' ? (record.summary[key] as number) : null);
  const steps = number('steps');
  const continuedFrom = number('continued_from_step');
  const cost = steps === null ? 0 : steps - (continuedFrom ?? 0);
  // After a crash, this session trained only the steps since its own checkpoint.
  const trained = record.status === 'computed' && steps !== null ? steps - (number('resumed_from_step') ?? continuedFrom ?? 0) : 0;
  return { steps, continuedFrom, cost, trained };
}

/** `runs` best first by objective (no objective last), then by trial index. */
export function rankRuns(runs: readonly TrialRun[], objective: SearchObjective): TrialRun[] {
  return [...runs].sort((a, b) => compareObjectives(a.objective, b.objective, objective.direction) || a.trial.index - b.trial.index);
}

/** One trial's place in the search. */
export interface Standing {
  rank: number;
  trial: Trial;
  /** Its run in the highest rung it reached. */
  last: TrialRun;
  /** Its run per rung (null where it did not run). */
  byRung: (TrialRun | null)[];
}

/** Trials ranked: the highest rung reached first, then the objective there, then trial index. */
export function standings(outcome: SearchOutcome): Standing[] {
  const { layout, runs } = outcome;
  const byTrial = new Map<number, (TrialRun | null)[]>();
  for (const run of runs) {
    const row = byTrial.get(run.trial.index) ?? layout.rungs.map(() => null);
    row[run.rung] = run;
    byTrial.set(run.trial.index, row);
  }
  const entries = [...byTrial.values()].map((byRung) => ({ byRung, last: byRung.filter((run): run is TrialRun => run !== null).at(-1)! }));
  entries.sort((a, b) => b.last.rung - a.last.rung || compareObjectives(a.last.objective, b.last.objective, layout.objective.direction) || a.last.trial.index - b.last.trial.index);
  return entries.map((entry, i) => ({ rank: i + 1, trial: entry.last.trial, last: entry.last, byRung: entry.byRung }));
}

/** Training steps of the search's train artifacts (measured from their summaries), and how many this session trained. */
export function trainedSteps(runs: readonly TrialRun[]): { cost: number; now: number } {
  return {
    cost: runs.reduce((total, run) => total + (run.train?.cost ?? 0), 0),
    now: runs.reduce((total, run) => total + (run.train?.trained ?? 0), 0),
  };
}
