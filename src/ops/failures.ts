/**
 * The runs the failures report covers: every run that ended without succeeding (failed, its
 * gate failed with `training.require_gate`, or interrupted), with its stage, error, attempts
 * and the last progress the stage recorded. Sources: the ledger's run rows (every attempt in
 * history, archived folders included), plus result folders that the ledger does not know
 * (runs from before the ledger existed). Rendering is failures-report.ts.
 */
import type { LedgerRow } from './ledger';
import type { ResultFolder } from './result-folders';
import type { RunRecord } from './run-record';

/** The run statuses the report covers, in the report's order. */
export const FAILURE_STATUSES = ['failed', 'gate_failed', 'interrupted'] as const;

/** Where a stage stood at its last progress report before it stopped. */
export interface LastProgress {
  /** Fraction done in [0, 1]. */
  fraction: number;
  /** The stage's details then (step, loss, ...). */
  details: Record<string, unknown>;
  /** When it was reported (ISO 8601), if recorded. */
  at: string | null;
}

/** One run that did not succeed. */
export interface Failure {
  time: string;
  experimentId: string;
  /** One of {@link FAILURE_STATUSES}. */
  status: string;
  stage: string;
  code: string;
  message: string;
  /** Attempts of the stage, when recorded. */
  attempts: number | null;
  /** The stage's last progress; null when it reported none (or finished, as a gate-failed train stage has). */
  progress: LastProgress | null;
}

/**
 * The runs with a status in `statuses` from the ledger and from the result folders it does not
 * know, newest first.
 */
export function collectFailures(rows: readonly LedgerRow[], folders: readonly ResultFolder[], statuses: ReadonlySet<string> = new Set(FAILURE_STATUSES)): Failure[] {
  const folderOf = new Map(folders.map(({ record }) => [runKey(record.experiment_id, record.updated_at), record]));
  const failures = rows.filter((row) => row.event === 'run' && statuses.has(row.status)).map((row) => fromLedgerRow(row, folderOf.get(runKey(row.experiment_id, row.time))));
  const known = new Set(failures.map((f) => runKey(f.experimentId, f.time)));
  for (const { record } of folders) {
    if (!statuses.has(record.status) || known.has(runKey(record.experiment_id, record.updated_at))) continue;
    const stage = record.stages.find((s) => s.name === record.error?.stage) ?? record.stages.find((s) => s.error);
    failures.push({
      time: record.updated_at,
      experimentId: record.experiment_id,
      status: record.status,
      stage: record.error?.stage ?? stage?.name ?? '(none)',
      code: record.error?.code ?? stage?.error?.code ?? '(unknown)',
      message: record.error?.message ?? stage?.error?.message ?? '',
      attempts: stage?.attempts ?? null,
      progress: lastProgress(stage?.progress),
    });
  }
  return failures.sort((a, b) => (a.time < b.time ? 1 : -1));
}

/** A run's identity in both sources: the ledger row's time is its result.json's `updated_at`. */
function runKey(experimentId: string, time: string): string {
  return `${experimentId}@${time}`;
}

/**
 * A failure from its ledger row. The ledger writes a message's line breaks as ` | `; while the
 * run's folder is still there, its result.json has the message as written, line breaks included.
 */
function fromLedgerRow(row: LedgerRow, folder: RunRecord | undefined): Failure {
  let stage: { attempts?: number; progress?: unknown } | undefined;
  try {
    stage = (JSON.parse(row.stages) as Record<string, typeof stage>)[row.error_stage];
  } catch {
    // A hand-edited stages cell: attempts and progress stay unknown.
  }
  return {
    time: row.time,
    experimentId: row.experiment_id,
    status: row.status,
    stage: row.error_stage || '(none)',
    code: row.error_code || '(unknown)',
    message: folder?.error?.message ?? row.error_message,
    attempts: stage?.attempts ?? null,
    progress: lastProgress(stage?.progress),
  };
}

/** A recorded progress entry (result.json's stage `progress`, or its copy in the ledger's stages cell). */
function lastProgress(entry: unknown): LastProgress | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const { fraction, details, at } = entry as { fraction?: unknown; details?: unknown; at?: unknown };
  if (typeof fraction !== 'number') return null;
  return {
    fraction,
    details: typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {},
    at: typeof at === 'string' ? at : null,
  };
}
