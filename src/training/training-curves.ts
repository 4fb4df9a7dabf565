/**
 * The training curves an artifact carries, as Parquet:
 * - `training_curves.parquet`: one row per optimizer step (step 1-based, loss, lr);
 * - `gate_history.parquet`: one row per gate evaluation (step, edge and rule compliance with
 *   their check counts, rule compliance for r <= w and r > w, passed);
 * - `gate_compliance_by_r.parquet`: one row per (gate evaluation, r), long format so the set
 *   of r values needs no column names of its own. Compliance is null where there were no checks.
 */
import { writeParquet, type Column } from '../artifacts/parquet';
import type { Ratio } from './compliance';
import type { GateResult } from './gate';

export const TRAINING_CURVES_FILE = 'training_curves.parquet';
export const GATE_HISTORY_FILE = 'gate_history.parquet';
export const GATE_BY_R_FILE = 'gate_compliance_by_r.parquet';

/** Writes the per-step loss and learning-rate curve. */
export async function writeTrainingCurves(path: string, losses: readonly number[], learningRates: readonly number[]): Promise<void> {
  await writeParquet(path, [
    { name: 'step', type: 'int32', data: Int32Array.from(losses, (_, i) => i + 1) },
    { name: 'loss', type: 'float64', data: Float64Array.from(losses) },
    { name: 'lr', type: 'float64', data: Float64Array.from(learningRates) },
  ]);
}

/** Writes one row per gate evaluation. */
export async function writeGateHistory(path: string, gates: readonly GateResult[]): Promise<void> {
  await writeParquet(path, [
    { name: 'step', type: 'int32', data: Int32Array.from(gates, (g) => g.step) },
    { name: 'edge_compliance', type: 'float64', data: Float64Array.from(gates, (g) => g.edgeCompliance) },
    { name: 'edge_pairs', type: 'int64', data: BigInt64Array.from(gates, (g) => BigInt(g.edgePairs)) },
    { name: 'rule_compliance', type: 'float64', data: Float64Array.from(gates, (g) => g.ruleCompliance) },
    { name: 'rule_checks', type: 'int64', data: BigInt64Array.from(gates, (g) => BigInt(g.rules.overall.checks)) },
    ratioColumn('rule_compliance_within_context', gates.map((g) => g.rules.withinContext)),
    ratioColumn('rule_compliance_beyond_context', gates.map((g) => g.rules.beyondContext)),
    { name: 'passed', type: 'bool', data: Uint8Array.from(gates, (g) => (g.passed ? 1 : 0)) },
  ]);
}

/** Writes one row per (gate evaluation, r value). */
export async function writeGateComplianceByR(path: string, gates: readonly GateResult[]): Promise<void> {
  const rows = gates.flatMap((gate) => gate.rules.byR.map((entry) => ({ step: gate.step, ...entry })));
  await writeParquet(path, [
    { name: 'step', type: 'int32', data: Int32Array.from(rows, (row) => row.step) },
    { name: 'r', type: 'int32', data: Int32Array.from(rows, (row) => row.r) },
    { name: 'beyond_context', type: 'bool', data: Uint8Array.from(rows, (row) => (row.beyondContext ? 1 : 0)) },
    { name: 'checks', type: 'int64', data: BigInt64Array.from(rows, (row) => BigInt(row.checks)) },
    ratioColumn('compliance', rows),
  ]);
}

function ratioColumn(name: string, ratios: readonly Ratio[]): Column {
  return {
    name,
    type: 'float64',
    data: Float64Array.from(ratios, (r) => r.compliance ?? 0),
    valid: Uint8Array.from(ratios, (r) => (r.compliance === null ? 0 : 1)),
  };
}
