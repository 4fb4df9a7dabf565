/**
 * Figure 2, edge validity x rule outcome: a 2 x 3 table of step counts (rows edge valid /
 * invalid, columns rule followed / violated / not applicable), each cell with its count and
 * its share of all steps, shaded on a square-root scale so the small cells stay visible.
 */
import { createFigure, FONT_SIZE, axisLabel, formatValue, isFiniteValue, noDataFigure, plotGroup, serialize, textWidth } from './frame';
import { ROLE, SEQUENTIAL_STOPS, textColorOn } from './palette';
import type { ConfusionMatrixData, RuleOutcomeCounts } from './types';

const KIND = 'confusion-matrix';

const ROWS = [
  { key: 'edgeValid', label: 'edge valid' },
  { key: 'edgeInvalid', label: 'edge invalid' },
] as const;
const COLUMNS = [
  { key: 'followed', label: 'rule followed' },
  { key: 'violated', label: 'rule violated' },
  { key: 'notApplicable', label: 'no rule resolved' },
] as const satisfies readonly { key: keyof RuleOutcomeCounts; label: string }[];

/** Renders the edge x rule confusion matrix as SVG; a "no data" figure when every count is 0 or missing. */
export function confusionMatrixFigure(data: ConfusionMatrixData): string {
  const title = data.title ?? 'Edge validity × rule outcome of generated steps';
  const counts = ROWS.map((row) => COLUMNS.map((col) => data[row.key][col.key]));
  const total = counts.flat().reduce((sum, v) => sum + (isFiniteValue(v) && v > 0 ? v : 0), 0);
  if (total === 0) return noDataFigure(title, 'no generated steps were counted', KIND);

  const cell = { width: 178, height: 92 };
  const margin = { top: 118, left: 210, right: 170, bottom: 56 };
  const width = margin.left + COLUMNS.length * cell.width + margin.right;
  const height = margin.top + ROWS.length * cell.height + margin.bottom;
  const figure = createFigure(width, height, title, {
    kind: KIND,
    subtitle: `${total.toLocaleString('en-US')} steps; each cell: count and share of all steps`,
  });
  const { d3 } = figure;
  const maxCount = Math.max(...counts.flat().filter(isFiniteValue));
  const color = d3.scaleSequentialSqrt(d3.interpolateRgbBasis([...SEQUENTIAL_STOPS])).domain([0, Math.max(1, maxCount)]);
  const g = plotGroup(figure.svg, margin.left, margin.top, 'plot matrix');

  COLUMNS.forEach((col, c) => {
    g.append('text')
      .attr('class', 'column-label')
      .attr('x', (c + 0.5) * cell.width)
      .attr('y', -10)
      .attr('text-anchor', 'middle')
      .attr('font-size', FONT_SIZE.axisLabel)
      .text(col.label);
  });
  axisLabel(g, 'x', 'Rule outcome at the step', (COLUMNS.length * cell.width) / 2, -36);
  ROWS.forEach((row, r) => {
    g.append('text')
      .attr('class', 'row-label')
      .attr('x', -12)
      .attr('y', (r + 0.5) * cell.height)
      .attr('dy', '0.35em')
      .attr('text-anchor', 'end')
      .attr('font-size', FONT_SIZE.axisLabel)
      .text(row.label);
  });
  const rowLabelWidth = Math.max(...ROWS.map((r) => textWidth(r.label, FONT_SIZE.axisLabel)));
  axisLabel(g, 'y', 'Edge (step is a graph edge)', -rowLabelWidth - 34, (ROWS.length * cell.height) / 2, FONT_SIZE.annotation);

  counts.forEach((row, r) => {
    row.forEach((count, c) => {
      const finite = isFiniteValue(count);
      const fill = finite ? color(Math.max(0, count)) : ROLE.missing;
      const cg = g.append('g').attr('class', 'cell').attr('transform', `translate(${c * cell.width},${r * cell.height})`);
      cg.append('rect').attr('width', cell.width).attr('height', cell.height).attr('fill', fill).attr('stroke', ROLE.background).attr('stroke-width', 2);
      const ink = textColorOn(fill);
      cg.append('text')
        .attr('class', 'cell-count')
        .attr('x', cell.width / 2)
        .attr('y', cell.height / 2 - 6)
        .attr('text-anchor', 'middle')
        .attr('font-size', 16)
        .attr('font-weight', 'bold')
        .attr('fill', ink)
        .text(finite ? formatValue(count) : 'n/a');
      cg.append('text')
        .attr('class', 'cell-share')
        .attr('x', cell.width / 2)
        .attr('y', cell.height / 2 + 16)
        .attr('text-anchor', 'middle')
        .attr('font-size', FONT_SIZE.annotation)
        .attr('fill', ink)
        .text(finite ? formatShare(count / total) : '');
    });
    const rowTotal = row.reduce((s, v) => s + (isFiniteValue(v) ? v : 0), 0);
    g.append('text')
      .attr('class', 'row-total')
      .attr('x', COLUMNS.length * cell.width + 12)
      .attr('y', (r + 0.5) * cell.height)
      .attr('dy', '0.35em')
      .attr('font-size', FONT_SIZE.annotation)
      .attr('fill', ROLE.axis)
      .text(`Σ ${rowTotal.toLocaleString('en-US')} (${formatShare(rowTotal / total)})`);
  });
  COLUMNS.forEach((_, c) => {
    const colTotal = counts.reduce((s, row) => s + (isFiniteValue(row[c]) ? row[c] : 0), 0);
    g.append('text')
      .attr('class', 'column-total')
      .attr('x', (c + 0.5) * cell.width)
      .attr('y', ROWS.length * cell.height + 22)
      .attr('text-anchor', 'middle')
      .attr('font-size', FONT_SIZE.annotation)
      .attr('fill', ROLE.axis)
      .text(`Σ ${colTotal.toLocaleString('en-US')} (${formatShare(colTotal / total)})`);
  });
  return serialize(figure);
}

/** Share as a percentage with enough digits to tell small cells apart from zero. */
function formatShare(share: number): string {
  const pct = share * 100;
  if (pct === 0) return '0%';
  if (pct < 0.01) return '<0.01%';
  return `${pct.toFixed(pct < 1 ? 2 : 1)}%`;
}
