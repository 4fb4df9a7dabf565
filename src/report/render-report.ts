/**
 * The single-experiment HTML report (`results/<id>/report.html`): one self-contained file with
 * inline CSS and inline SVG figures, rendered from result.json through `templates/report.mustache`.
 */
import { buildReportView } from './report-model';
import type { ReportInput } from './report-types';
import { renderTemplate } from './templates';

export type { ReportFigure, ReportInput, ReproductionFacts } from './report-types';

/**
 * Renders the report of one experiment. Every text from the document is HTML-escaped; the
 * figures' SVG is trusted and inlined as is (ids scoped per figure). Sections whose data is
 * absent say why in one sentence.
 */
export function renderReport(input: ReportInput): string {
  return renderTemplate('report', buildReportView(input));
}
