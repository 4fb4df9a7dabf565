/**
 * The tables `npm run watch` draws: local experiments (running first, then the most recent
 * others) from the result.json files the runner rewrites on every change of state, and,
 * with a Temporal server, its open experiment runs with their live stage table (the
 * workflow's `progress` query) and the most recent closed ones.
 */
import { attemptsSoFar, progressDetail } from '../cli/temporal-progress';
import type { TemporalWatchRun } from '../cli/temporal-visibility';
import { formatDuration } from '../pipeline/progress';
import type { StageRow } from '../workflows/definitions';
import { formatAge } from './duration';
import type { ResultScan } from './result-folders';
import type { StageEntry } from './run-record';
import { formatTable } from './text-table';

/** Options of {@link watchSnapshot}. */
export interface WatchOptions {
  /** Finished experiments shown below the running ones. @default 10 */
  recent: number;
  now: number;
}

/** The snapshot as text: a title line and the table. */
export function watchSnapshot(scan: ResultScan, resultsRoot: string, options: WatchOptions): string {
  const running = scan.folders.filter((f) => f.record.status === 'running');
  const recent = scan.folders.filter((f) => f.record.status !== 'running').slice(0, options.recent);
  const rows = [...running, ...recent].map(({ record }) => {
    const elapsed = record.status === 'running' ? (options.now - Date.parse(record.started_at)) / 1000 : (record.metadata?.seconds_total ?? 0);
    return [record.experiment_id, record.status, currentStage(record.stages), record.stages.map(stageCell).join('  '), formatDuration(Math.max(0, elapsed)), `${formatAge(options.now - Date.parse(record.updated_at))} ago`];
  });
  const title = `${new Date(options.now).toISOString()}  ${resultsRoot}: ${running.length} running, ${recent.length} recent`;
  const table = rows.length === 0 ? '(no experiments yet)' : formatTable(['EXPERIMENT', 'STATUS', 'STAGE', 'STAGES', 'ELAPSED', 'UPDATED'], rows);
  const problems = scan.problems.map((p) => `unreadable: ${p.path}: ${p.problem}`);
  return [title, table, ...problems].join('\n');
}

/** The stage in progress, else the failed one, else the last one that finished. */
function currentStage(stages: readonly StageEntry[]): string {
  const active = stages.find((s) => s.status === 'running') ?? stages.find((s) => s.status === 'failed' || s.status === 'interrupted');
  if (active !== undefined) return active.name;
  const done = stages.filter((s) => s.status === 'computed' || s.status === 'reused');
  return done.length === 0 ? '-' : done[done.length - 1].name;
}

/** `graph:reused 0.1s`, `walks:running #2` (attempt 2), `train:running 42.0% ETA 1h20m`. */
function stageCell(stage: StageEntry): string {
  const running = stage.status === 'running';
  const attempts = running && (stage.attempts ?? 0) > 1 ? ` #${stage.attempts}` : '';
  const seconds = stage.seconds == null ? '' : ` ${formatDuration(stage.seconds)}`;
  return `${stage.name}:${stage.status}${attempts}${seconds}${running ? progressText(stage.progress) : ''}`;
}

/** ` 42.0% ETA 1h20m` from a running stage's recorded progress; empty before its first report. */
function progressText(progress: StageEntry['progress']): string {
  if (progress == null) return '';
  const eta = progress.eta_seconds == null ? '' : ` ETA ${formatDuration(progress.eta_seconds)}`;
  return ` ${(progress.fraction * 100).toFixed(1)}%${eta}`;
}

/** What the Temporal section shows: the runs read, or why none could be read. */
export interface TemporalWatchInput {
  address: string;
  /** Null when the server could not be read (`problem` says why). */
  runs: readonly TemporalWatchRun[] | null;
  problem: string | null;
  now: number;
}

/**
 * The Temporal section as text: a title line, then one row per open run (stage cells and
 * the running stages' latest progress details from the `progress` query) and per recent
 * closed run; or the one line saying the server was not reachable.
 */
export function temporalWatchSection(input: TemporalWatchInput): string {
  if (input.runs === null) return input.problem ?? `Temporal ${input.address}: nothing read`;
  const open = input.runs.filter((run) => run.experiment.open);
  const closed = input.runs.filter((run) => !run.experiment.open);
  const rows = [...open, ...closed].map(({ experiment, progress, problem }) => {
    const stages = progress?.stages ?? [];
    const active = stages.filter((row) => row.status === 'running' || row.status === 'waiting-for-operator').map((row) => row.name);
    const end = experiment.closedAt === null ? input.now : Date.parse(experiment.closedAt);
    const live = stages
      .filter((row) => row.status === 'running' && row.lastHeartbeat !== null)
      .map((row) => `${row.name} ${progressDetail(row)}`)
      .join('; ');
    return [
      experiment.experimentId,
      progress?.status ?? experiment.status,
      (active.length > 0 ? active : experiment.stages).join(',') || '-',
      stages.map(temporalStageCell).join('  '),
      formatDuration(Math.max(0, (end - Date.parse(experiment.startedAt)) / 1000)),
      problem ?? live,
    ];
  });
  const title = `Temporal ${input.address}: ${open.length} running, ${closed.length} recent`;
  const table = rows.length === 0 ? '(no experiment workflows)' : formatTable(['EXPERIMENT', 'STATUS', 'STAGE', 'STAGES', 'ELAPSED', 'PROGRESS'], rows);
  return [title, table, ...(input.problem === null ? [] : [input.problem])].join('\n');
}

/** `graph:reused 0.1s`, `train:running #2` (attempt 2), `walks:waiting-for-operator`. */
function temporalStageCell(row: StageRow): string {
  const attempts = attemptsSoFar(row);
  const retry = row.status === 'running' && attempts > 1 ? ` #${attempts}` : '';
  const seconds = row.seconds === null ? '' : ` ${formatDuration(row.seconds)}`;
  return `${row.name}:${row.status}${retry}${seconds}`;
}
