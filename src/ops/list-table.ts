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

/** One row of the table, from a result folder or (with Temporal) a workflow run. */
export interface ListRow {
  experimentId: string;
  status: string;
  /** The sufficiency gate; null when not reported. */
  gatePassed: boolean | null;
  /** `graph:computed walks:failed` for a result folder, `active: train` for an open Temporal run. */
  stages: string;
  seconds: number | null;
  /** ISO time of the last change; null for an open Temporal run (it changes as you look). */
  updatedAt: string | null;
  /** Runs in the ledger; null when there is no result folder. */
  runs: number | null;
}

/** One row per folder, in the folders' order. */
export function listRows(folders: readonly ResultFolder[], ledgerRows: readonly LedgerRow[], now: number): string[][] {
  return folders.map(({ record }) => listCells(localListRow(record, ledgerRows), now));
}

/** A result folder's row; RUNS counts the ledger's run rows of the experiment. */
export function localListRow(record: RunRecord, ledgerRows: readonly LedgerRow[]): ListRow {
  return {
    experimentId: record.experiment_id,
    status: record.status,
    gatePassed: runMetrics(record).gatePassed,
    stages: record.stages.map((s) => `${s.name}:${s.status}`).join(' '),
    seconds: record.metadata?.seconds_total ?? null,
    updatedAt: record.updated_at,
    runs: ledgerRows.filter((r) => r.experiment_id === record.experiment_id && r.event === 'run').length,
  };
}

/** A row's cells under LIST_HEADER; an open Temporal run is updated `live`. */
export function listCells(row: ListRow, now: number): string[] {
  return [
    row.experimentId,
    row.status,
    gateWord(row.gatePassed),
    row.stages,
    row.seconds === null ? '' : formatDuration(row.seconds),
    row.updatedAt === null ? 'live' : `${formatAge(now - Date.parse(row.updatedAt))} ago`,
    row.runs === null ? '' : String(row.runs),
  ];
}

/** The GATE cell for a gate result: `passed`, `failed`, or `—` when there is none (also Temporal's `GatePassed`). */
export function gateWord(passed: boolean | null): string {
  return passed === null ? '—' : passed ? 'passed' : 'failed';
}
