/**
 * `npm run sweep -- <sweep.json> [--parallel N] [--dry-run] [--skip-preflight]`: expands a sweep (a sweep file
 * or a config with the original `sweep` block), validates every point, then either plans it
 * (hits, and stage runs shared between points) or runs it with at most N points at once.
 * A sweep with an objective (a random or halving search, or a grid with `objective`) prints
 * its budget plan, runs rung by rung and writes a leaderboard (`runSearch` below).
 * Exit codes: 0 every point succeeded, 1 a point failed, 2 invalid sweep (nothing run),
 * 130 interrupted.
 */
import { parseArgs } from 'node:util';
import { ConfigError, ExitCode } from '../errors';
import { FingerprintCache } from '../pipeline/plan';
import { formatDuration } from '../pipeline/progress';
import { expandSweep, formatCoordinates, type SweepPoint } from '../ops/sweep-expand';
import { loadSweep } from '../ops/sweep-load';
import { formatFate, planSweep, tallySweep } from '../ops/sweep-plan';
import { tallyLines } from '../ops/sweep-plan-tally';
import { runSweep, type PointOutcome } from '../ops/sweep-run';
import type { PointPlan } from '../ops/sweep-plan';
import type { SearchRung } from '../ops/search-run';
import type { SweepSpec } from '../ops/sweep-spec';
import { formatTable } from '../ops/text-table';
import { interruptOnSignals } from './interrupt';
import { isMainModule } from './is-main';
import { runCli } from './main';
import { PROJECT_ROOT } from './setup';

const USAGE = 'usage: npm run sweep -- <sweep.json> [--parallel N] [--dry-run] [--skip-preflight]';

interface SweepArgs {
  path: string;
  parallel: number | null;
  dryRun: boolean;
  skipPreflight: boolean;
}

/** Runs the sweep command line `argv` and returns the exit code. */
export async function sweepCommand(argv: readonly string[]): Promise<number> {
  const args = parseSweepArgs(argv);
  const spec = loadSweep(args.path);
  if (spec.objective !== undefined) return searchCommand(spec, args);
  const points = expandSweep(spec);
  const parallel = args.parallel ?? spec.parallel;
  headerLines(spec, points, parallel).forEach((line) => console.log(line));
  const { FileArtifactStore, resolveStoreRoot } = await import('../artifacts/artifact-store-impl');
  const store = await FileArtifactStore.open(resolveStoreRoot(PROJECT_ROOT));
  const { STAGE_IMPLEMENTATIONS } = await import('../stages/index');
  if (args.dryRun) {
    const plans = await planSweep(points, store, STAGE_IMPLEMENTATIONS, new FingerprintCache(PROJECT_ROOT), spec.until);
    console.log(planTable(pointHeader(spec), plans, (plan) => pointCells(plan.point)));
    tallyLines(tallySweep(plans)).forEach((line) => console.log(line));
    console.log('[dry-run] nothing was computed or written.');
    return ExitCode.success;
  }
  const { resolveResultsRoot } = await import('../ops/paths');
  // One pre-flight for the whole grid, before any point starts (src/ops/sweep-preflight.ts).
  if (!args.skipPreflight) await (await import('../ops/sweep-preflight')).preflightSweep({ points, store, implementations: STAGE_IMPLEMENTATIONS, fingerprints: new FingerprintCache(PROJECT_ROOT), parallel, resultsRoot: resolveResultsRoot(), until: spec.until, write: (line) => console.log(line) });
  const outcomes = await runSweep({
    points,
    source: spec.source,
    parallel,
    store,
    resultsRoot: resolveResultsRoot(),
    projectRoot: PROJECT_ROOT,
    implementations: STAGE_IMPLEMENTATIONS,
    write: (line) => console.log(line),
    signal: interruptSignal(),
    ...(spec.until === undefined ? {} : { until: spec.until }),
  });
  summaryLines(spec, outcomes).forEach((line) => console.log(line));
  if (outcomes.some((o) => o.status === 'interrupted' || o.status === 'not started')) return ExitCode.interrupted;
  return outcomes.every((o) => o.status === 'succeeded') ? ExitCode.success : ExitCode.runFailed;
}

/**
 * A search: the trials and budget plan, then either the dry run (each rung planned against the
 * store; a rung whose every trial is cached gives its objectives, so later rungs are planned
 * too) or the run, rung by rung, ending with the leaderboard and the report page.
 */
async function searchCommand(spec: SweepSpec, args: SweepArgs): Promise<number> {
  const { searchLayout, runSearchRungs } = await import('../ops/search-run');
  const report = await import('../ops/search-report');
  const layout = searchLayout(spec);
  const parallel = args.parallel ?? spec.parallel;
  report.searchHeaderLines(layout, parallel).forEach((line) => console.log(line));
  console.log(report.trialTable(layout));
  report.budgetPlanLines(layout).forEach((line) => console.log(line));
  const { FileArtifactStore, resolveStoreRoot } = await import('../artifacts/artifact-store-impl');
  const store = await FileArtifactStore.open(resolveStoreRoot(PROJECT_ROOT));
  const { STAGE_IMPLEMENTATIONS } = await import('../stages/index');
  const { resolveResultsRoot } = await import('../ops/paths');
  const resultsRoot = resolveResultsRoot();
  const { planExecutor, sweepExecutor } = await import('../ops/search-executors');
  if (args.dryRun) {
    const fingerprints = new FingerprintCache(PROJECT_ROOT);
    const onPlanned = (rung: SearchRung, plans: PointPlan[]) =>
      rungPlanLines(rung, layout.rungs[rung.index - 1]?.budget ?? null, plans).forEach((line) => console.log(line));
    const outcome = await runSearchRungs(layout, planExecutor({ store, resultsRoot, implementations: STAGE_IMPLEMENTATIONS, fingerprints, until: spec.until, onPlanned }));
    if (outcome.stopped !== null) console.log(`Not planned yet: ${outcome.stopped}`);
    else if (outcome.runs.every((run) => run.status === 'cached')) report.searchSummaryLines(outcome).forEach((line) => console.log(line));
    console.log('[dry-run] nothing was computed or written.');
    return ExitCode.success;
  }
  const outcome = await runSearchRungs(
    layout,
    sweepExecutor({
      source: spec.source,
      parallel,
      store,
      resultsRoot,
      projectRoot: PROJECT_ROOT,
      implementations: STAGE_IMPLEMENTATIONS,
      write: (line) => console.log(line),
      signal: interruptSignal(),
      ...(spec.until === undefined ? {} : { until: spec.until }),
    }),
  );
  report.searchSummaryLines(outcome).forEach((line) => console.log(line));
  const written = report.writeSearchReport(report.searchDir(resultsRoot, spec.source), outcome);
  console.log(`Leaderboard: ${written[0]}`);
  console.log(`Report:      ${written[2]}`);
  if (outcome.runs.some((run) => run.status === 'interrupted' || run.status === 'not started')) return ExitCode.interrupted;
  return outcome.runs.every((run) => run.status === 'succeeded') ? ExitCode.success : ExitCode.runFailed;
}

