/**
 * The one call a runner makes after a run finishes: append its ledger row. Recording is
 * best effort by design: a run's result is already in result.json, so a ledger that cannot
 * be written yields a warning for the caller to print, never a failed run.
 */
import { ledgerPath } from './paths';
import { appendLedgerRow } from './ledger';
import { ledgerRowForRun } from './ledger-row';
import { isUnreadable, parseRunRecord } from './run-record';

/**
 * Appends the ledger row of the finished run whose final result document is `result`.
 * @returns null on success, otherwise a warning naming the ledger file and the problem.
 */
export async function recordFinishedRun(resultsRoot: string, result: unknown): Promise<string | null> {
  const path = ledgerPath(resultsRoot);
  const record = parseRunRecord(result, 'result.json');
  if (isUnreadable(record)) return `not recorded in ${path}: the result document is unexpected (${record.problem})`;
  try {
    await appendLedgerRow(path, ledgerRowForRun(record));
    return null;
  } catch (error) {
    return `not recorded in ${path}: ${(error as Error).message}`;
  }
}
