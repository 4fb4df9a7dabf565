/**
 * Archiving result folders: each selected `results/<id>/` moves to `results-archive/<id>/`
 * with an `ARCHIVED.json` note (when, why, from where). Only the results folder moves: the
 * store's artifacts are never touched (the Parquet files in a result folder are hard links
 * or copies, so moving or removing them leaves the store intact).
 */
import { existsSync, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../artifacts/atomic-write';
import type { ResultFolder } from './result-folders';

/** Which folders to archive. Running experiments are never selected (their runner still writes there). */
export interface ArchiveFilter {
  statuses: ReadonlySet<string> | null;
  /** Archive only folders last updated more than this many milliseconds ago. */
  olderThanMs: number | null;
  now: number;
}

/** One folder the archive moved (or would move, in a dry run). */
export interface ArchiveMove {
  id: string;
  status: string;
  from: string;
  to: string;
}

/** The folders `filter` selects. */
export function selectForArchive(folders: readonly ResultFolder[], filter: ArchiveFilter): ResultFolder[] {
  return folders.filter(({ record }) => {
    if (record.status === 'running') return false;
    if (filter.statuses !== null && !filter.statuses.has(record.status)) return false;
    if (filter.olderThanMs !== null && !(filter.now - Date.parse(record.updated_at) > filter.olderThanMs)) return false;
    return true;
  });
}

/** Moves `folders` under `archiveRoot` (nothing is moved when `dryRun`). */
export async function archiveFolders(folders: readonly ResultFolder[], archiveRoot: string, reason: string, dryRun: boolean): Promise<ArchiveMove[]> {
  const moves: ArchiveMove[] = [];
  for (const { dir, record } of folders) {
    const to = freeTarget(join(archiveRoot, basename(dir)));
    moves.push({ id: record.experiment_id, status: record.status, from: dir, to });
    if (dryRun) continue;
    await fs.mkdir(archiveRoot, { recursive: true });
    await moveDir(dir, to);
    const note = { archived_at: new Date().toISOString(), archived_from: dir, host: hostname(), reason, status: record.status, updated_at: record.updated_at };
    writeFileAtomic(join(to, 'ARCHIVED.json'), `${JSON.stringify(note, null, 2)}\n`);
  }
  return moves;
}

/** `path`, or `path.2`, `path.3`... when an earlier archive of the same id is there. */
function freeTarget(path: string): string {
  if (!existsSync(path)) return path;
  for (let i = 2; ; i++) if (!existsSync(`${path}.${i}`)) return `${path}.${i}`;
}

async function moveDir(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // Another filesystem: copy, then remove the original (only the results folder's own entries).
    await fs.cp(from, to, { recursive: true, preserveTimestamps: true });
    await fs.rm(from, { recursive: true });
  }
}
