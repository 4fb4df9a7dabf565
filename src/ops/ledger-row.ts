/**
 * Building ledger rows from result documents: what a finished run or a promotion records.
 */
import { hostname } from 'node:os';
import { LedgerEvent, type LedgerRow } from './ledger';
import { horizonsCell } from './ledger-horizons';
import { runMetrics } from './run-metrics';
import type { RunRecord } from './run-record';

/** The row recording the finished run described by `record` (its final result.json). */
export function ledgerRowForRun(record: RunRecord): LedgerRow {
  const metrics = runMetrics(record);
  const failedStage = record.stages.find((stage) => stage.error !== null && stage.error !== undefined);
  return {
    time: record.updated_at,
    event: LedgerEvent.run,
    experiment_id: record.experiment_id,
    config_hash: record.config_hash,
    status: record.status,
    duration_s: numberText(record.metadata?.seconds_total ?? null, 3),
    stages: JSON.stringify(Object.fromEntries(record.stages.map((stage) => [stage.name, stageDetails(stage)]))),
    final_loss: numberText(metrics.finalLoss),
    edge_compliance: numberText(metrics.edgeCompliance),
    rule_compliance: numberText(metrics.ruleCompliance),
    best_horizon: numberText(metrics.bestHorizon),
    best_horizon_by_primary_metric: horizonsCell(record),
    gate_passed: metrics.gatePassed === null ? '' : String(metrics.gatePassed),
    error_stage: record.error?.stage ?? failedStage?.name ?? '',
    error_code: record.error?.code ?? failedStage?.error?.code ?? '',
    error_message: record.error?.message ?? failedStage?.error?.message ?? '',
    artifact_digests: JSON.stringify(Object.fromEntries(record.stages.filter((s) => s.digest).map((s) => [s.name, s.digest]))),
    git_commit: record.metadata?.git_commit ?? '',
    host: record.metadata?.host ?? '',
    execution_provider: metrics.executionProvider ?? '',
    note: '',
  };
}

/**
 * The row recording that `record`'s config was promoted to `target`. It repeats the run's
 * metrics, but not its duration: the run's own row has it, and a total of `duration_s` over
 * the ledger must count each run once.
 */
export function ledgerRowForPromotion(record: RunRecord, target: string): LedgerRow {
  return {
    ...ledgerRowForRun(record),
    time: new Date().toISOString(),
    event: LedgerEvent.promote,
    duration_s: '',
    host: hostname(),
    note: `promoted to ${target}`,
  };
}

/**
 * A stage's entry in the `stages` cell. A failed or interrupted stage's last progress entry
 * comes along (how far it got, for `experiments failures` after its folder is archived).
 */
function stageDetails(stage: RunRecord['stages'][number]): Record<string, unknown> {
  const details: Record<string, unknown> = { status: stage.status, cache: stage.cache ?? null, seconds: roundOrNull(stage.seconds ?? null), attempts: stage.attempts ?? 0 };
  if (stage.progress != null) details.progress = stage.progress;
  return details;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}

function numberText(value: number | null, digits?: number): string {
  if (value === null) return '';
  return digits === undefined ? String(value) : String(Math.round(value * 10 ** digits) / 10 ** digits);
}
