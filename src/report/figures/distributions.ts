/**
 * Figure 4, before/after distributions: histograms of one metric for violations and for
 * controls at one lookback, on shared bins, each normalised to its own class size so classes
 * of very different sizes compare; medians marked.
 */
import {
  createFigure,
  drawAxes,
  drawLegend,
  finiteValues,
  labelAnchor,
  noDataFigure,
  paddedExtent,
  plotGroup,
  serialize,
  verticalRule,
} from './frame';
import { shortMetricName } from './event-aligned';
import { ROLE } from './palette';
import type { DistributionData } from './types';

const KIND = 'distribution';
const WIDTH = 780;
const HEIGHT = 480;

/** Renders the violation / control histograms as SVG; a "no data" figure when both classes are empty. */
export function distributionFigure(data: DistributionData): string {
  const rText = data.r === undefined ? '' : `, r = ${data.r}`;
  const title = data.title ?? `${data.metric} at lookback j = ${data.lookback}${rText}: violations vs controls`;
  const classes = [
    { key: 'violation', label: 'violations', values: finiteValues(data.violation), color: ROLE.violation },
    { key: 'control', label: 'controls', values: finiteValues(data.control), color: ROLE.control },
  ] as const;
  const pooled = classes.flatMap((c) => c.values);
  if (pooled.length === 0) return noDataFigure(title, 'no finite values for violations or controls at this lookback', KIND);

  const figure = createFigure(WIDTH, HEIGHT, title, { kind: KIND, subtitle: 'histograms on shared bins, each as % of its own class; dashed lines: medians' });
  const { d3 } = figure;
  const margin = { top: 84, right: 28, bottom: 102, left: 84 };
  const width = WIDTH - margin.left - margin.right;
  const height = HEIGHT - margin.top - margin.bottom;
  const g = plotGroup(figure.svg, margin.left, margin.top);

  const x = d3.scaleLinear().domain(paddedExtent(pooled, 0.02)).range([0, width]).nice();
  const binCount = data.bins ?? Math.min(40, Math.max(5, Math.ceil(Math.log2(pooled.length) + 1)));
  const thresholds = x.ticks(binCount);
  const binner = d3
    .bin()
    .domain(x.domain() as [number, number])
    .thresholds(thresholds);
  const histograms = classes.map((c) => {
    const bins = binner(c.values);
    return { ...c, bins, shares: bins.map((b) => (c.values.length === 0 ? 0 : b.length / c.values.length)) };
  });
  const maxShare = Math.max(...histograms.flatMap((h) => h.shares));
  const y = d3
    .scaleLinear()
    .domain([0, maxShare * 1.12 || 1])
    .range([height, 0])
    .nice();
  const unit = data.unit ?? 'dimensionless';
  drawAxes(d3, g, { x, y, width, height, xLabel: `${shortMetricName(data.metric)} (${unit})`, yLabel: 'Share of class (%)', yFormat: d3.format('.0%') });

  for (const h of histograms) {
    g.append('g')
      .attr('class', `histogram ${h.key}`)
      .selectAll('rect')
      .data(h.bins.map((b, i) => ({ x0: b.x0 as number, x1: b.x1 as number, share: h.shares[i] })))
      .join('rect')
      .attr('class', `bar ${h.key}`)
      .attr('x', (b) => x(b.x0) + 0.5)
      .attr('width', (b) => Math.max(0, x(b.x1) - x(b.x0) - 1))
      .attr('y', (b) => y(b.share))
      .attr('height', (b) => height - y(b.share))
      .attr('fill', h.color)
      .attr('fill-opacity', 0.4)
      .attr('stroke', h.color)
      .attr('stroke-width', 1.2);
  }
  // Median labels point away from each other (the larger median's to the right).
  const medians = histograms.map((h) => (h.values.length === 0 ? null : (d3.median(h.values) as number)));
  histograms.forEach((h, i) => {
    const median = medians[i];
    if (median === null) return;
    const label = `median ${d3.format('.4~g')(median)}`;
    const preferred = medians.some((m, j) => j !== i && m !== null && m > median) ? 'end' : 'start';
    verticalRule(g, {
      x: x(median),
      height,
      color: h.color,
      dash: '6,3',
      label,
      className: `median ${h.key}`,
      anchor: labelAnchor(x(median), label, width, preferred),
      labelY: 14 + 17 * i,
    });
  });
  drawLegend(
    g,
    histograms.map((h) => ({
      label: `${h.label} (n = ${h.values.length.toLocaleString('en-US')}${h.values.length === 0 ? ', no values' : ''})`,
      color: h.color,
      shape: 'box' as const,
      opacity: 0.4,
    })),
    0,
    height + 74,
    width,
  );
  return serialize(figure);
}
