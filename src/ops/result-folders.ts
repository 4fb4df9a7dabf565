/**
 * The experiments in a results folder: every `<results>/<id>/result.json`, read leniently.
 * Files beside the folders (the ledger, failures.md) are not experiments and are skipped.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors';
import { isUnreadable, readRunRecord, type RunRecord, type UnreadableRecord } from './run-record';

/** An experiment's folder and its result document. */
export interface ResultFolder {
  dir: string;
  record: RunRecord;
}

/** What a scan found: readable folders (newest update first) and unreadable result files. */
export interface ResultScan {
  folders: ResultFolder[];
  problems: UnreadableRecord[];
}

/** Scans `resultsRoot`; a missing folder is empty. */
export function scanResults(resultsRoot: string): ResultScan {
  if (!existsSync(resultsRoot)) return { folders: [], problems: [] };
  const folders: ResultFolder[] = [];
  const problems: UnreadableRecord[] = [];
  for (const entry of readdirSync(resultsRoot, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(resultsRoot, entry.name);
    const path = join(dir, 'result.json');
    if (!existsSync(path)) continue;
    const record = readRunRecord(path);
    if (isUnreadable(record)) problems.push(record);
    else folders.push({ dir, record });
  }
  folders.sort((a, b) => (a.record.updated_at < b.record.updated_at ? 1 : a.record.updated_at > b.record.updated_at ? -1 : 0));
  return { folders, problems };
}

/**
 * The folder of experiment `id` (or of the only id starting with it).
 * @throws InputError when no folder or several folders match.
 */
export function findResult(resultsRoot: string, id: string): ResultFolder {
  const found = matchExperiment(scanResults(resultsRoot).folders, id, 'experiments');
  if (found === null) throw new InputError(`experiment ${JSON.stringify(id)}: no result folder in ${resultsRoot} has that id or prefix`);
  return found;
}

/**
 * The folder of experiment `id` among `folders` (newest first, as scanResults gives them), or of
 * the only experiment whose id starts with it; the newest copy when an experiment has several
 * (an archive may). Null when none matches.
 * @throws InputError when the prefix matches several experiments (`kind` names them in the message).
 */
export function matchExperiment(folders: readonly ResultFolder[], id: string, kind: string): ResultFolder | null {
  const exact = folders.find((f) => f.record.experiment_id === id);
  if (exact !== undefined) return exact;
  const matches = folders.filter((f) => f.record.experiment_id.startsWith(id));
  const ids = [...new Set(matches.map((m) => m.record.experiment_id))];
  if (ids.length > 1) throw new InputError(`experiment ${JSON.stringify(id)}: the prefix matches ${ids.length} ${kind} (${ids.join(', ')}); give more of the id`);
  return matches[0] ?? null;
}

/** The statuses a result.json can hold, for validating `--status` filters. */
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'gate_failed', 'interrupted'] as const;