/**
 * The dry-run lines of one rung: its plan table, the stage tallies and the training steps to
 * compute (a promoted trial continues from `previous`, the budget of the rung before).
 */
function rungPlanLines(rung: SearchRung, previousBudget: number | null, plans: readonly PointPlan[]): string[] {
  const halving = rung.budget !== null;
  const previous = previousBudget ?? 0;
  const steps = plans.reduce((total, plan) => {
    const fate = plan.stages.get('train');
    return fate === undefined || fate.kind !== 'compute' ? total : total + plan.point.config.training.max_steps - previous;
  }, 0);
  const trainHits = plans.filter((plan) => plan.stages.get('train')?.kind === 'hit').length;
  const title = halving ? `Rung ${rung.index} (training.max_steps ${rung.budget}): ${plans.length} trial(s)` : `Trials: ${plans.length}`;
  return [
    '',
    title,
    planTable(['TRIAL', 'EXPERIMENT'], plans, (plan) => [String(plan.point.index), plan.point.experimentId]),
    ...tallyLines(tallySweep(plans)),
    `  training steps to compute: ${steps} (${trainHits} train cache hit(s)${halving && rung.index > 0 ? `; promoted trials continue from step ${previous}` : ''})`,
  ];
}

/** A table of points (the cells `lead` gives) and the fate of each of their stages. */
function planTable(header: readonly string[], plans: readonly PointPlan[], lead: (plan: PointPlan) => string[]): string {
  const stageNames = [...(plans[0]?.stages.keys() ?? [])];
  const rows = plans.map((plan) => [...lead(plan), ...stageNames.map((name) => formatFate(plan.stages.get(name)!))]);
  return formatTable([...header, ...stageNames], rows);
}

/** Aborted on the first SIGINT/SIGTERM (running points stop cleanly); a second exits at once. */
function interruptSignal(): AbortSignal {
  return interruptOnSignals({
    onInterrupt: () => console.log('Interrupt: stopping the running points cleanly; points not started are skipped (press again to exit at once).'),
  }).signal;
}

function parseSweepArgs(argv: readonly string[]): SweepArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { parallel: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, 'skip-preflight': { type: 'boolean', default: false } },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new ConfigError(`expected exactly one sweep file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}\n${USAGE}`);
  let parallel: number | null = null;
  if (values.parallel !== undefined) {
    parallel = Number(values.parallel);
    if (!Number.isInteger(parallel) || parallel < 1) throw new ConfigError(`--parallel: ${JSON.stringify(values.parallel)} — must be an integer >= 1`);
  }
  return { path: positionals[0], parallel, dryRun: values['dry-run'] ?? false, skipPreflight: values['skip-preflight'] ?? false };
}

function headerLines(spec: SweepSpec, points: readonly SweepPoint[], parallel: number): string[] {
  const shape = spec.axes.length === 0 ? 'the base config only' : spec.axes.map((a) => `${a.values.length} (${a.name})`).join(' x ');
  const lines = [`Sweep ${spec.source}: ${points.length} point(s) = ${shape}; ${parallel} at once`];
  lines.push(...spec.notes.map((note) => `Note: ${note}`));
  for (const point of points) lines.push(...point.warnings.map((w) => `Warning: point ${point.index} (${formatCoordinates(point.coordinates)}): ${w}`));
  return lines;
}

function pointHeader(spec: SweepSpec): string[] {
  return ['#', 'EXPERIMENT', ...spec.axes.map((axis) => axis.name)];
}

function pointCells(point: SweepPoint): string[] {
  return [String(point.index), point.experimentId, ...point.coordinates.map((c) => JSON.stringify(c.value))];
}

function summaryLines(spec: SweepSpec, outcomes: readonly PointOutcome[]): string[] {
  const rows = outcomes.map((o) => [
    ...pointCells(o.point),
    o.status,
    o.status === 'not started' ? '' : formatDuration(o.seconds),
    `${o.computed}/${o.reused}`,
    o.error ?? '',
  ]);
  const count = (status: PointOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  return [
    '',
    formatTable([...pointHeader(spec), 'STATUS', 'TIME', 'COMPUTED/REUSED', 'ERROR'], rows),
    `Sweep: ${count('succeeded')} succeeded, ${count('failed')} failed, ${count('interrupted')} interrupted, ${count('not started')} not started`,
  ];
}

if (isMainModule(import.meta.url)) runCli(() => sweepCommand(process.argv.slice(2)));
