/**
 * Writes `results/<experiment-id>/report.html` at the end of a run, for both runners: the
 * result document plus the figures artifact's SVGs, rendered by src/report (docs/design.md,
 * "The report": not a cached stage, because it states this run's facts).
 */
import { join } from 'node:path';
import type { Manifest } from '../artifacts/artifact-store';
import { writeFileAtomic } from '../artifacts/atomic-write';
import { readFigures } from '../report/figure-index';
import { renderReport, type ReportFigure } from '../report/render-report';
import type { ResultDocument } from './result-schema';

export const REPORT_FILE = 'report.html';

/** The figures of the published figures artifact, in report order; none when it is absent. */
export async function readReportFigures(published: ReadonlyMap<string, Manifest>, storeDirOf: (m: Manifest) => string): Promise<ReportFigure[]> {
  const manifest = published.get('figures');
  if (manifest === undefined) return [];
  return readFigures(storeDirOf(manifest));
}

/** Renders and atomically writes report.html into `resultDir`; returns its path. */
export function writeReport(resultDir: string, document: ResultDocument, figures: ReportFigure[]): string {
  const path = join(resultDir, REPORT_FILE);
  const html = renderReport({
    result: document,
    figures,
    reproduction: {
      command: `npm run experiment -- results/${document.experiment_id}/config.json`,
      gitCommit: document.metadata.git_commit,
      configHash: document.config_hash,
    },
  });
  writeFileAtomic(path, html);
  return path;
}
