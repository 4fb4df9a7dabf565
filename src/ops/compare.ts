/**
 * `experiments compare`: the comparison report of two or more finished experiments, read from
 * their result folders (result.json, validated; the figures artifact named in it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../artifacts/atomic-write';
import { InputError } from '../errors';
import { resultSchema, type ResultDocument } from '../pipeline/result-schema';
import { renderComparison } from '../report/compare-report';
import { FIGURES_INDEX_FILE, readFigures } from '../report/figure-index';
import type { ReportFigure } from '../report/report-types';
import { findResult } from './result-folders';

/** The validated result document of a result folder. */
export function readResultDocument(dir: string): ResultDocument {
  const path = join(dir, 'result.json');
  const parsed = resultSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${path}: not a result document of this version (${issue.path.join('.')}: ${issue.message})`);
  }
  return parsed.data;
}

/** The figures of a run, from the figures artifact its result.json names; none when absent. */
export function readRunFigures(document: ResultDocument): ReportFigure[] {
  const dir = document.stages.find((stage) => stage.name === 'figures')?.artifact_dir;
  if (dir == null || !existsSync(join(dir, FIGURES_INDEX_FILE))) return [];
  return readFigures(dir);
}

/** Writes the comparison of experiments `ids` (ids or unique prefixes) and returns its path. */
export function writeComparison(resultsRoot: string, ids: readonly string[], out?: string): string {
  if (ids.length < 2) throw new InputError(`compare: give at least two experiment ids, got ${ids.length}`);
  const documents = ids.map((id) => readResultDocument(findResult(resultsRoot, id).dir));
  const html = renderComparison(documents.map((result) => ({ result, figures: readRunFigures(result) })));
  const path = out ?? join(resultsRoot, 'comparisons', `${documents.map((d) => d.experiment_id).join('__vs__')}.html`);
  writeFileAtomic(path, html);
  return path;
}
