/**
 * The ledger as Parquet, for pandas / polars / DuckDB users: the numeric columns
 * (`duration_s`, the metrics) as float64 with nulls where the ledger cell is empty,
 * `gate_passed` as a nullable bool, everything else as strings. The JSON cells (`stages`,
 * `artifact_digests`, `best_horizon_by_primary_metric`) stay JSON text: their keys differ from
 * run to run (stages run, primary metrics reported), so one struct type would not fit them
 * all; `json.loads` or polars' `str.json_decode` reads them. The horizons are null where a run
 * reported none.
 */
import type { Column } from '../artifacts/parquet';
import { LEDGER_COLUMNS, type LedgerColumn, type LedgerRow } from './ledger';

const FLOAT_COLUMNS: ReadonlySet<LedgerColumn> = new Set(['duration_s', 'final_loss', 'edge_compliance', 'rule_compliance', 'best_horizon']);

/** Writes `rows` to `path` as Parquet. */
export async function writeLedgerParquet(path: string, rows: readonly LedgerRow[]): Promise<void> {
  const { writeParquet } = await import('../artifacts/parquet');
  await writeParquet(path, LEDGER_COLUMNS.map((name) => ledgerColumn(name, rows)));
}

function ledgerColumn(name: LedgerColumn, rows: readonly LedgerRow[]): Column {
  const valid = Uint8Array.from(rows, (row) => (row[name] === '' ? 0 : 1));
  if (FLOAT_COLUMNS.has(name)) {
    return { name, type: 'float64', data: Float64Array.from(rows, (row) => (row[name] === '' ? 0 : Number(row[name]))), valid };
  }
  if (name === 'gate_passed') return { name, type: 'bool', data: Uint8Array.from(rows, (row) => (row[name] === 'true' ? 1 : 0)), valid };
  // Null, not '', where no run reported horizons: '' is not JSON.
  if (name === 'best_horizon_by_primary_metric') return { name, type: 'string', data: rows.map((row) => row[name]), valid };
  return { name, type: 'string', data: rows.map((row) => row[name]) };
}
