/**
 * The comparison report (`npm run experiments -- compare <id> <id> ...`): one self-contained HTML
 * file comparing experiments side by side, rendered through `templates/compare.mustache`.
 */
import { buildComparisonView } from './compare-model';
import type { ComparisonInput } from './report-types';
import { renderTemplate } from './templates';

export type { ComparisonInput } from './report-types';

/**
 * Renders the comparison of two or more experiments (labelled A, B, ... in the given order):
 * config differences with the cells that differ from A marked, a scalar table, the primary
 * horizon per (metric, r) and the figures of the same name side by side. Throws RangeError for
 * fewer than two experiments.
 */
export function renderComparison(inputs: ReadonlyArray<ComparisonInput>): string {
  return renderTemplate('compare', buildComparisonView(inputs));
}
