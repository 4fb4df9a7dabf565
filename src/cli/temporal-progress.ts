/**
 * The stage table that `status` and `watch` print: the workflow's `progress` query (which
 * carries each running stage's latest progress signal) with, where the server has a fresher
 * one, the heartbeat of the pending activity and its last failure.
 */
import type { StageHeartbeat } from '../activities/contract';
import { formatDuration } from '../pipeline/progress';
import { stageOfActivityId } from '../workflows/activity-ids';
import type { ProgressView, StageRow } from '../workflows/definitions';

/** What the server reports about a running activity (from `describe()`). */
export interface PendingActivity {
  activityId: string;
  attempt: number;
  heartbeat: StageHeartbeat | null;
  lastFailure: string | null;
}

/** Rows with the live attempt, the newer heartbeat and the last failure of pending activities filled in. */
export function mergePending(view: ProgressView, pending: readonly PendingActivity[]): ProgressView {
  const stages = view.stages.map((row): StageRow => {
    const live = pending.find((activity) => activity.activityId === row.activityId && stageOfActivityId(activity.activityId) === row.name);
    if (live === undefined) return row;
    return {
      ...row,
      currentAttempt: live.attempt,
      lastHeartbeat: newer(row.lastHeartbeat, live.heartbeat),
      error: live.lastFailure === null ? row.error : { code: 'RETRYING', message: live.lastFailure },
    };
  });
  return { ...view, stages };
}

/** Attempts of a stage so far: those of ended rounds plus the running one's. */
export function attemptsSoFar(row: StageRow): number {
  return row.attempts + (row.status === 'running' ? (row.currentAttempt ?? 1) : 0);
}

/** One line of a running stage's progress: `42.0% step=120 loss=2.31`, or '' without a heartbeat. */
export function progressDetail(row: StageRow): string {
  if (row.lastHeartbeat === null) return '';
  const extra = Object.entries(row.lastHeartbeat.details).map(([key, value]) => `${key}=${value}`).join(' ');
  return `${(row.lastHeartbeat.fraction * 100).toFixed(1)}% ${extra}`.trim();
}

function newer(a: StageHeartbeat | null, b: StageHeartbeat | null): StageHeartbeat | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.at >= a.at ? b : a;
}

/** The table as lines: a header, one line per stage, and the error if any. */
export function renderProgress(view: ProgressView, now: Date = new Date()): string[] {
  const lines = [`Experiment ${view.experimentId}: ${view.status.toUpperCase()} (started ${view.startedAt})`];
  lines.push(`  ${'stage'.padEnd(10)} ${'queue'.padEnd(5)} ${'status'.padEnd(21)} ${'att'.padStart(3)} ${'time'.padStart(8)}  detail`);
  for (const row of view.stages) lines.push(`  ${row.name.padEnd(10)} ${row.queue.padEnd(5)} ${row.status.padEnd(21)} ${String(attemptsSoFar(row)).padStart(3)} ${elapsed(row, now).padStart(8)}  ${detail(row)}`);
  if (view.error !== null) lines.push(`  error: ${view.error.stage ?? '(experiment)'} ${view.error.code}: ${view.error.message}`);
  if (view.status === 'waiting-for-operator') lines.push(`  waiting for an operator: npm run temporal -- resume ${view.experimentId} [--stage S] retries it, npm run temporal -- abort ${view.experimentId} stops.`);
  if (view.resultDir !== null) lines.push(`  results: ${view.resultDir}`);
  return lines;
}

function elapsed(row: StageRow, now: Date): string {
  if (row.seconds !== null) return formatDuration(row.seconds);
  if (row.status === 'running' && row.startedAt !== null) return formatDuration((now.getTime() - Date.parse(row.startedAt)) / 1000);
  return '-';
}

function detail(row: StageRow): string {
  if (row.error !== null && row.status !== 'computed' && row.status !== 'reused') return `${row.error.code}: ${row.error.message.split('\n')[0]}`;
  if (row.status === 'running' && row.lastHeartbeat !== null) return progressDetail(row);
  if (row.cache !== null) return row.cache === 'hit' ? 'cache hit' : `computed${row.reasons.length > 0 ? ` (${row.reasons[0]})` : ''}`;
  return '';
}
