/**
 * Figure 3, event-aligned trajectory: one metric's mean with its 95 % band for violations and
 * for controls over the steps around the rule resolution (or over lookbacks j).
 */
import {
  createFigure,
  drawAxes,
  drawLegend,
  finiteValues,
  isFiniteValue,
  linePath,
  noDataFigure,
  paddedExtent,
  plotGroup,
  requireSameLength,
  serialize,
  verticalRule,
} from './frame';
import { ROLE } from './palette';
import type { BandSeries, EventAlignedData, Value } from './types';

const KIND = 'event-aligned';
const WIDTH = 780;
const HEIGHT = 480;

/** Renders the event-aligned trajectory as SVG. Throws RangeError when a series' length differs from `x`. */
export function eventAlignedFigure(data: EventAlignedData): string {
  for (const cls of ['violation', 'control'] as const) {
    const s = data[cls];
    requireSameLength(KIND, { x: data.x, [`${cls}.mean`]: s.mean, [`${cls}.lower`]: s.lower, [`${cls}.upper`]: s.upper });
  }
  const rText = data.r === undefined ? '' : ` (r = ${data.r})`;
  const title = data.title ?? `${data.metric}: violations vs controls around rule resolution${rText}`;
  const classes = [
    { key: 'violation', label: 'violations', series: data.violation, color: ROLE.violation, dash: null },
    { key: 'control', label: 'controls', series: data.control, color: ROLE.control, dash: '7,4' },
  ] as const;
  const allValues = classes.flatMap((c) => [...c.series.mean, ...c.series.lower, ...c.series.upper]);
  if (data.x.length === 0 || finiteValues(allValues).length === 0) {
    return noDataFigure(title, 'no finite metric values for violations or controls', KIND);
  }

  const figure = createFigure(WIDTH, HEIGHT, title, { kind: KIND, subtitle: 'mean with 95% confidence band (mean ± 1.96 SE)' });
  const { d3 } = figure;
  const margin = { top: 84, right: 28, bottom: 102, left: 92 };
  const width = WIDTH - margin.left - margin.right;
  const height = HEIGHT - margin.top - margin.bottom;
  const g = plotGroup(figure.svg, margin.left, margin.top);
  const x = d3.scaleLinear().domain(paddedExtent(data.x.filter(Number.isFinite), 0)).range([8, width - 8]);
  const y = d3.scaleLinear().domain(paddedExtent(finiteValues(allValues))).range([height, 0]).nice();
  const unit = data.unit ?? 'dimensionless';
  drawAxes(d3, g, { x, y, width, height, xLabel: data.xLabel, yLabel: `${shortMetricName(data.metric)} (${unit})`, integerX: data.x.every(Number.isInteger) });
  const [x0, x1] = x.domain();
  if (x0 <= 0 && x1 >= 0 && x0 < 0) verticalRule(g, { x: x(0), height, color: ROLE.threshold, dash: '3,3', label: 'resolution', className: 'resolution', anchor: 'end' });

  for (const c of classes) {
    const band = d3
      .area<number>()
      .digits(1)
      .defined((i) => Number.isFinite(data.x[i]) && isFiniteValue(c.series.lower[i]) && isFiniteValue(c.series.upper[i]))
      .x((i) => x(data.x[i]))
      .y0((i) => y(c.series.lower[i] as number))
      .y1((i) => y(c.series.upper[i] as number))(data.x.map((_, i) => i));
    g.append('path').attr('class', `band ${c.key}`).attr('d', band ?? '').attr('fill', c.color).attr('fill-opacity', 0.18).attr('stroke', 'none');
  }
  for (const c of classes) {
    const mean = g
      .append('path')
      .attr('class', `mean ${c.key}`)
      .attr('d', linePath(d3, data.x, c.series.mean, x, y) ?? '')
      .attr('fill', 'none')
      .attr('stroke', c.color)
      .attr('stroke-width', 2.5);
    if (c.dash) mean.attr('stroke-dasharray', c.dash);
    if (data.x.length <= 40) {
      g.append('g')
        .selectAll('circle')
        .data(points(data.x, c.series.mean))
        .join('circle')
        .attr('class', `mean-point ${c.key}`)
        .attr('cx', (p) => x(p[0]))
        .attr('cy', (p) => y(p[1]))
        .attr('r', 3)
        .attr('fill', c.color);
    }
  }
  drawLegend(
    g,
    classes.map((c) => ({ label: legendLabel(c.label, c.series), color: c.color, shape: 'line' as const, dash: c.dash, strokeWidth: 2.5 })),
    0,
    height + 74,
    width,
  );
  return serialize(figure);
}

function points(xs: readonly number[], ys: readonly Value[]): [number, number][] {
  const out: [number, number][] = [];
  xs.forEach((xv, i) => {
    const v = ys[i];
    if (Number.isFinite(xv) && isFiniteValue(v)) out.push([xv, v]);
  });
  return out;
}

function legendLabel(label: string, series: BandSeries): string {
  const none = finiteValues(series.mean).length === 0 ? ', no values' : '';
  return `${label} (n = ${series.n.toLocaleString('en-US')} events${none})`;
}

/** The metric part of a dotted key (`qkt.layer_0.stable_rank` → `stable_rank`). */
export function shortMetricName(metric: string): string {
  const parts = metric.split('.');
  return parts[parts.length - 1] || metric;
}
