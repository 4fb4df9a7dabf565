/**
 * Where the operations commands keep things. Every location follows the runner's rule for
 * the results folder (`DCSBM_RESULTS`, default `results/` in the working directory), so
 * pointing that variable at a temporary folder isolates a test or a study completely.
 */
import { dirname, join, resolve } from 'node:path';

/** The results folder: `DCSBM_RESULTS`, default `<cwd>/results` (as `openSession`). */
export function resolveResultsRoot(): string {
  const fromEnv = process.env.DCSBM_RESULTS;
  return resolve(fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(process.cwd(), 'results'));
}

/** The run ledger: `<results>/ledger.csv`. */
export function ledgerPath(resultsRoot: string): string {
  return join(resultsRoot, 'ledger.csv');
}

/** Archived result folders: `results-archive/` beside the results folder. */
export function archiveRoot(resultsRoot: string): string {
  return join(dirname(resultsRoot), 'results-archive');
}

/** Promoted configs: `<cwd>/configs/promoted/` (the project's configs folder when run from its root). */
export function promotedRoot(): string {
  return resolve(process.cwd(), 'configs', 'promoted');
}
