/**
 * The table `npm run watch` draws: running experiments first, then the most recent others,
 * from the result.json files the runner rewrites on every change of state.
 */
import { formatDuration } from '../pipeline/progress';
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

/** `graph:reused 0.1s`, `walks:running #2` (attempt 2). */
function stageCell(stage: StageEntry): string {
  const attempts = stage.status === 'running' && (stage.attempts ?? 0) > 1 ? ` #${stage.attempts}` : '';
  const seconds = stage.seconds == null ? '' : ` ${formatDuration(stage.seconds)}`;
  return `${stage.name}:${stage.status}${attempts}${seconds}`;
}
