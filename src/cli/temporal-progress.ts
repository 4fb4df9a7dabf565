/**
 * The stage table that `status` and `watch` print: the workflow's `progress` query merged
 * with the live heartbeat details of pending activities, which only the server knows.
 */
import type { StageHeartbeat } from '../activities/contract';
import { formatDuration } from '../pipeline/progress';
import { stageOfActivityId } from '../workflows/activity-options';
import type { ProgressView, StageRow } from '../workflows/definitions';

/** What the server reports about a running activity (from `describe()`). */
export interface PendingActivity {
  activityId: string;
  attempt: number;
  heartbeat: StageHeartbeat | null;
  lastFailure: string | null;
}

/** Rows with the live attempt and heartbeat of pending activities filled in. */
export function mergePending(view: ProgressView, pending: readonly PendingActivity[]): ProgressView {
  const stages = view.stages.map((row): StageRow => {
    const live = pending.find((activity) => activity.activityId === row.activityId && stageOfActivityId(activity.activityId) === row.name);
    if (live === undefined) return row;
    return { ...row, attempts: row.attempts + live.attempt, lastHeartbeat: live.heartbeat ?? row.lastHeartbeat, error: live.lastFailure === null ? row.error : { code: 'RETRYING', message: live.lastFailure } };
  });
  return { ...view, stages };
}

/** The table as lines: a header, one line per stage, and the error if any. */
export function renderProgress(view: ProgressView, now: Date = new Date()): string[] {
  const lines = [`Experiment ${view.experimentId}: ${view.status.toUpperCase()} (started ${view.startedAt})`];
  lines.push(`  ${'stage'.padEnd(10)} ${'queue'.padEnd(5)} ${'status'.padEnd(21)} ${'att'.padStart(3)} ${'time'.padStart(8)}  detail`);
  for (const row of view.stages) lines.push(`  ${row.name.padEnd(10)} ${row.queue.padEnd(5)} ${row.status.padEnd(21)} ${String(row.attempts).padStart(3)} ${elapsed(row, now).padStart(8)}  ${detail(row)}`);
  if (view.error !== null) lines.push(`  error: ${view.error.stage ?? '(experiment)'} ${view.error.code}: ${view.error.message}`);
  if (view.status === 'waiting-for-operator') lines.push(`  waiting for an operator: resume <id> [--stage S] retries, abort <id> stops.`);
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
  if (row.status === 'running' && row.lastHeartbeat !== null) {
    const extra = Object.entries(row.lastHeartbeat.details).map(([key, value]) => `${key}=${value}`).join(' ');
    return `${(row.lastHeartbeat.fraction * 100).toFixed(1)}% ${extra}`.trim();
  }
  if (row.cache !== null) return row.cache === 'hit' ? 'cache hit' : `computed${row.reasons.length > 0 ? ` (${row.reasons[0]})` : ''}`;
  return '';
}
