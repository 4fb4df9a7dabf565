/**
 * Figure 5, AUROC versus lookback as small multiples, one panel per rule length r. The
 * pre-registered primary metrics are thick, coloured and named in the legend; every other
 * metric is a thin translucent grey line, so a panel stays legible with hundreds of curves.
 * Dashed: the horizon threshold; dotted: chance (0.5).
 */
import {
  axisLabel,
  createFigure,
  drawAxes,
  drawLegend,
  FONT_SIZE,
  isFiniteValue,
  legendHeight,
  linePath,
  noDataFigure,
  panelNoData,
  plotGroup,
  serialize,
  horizontalRule,
  textWidth,
  type Figure,
  type LegendItem,
} from './frame';
import { categorical, ROLE } from './palette';
import type { AurocLookbackData, AurocPanel } from './types';

const KIND = 'auroc-lookback';
const PANEL = { width: 250, height: 190, gapX: 44, gapY: 78 };
const MARGIN = { left: 86, right: 24, bottom: 56 };
/** Primary curves get point markers up to this many lookbacks. */
const MAX_MARKED_LOOKBACKS = 16;

/** Panel columns for n panels: all in one row up to 4, else 3 (5–6 panels) or 4. */
export function panelColumns(n: number): number {
  if (n <= 4) return Math.max(1, n);
  return n <= 6 ? 3 : 4;
}

/** Renders the AUROC-versus-lookback small multiples as SVG; a "no data" figure when there are no panels. */
export function aurocLookbackFigure(data: AurocLookbackData): string {
  const title = data.title ?? 'AUROC of each metric versus lookback j, one panel per rule length r';
  if (data.panels.length === 0) return noDataFigure(title, 'no rule length r was analysed', KIND);

  const primaries = primaryStyles(data.panels);
  const otherCount = new Set(data.panels.flatMap((p) => p.curves.filter((c) => !c.primary).map((c) => c.metric))).size;
  const legend: LegendItem[] = [
    ...[...primaries].map(([metric, style]) => ({ label: metric, color: style.color, dash: style.dash, shape: 'line' as const, strokeWidth: 2.5, className: 'primary-entry' })),
    ...(otherCount > 0 ? [{ label: `${otherCount} other metrics`, color: ROLE.context, shape: 'line' as const, strokeWidth: 1.2 }] : []),
    { label: `threshold ${data.threshold}`, color: ROLE.threshold, dash: '7,4', shape: 'line' as const, strokeWidth: 1.5 },
    { label: 'chance 0.5', color: ROLE.chance, dash: '2,3', shape: 'line' as const, strokeWidth: 1.5 },
  ];

  const columns = panelColumns(data.panels.length);
  const rows = Math.ceil(data.panels.length / columns);
  const gridWidth = columns * PANEL.width + (columns - 1) * PANEL.gapX;
  const width = MARGIN.left + gridWidth + MARGIN.right;
  const top = 62 + 34;
  const gridHeight = rows * PANEL.height + (rows - 1) * PANEL.gapY;
  const legendTop = top + gridHeight + MARGIN.bottom;
  const height = legendTop + legendHeight(legend, gridWidth) + 16;
  const figure = createFigure(width, height, title, {
    kind: KIND,
    subtitle: 'thick coloured lines: pre-registered primary metrics; thin grey lines: all other metrics',
  });

  data.panels.forEach((panel, i) => {
    const left = MARGIN.left + (i % columns) * (PANEL.width + PANEL.gapX);
    const panelTop = top + Math.floor(i / columns) * (PANEL.height + PANEL.gapY);
    drawPanel(figure, panel, left, panelTop, data.threshold, primaries, i % columns === 0);
  });
  const labels = plotGroup(figure.svg, MARGIN.left, top, 'shared-labels');
  axisLabel(labels, 'x', 'Lookback j (steps before rule resolution)', gridWidth / 2, gridHeight + 42);
  axisLabel(labels, 'y', 'AUROC (violation vs control)', -58, gridHeight / 2);
  drawLegend(figure.svg, legend, MARGIN.left, legendTop + 10, gridWidth);
  return serialize(figure);
}

interface LineStyle {
  color: string;
  dash: string | null;
}

/** One colour (then dash) per primary metric, in order of first appearance, shared by all panels. */
function primaryStyles(panels: readonly AurocPanel[]): Map<string, LineStyle> {
  const styles = new Map<string, LineStyle>();
  for (const panel of panels) {
    for (const curve of panel.curves) {
      if (curve.primary && !styles.has(curve.metric)) styles.set(curve.metric, categorical(styles.size));
    }
  }
  return styles;
}

