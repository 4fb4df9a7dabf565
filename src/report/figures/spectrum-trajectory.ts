/**
 * Figure 7, spectrum trajectory: singular values (or any metric) of one target over the
 * generation steps of one sequence, with the violation step (and the jumper encounter, when
 * known) marked.
 */
import {
  createFigure,
  drawAxes,
  drawLegend,
  finiteValues,
  legendHeight,
  linePath,
  noDataFigure,
  paddedExtent,
  plotGroup,
  requireSameLength,
  serialize,
  verticalRule,
  type LegendItem,
} from './frame';
import { CATEGORICAL, DASHES, ROLE } from './palette';
import type { SpectrumTrajectoryData } from './types';

const KIND = 'spectrum-trajectory';
const WIDTH = 860;
const PLOT_HEIGHT = 300;

/** Series colours: the categorical order without the violation colour (it marks the violation). */
const SERIES_COLORS = CATEGORICAL.filter((c) => c !== ROLE.violation);

/** Renders the spectrum trajectory as SVG. Throws RangeError when a series' length differs from `steps`. */
export function spectrumTrajectoryFigure(data: SpectrumTrajectoryData): string {
  data.series.forEach((s, i) => requireSameLength(KIND, { steps: data.steps, [`series[${i}].values`]: s.values }));
  const title = data.title ?? `Spectrum of ${data.target} over generation steps, sequence ${data.sequence}`;
  const all = data.series.flatMap((s) => finiteValues(s.values));
  if (data.steps.length === 0 || all.length === 0) return noDataFigure(title, 'no finite values in any series', KIND);

  const styles = data.series.map((_, i) => ({
    color: SERIES_COLORS[i % SERIES_COLORS.length],
    dash: DASHES[Math.floor(i / SERIES_COLORS.length) % DASHES.length],
  }));
  const legend: LegendItem[] = data.series.map((s, i) => ({ label: s.label, color: styles[i].color, dash: styles[i].dash, shape: 'line', strokeWidth: 2 }));
  const margin = { top: 98, right: 28, bottom: 84, left: 92 };
  const width = WIDTH - margin.left - margin.right;
  const height = margin.top + PLOT_HEIGHT + margin.bottom + legendHeight(legend, width) + 10;
  const figure = createFigure(WIDTH, height, title, { kind: KIND });
  const { d3 } = figure;
  const g = plotGroup(figure.svg, margin.left, margin.top);
  const x = d3.scaleLinear().domain(paddedExtent(data.steps.filter(Number.isFinite), 0)).range([6, width - 6]);
  const y = d3.scaleLinear().domain(paddedExtent(all)).range([PLOT_HEIGHT, 0]).nice();
  drawAxes(d3, g, {
    x,
    y,
    width,
    height: PLOT_HEIGHT,
    xLabel: 'Generation step (token position)',
    yLabel: data.yLabel ?? 'Singular value (dimensionless)',
    integerX: data.steps.every(Number.isInteger),
  });
  const [x0, x1] = x.domain();
  const inside = (step: number | null | undefined): step is number => typeof step === 'number' && step >= x0 && step <= x1;
  if (inside(data.encounterStep)) {
    verticalRule(g, {
      x: x(data.encounterStep),
      height: PLOT_HEIGHT,
      color: ROLE.threshold,
      dash: '6,4',
      label: `jumper encountered (step ${data.encounterStep})`,
      className: 'encounter',
      anchor: x(data.encounterStep) > 260 ? 'end' : 'start',
      labelY: -26,
    });
  }
  if (inside(data.violationStep)) {
    verticalRule(g, {
      x: x(data.violationStep),
      height: PLOT_HEIGHT,
      color: ROLE.violation,
      dash: null,
      label: `violation (step ${data.violationStep})`,
      className: 'violation',
      anchor: x(data.violationStep) < width - 200 ? 'start' : 'end',
      labelY: -8,
    });
  }
  data.series.forEach((s, i) => {
    const path = g
      .append('path')
      .attr('class', 'series spectrum-line')
      .attr('data-label', s.label)
      .attr('d', linePath(d3, data.steps, s.values, x, y) ?? '')
      .attr('fill', 'none')
      .attr('stroke', styles[i].color)
      .attr('stroke-width', 2);
    if (styles[i].dash) path.attr('stroke-dasharray', styles[i].dash);
  });
  drawLegend(g, legend, 0, PLOT_HEIGHT + 70, width);
  return serialize(figure);
}
