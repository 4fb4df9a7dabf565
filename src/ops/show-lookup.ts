/**
 * Finding the folder `experiments show` describes: the result folder, else an archived one
 * (`results-archive/`, where `archive` moved it), so an experiment stays inspectable after it
 * was archived. A live folder wins over archived copies; among several archived copies of one
 * experiment (`<id>`, `<id>.2`) the most recently updated is shown.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors';
import { archiveRoot } from './paths';
import { matchExperiment, scanResults, type ResultFolder } from './result-folders';

/** The folder found, and its archive note when it is an archived copy. */
export interface LocatedExperiment extends ResultFolder {
  /** `ARCHIVED.json`'s `archived_at` and `reason` (null for a live folder). */
  archived: { at: string; reason: string } | null;
}

/**
 * The folder of experiment `id` (or of the only experiment whose id starts with it).
 * @throws InputError when neither folder has a match, or a prefix matches several experiments.
 */
export function locateExperiment(resultsRoot: string, id: string): LocatedExperiment {
  const live = matchExperiment(scanResults(resultsRoot).folders, id, 'experiments');
  if (live !== null) return { ...live, archived: null };
  const archive = archiveRoot(resultsRoot);
  const folder = matchExperiment(scanResults(archive).folders, id, `archived experiments in ${archive}`);
  if (folder === null) throw new InputError(`experiment ${JSON.stringify(id)}: no result folder in ${resultsRoot} or ${archive} has that id or prefix`);
  return { ...folder, archived: archiveNote(folder.dir) };
}

function archiveNote(dir: string): { at: string; reason: string } {
  const path = join(dir, 'ARCHIVED.json');
  try {
    const note = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { archived_at?: unknown; reason?: unknown }) : {};
    return { at: typeof note.archived_at === 'string' ? note.archived_at : '?', reason: typeof note.reason === 'string' ? note.reason : '?' };
  } catch {
    return { at: '?', reason: `unreadable ${path}` };
  }
}
