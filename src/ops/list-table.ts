/**
 * The table `experiments list` prints for local result folders. Its GATE column is there
 * because a run whose sufficiency gate failed still has status `succeeded` when
 * `training.require_gate` is off (the gate is a result, not a failure), so the status alone
 * does not say which runs can be promoted.
 */
import { formatDuration } from '../pipeline/progress';
import { formatAge } from './duration';
import type { LedgerRow } from './ledger';
import type { ResultFolder } from './result-folders';
import { runMetrics } from './run-metrics';
import type { RunRecord } from './run-record';

export const LIST_HEADER = ['EXPERIMENT', 'STATUS', 'GATE', 'STAGES', 'TIME', 'UPDATED', 'RUNS'] as const;

/** One row per folder, in the folders' order; RUNS counts the ledger's run rows of the experiment. */
export function listRows(folders: readonly ResultFolder[], ledgerRows: readonly LedgerRow[], now: number): string[][] {
  return folders.map(({ record }) => [
    record.experiment_id,
    record.status,
    gateText(record),
    record.stages.map((s) => `${s.name}:${s.status}`).join(' '),
    record.metadata?.seconds_total === undefined ? '' : formatDuration(record.metadata.seconds_total),
    `${formatAge(now - Date.parse(record.updated_at))} ago`,
    String(ledgerRows.filter((r) => r.experiment_id === record.experiment_id && r.event === 'run').length),
  ]);
}

/** `passed`, `failed`, or `—` when the run reports no gate (no train stage result). */
export function gateText(record: RunRecord): string {
  return gateWord(runMetrics(record).gatePassed);
}

/** The GATE cell for a gate result: `passed`, `failed`, or `—` when there is none (also Temporal's `GatePassed`). */
export function gateWord(passed: boolean | null): string {
  return passed === null ? '—' : passed ? 'passed' : 'failed';
}