function drawPanel(
  figure: Figure,
  panel: AurocPanel,
  left: number,
  top: number,
  threshold: number,
  primaries: Map<string, LineStyle>,
  firstColumn: boolean,
): void {
  const { d3 } = figure;
  const g = plotGroup(figure.svg, left, top, 'panel').attr('data-r', panel.r);
  const heading = g
    .append('text')
    .attr('class', 'panel-title')
    .attr('y', -12)
    .attr('font-size', FONT_SIZE.panelTitle);
  heading.append('tspan').attr('font-weight', 'bold').text(`r = ${panel.r}`);
  if (panel.nViolations !== undefined && panel.nControls !== undefined) {
    const counts = `  ${panel.nViolations.toLocaleString('en-US')} violations / ${panel.nControls.toLocaleString('en-US')} controls`;
    // Shrink the counts to fit the panel (plus half the gap) so long counts never clip.
    const room = PANEL.width + PANEL.gapX / 2 - textWidth(`r = ${panel.r}`, FONT_SIZE.panelTitle * 1.05);
    const size = Math.max(9, Math.min(FONT_SIZE.annotation, room / textWidth(counts, 1)));
    heading.append('tspan').attr('font-size', size.toFixed(1)).attr('fill', ROLE.axis).text(counts);
  }
  const maxLookback = Math.max(1, ...panel.curves.map((c) => c.auroc.length));
  const hasData = panel.curves.some((c) => c.auroc.some(isFiniteValue));
  if (!hasData) {
    panelNoData(g, PANEL.width, PANEL.height, 'no AUROC values');
    return;
  }
  const x = d3
    .scaleLinear()
    .domain([0.5, maxLookback + 0.5])
    .range([0, PANEL.width]);
  const y = d3.scaleLinear().domain([0, 1]).range([PANEL.height, 0]);
  drawAxes(d3, g, { x, y, width: PANEL.width, height: PANEL.height, xLabel: '', yLabel: '', integerX: true, xTicks: 6, yTicks: 5 });
  if (!firstColumn) g.select('.y-axis').selectAll('text').attr('fill-opacity', 0.75);
  horizontalRule(g, { y: y(0.5), width: PANEL.width, color: ROLE.chance, dash: '2,3', label: '', className: 'chance' });
  horizontalRule(g, { y: y(threshold), width: PANEL.width, color: ROLE.threshold, dash: '7,4', label: '', className: 'threshold' });

  const lookbacks = (n: number) => Array.from({ length: n }, (_, j) => j + 1);
  // Shared stroke attributes on the group keep the SVG small with hundreds of curves.
  const context = g
    .append('g')
    .attr('class', 'context-curves')
    .attr('fill', 'none')
    .attr('stroke', ROLE.context)
    .attr('stroke-opacity', 0.45)
    .attr('stroke-width', 0.9);
  const emphasis = g.append('g').attr('class', 'primary-curves');
  const drawPoints = (parent: typeof g, auroc: readonly (number | null)[], color: string, radius: number, className: string) =>
    parent
      .append('g')
      .attr('class', className)
      .selectAll('circle')
      .data(auroc.map((v, j) => [j + 1, v] as const).filter((p) => isFiniteValue(p[1])))
      .join('circle')
      .attr('cx', (p) => x(p[0]))
      .attr('cy', (p) => y(p[1] as number))
      .attr('r', radius)
      .attr('fill', color);
  for (const curve of panel.curves.filter((c) => !c.primary)) {
    context
      .append('path')
      .attr('class', 'curve context')
      .attr('data-metric', curve.metric)
      .attr('d', linePath(d3, lookbacks(curve.auroc.length), curve.auroc, x, y) ?? '');
    if (maxLookback === 1) drawPoints(context, curve.auroc, ROLE.context, 2, 'context-points');
  }
  for (const curve of panel.curves.filter((c) => c.primary)) {
    const style = primaries.get(curve.metric) as LineStyle;
    const path = emphasis
      .append('path')
      .attr('class', 'curve primary')
      .attr('data-metric', curve.metric)
      .attr('d', linePath(d3, lookbacks(curve.auroc.length), curve.auroc, x, y) ?? '')
      .attr('fill', 'none')
      .attr('stroke', style.color)
      .attr('stroke-width', 2.5);
    if (style.dash) path.attr('stroke-dasharray', style.dash);
    if (maxLookback <= MAX_MARKED_LOOKBACKS) drawPoints(emphasis, curve.auroc, style.color, 3, 'primary-points');
  }
  g.append('text')
    .attr('class', 'threshold-label')
    .attr('x', PANEL.width - 3)
    .attr('y', y(threshold) - 4)
    .attr('text-anchor', 'end')
    .attr('font-size', FONT_SIZE.annotation - 1)
    .attr('fill', ROLE.threshold)
    .attr('paint-order', 'stroke')
    .attr('stroke', ROLE.background)
    .attr('stroke-width', 3)
    .text(String(threshold));
}
