/**
 * `npm run sweep -- <sweep.json> [--parallel N] [--dry-run]`: expands a sweep (a sweep file
 * or a config with the original `sweep` block), validates every point, then either plans it
 * (hits, and stage runs shared between points) or runs it with at most N points at once.
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
import { runSweep, type PointOutcome } from '../ops/sweep-run';
import type { SweepSpec } from '../ops/sweep-spec';
import { formatTable } from '../ops/text-table';
import { isMainModule } from './is-main';
import { runCli } from './main';
import { PROJECT_ROOT } from './setup';

const USAGE = 'usage: npm run sweep -- <sweep.json> [--parallel N] [--dry-run]';

interface SweepArgs {
  path: string;
  parallel: number | null;
  dryRun: boolean;
}

/** Runs the sweep command line `argv` and returns the exit code. */
export async function sweepCommand(argv: readonly string[]): Promise<number> {
  const args = parseSweepArgs(argv);
  const spec = loadSweep(args.path);
  const points = expandSweep(spec);
  const parallel = args.parallel ?? spec.parallel;
  headerLines(spec, points, parallel).forEach((line) => console.log(line));
  const { FileArtifactStore, resolveStoreRoot } = await import('../artifacts/artifact-store-impl');
  const store = await FileArtifactStore.open(resolveStoreRoot(PROJECT_ROOT));
  const { STAGE_IMPLEMENTATIONS } = await import('../stages/index');
  if (args.dryRun) {
    const plans = await planSweep(points, store, STAGE_IMPLEMENTATIONS, new FingerprintCache(PROJECT_ROOT));
    const stageNames = [...(plans[0]?.stages.keys() ?? [])];
    const rows = plans.map((plan) => [...pointCells(plan.point), ...stageNames.map((name) => formatFate(plan.stages.get(name)!))]);
    console.log(formatTable([...pointHeader(spec), ...stageNames], rows));
    tallyLines(tallySweep(plans)).forEach((line) => console.log(line));
    console.log('[dry-run] nothing was computed or written.');
    return ExitCode.success;
  }
  const { resolveResultsRoot } = await import('../ops/paths');
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    console.log('Interrupt: stopping the running points cleanly; points not started are skipped (press again to exit at once).');
    controller.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const outcomes = await runSweep({
    points,
    parallel,
    store,
    resultsRoot: resolveResultsRoot(),
    projectRoot: PROJECT_ROOT,
    implementations: STAGE_IMPLEMENTATIONS,
    write: (line) => console.log(line),
    signal: controller.signal,
  });
  summaryLines(spec, outcomes).forEach((line) => console.log(line));
  if (outcomes.some((o) => o.status === 'interrupted' || o.status === 'not started')) return ExitCode.interrupted;
  return outcomes.every((o) => o.status === 'succeeded') ? ExitCode.success : ExitCode.runFailed;
}

function parseSweepArgs(argv: readonly string[]): SweepArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { parallel: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
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
  return { path: positionals[0], parallel, dryRun: values['dry-run'] ?? false };
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

function tallyLines(tallies: ReturnType<typeof tallySweep>): string[] {
  const sum = (key: 'runs' | 'hits' | 'compute' | 'shared') => tallies.reduce((total, t) => total + t[key], 0);
  return [
    `Stage runs: ${sum('runs')} in total: ${sum('hits')} cache hit(s), ${sum('compute')} to compute, ${sum('shared')} shared with an earlier point of this sweep`,
    ...tallies.map((t) => `  ${t.stage.padEnd(6)} ${t.runs} runs: ${t.hits} hit(s), ${t.compute} to compute, ${t.shared} shared`),
  ];
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
