/**
 * Figure 8, permutation null versus observed: histogram of the maximum AUROC over lookbacks
 * under shuffled labels, with its 95th percentile, the observed maximum and its p-value.
 */
import {
  createFigure,
  labelAnchor,
  drawAxes,
  drawLegend,
  finiteValues,
  isFiniteValue,
  noDataFigure,
  paddedExtent,
  plotGroup,
  serialize,
  verticalRule,
} from './frame';
import { ROLE } from './palette';
import type { PermutationNullData } from './types';

const KIND = 'permutation-null';
const WIDTH = 780;
const HEIGHT = 480;

/** Renders the permutation null histogram as SVG; a "no data" figure when the null is empty. */
export function permutationNullFigure(data: PermutationNullData): string {
  const rText = data.r === undefined ? '' : ` (r = ${data.r})`;
  const title = data.title ?? `${data.metric}${rText}: observed maximum AUROC vs permutation null`;
  const nullValues = finiteValues(data.nullMaxAuroc);
  if (nullValues.length === 0) return noDataFigure(title, 'no permutations were run', KIND);

  const observed = isFiniteValue(data.observed) ? data.observed : null;
  const figure = createFigure(WIDTH, HEIGHT, title, {
    kind: KIND,
    subtitle: `${nullValues.length.toLocaleString('en-US')} label permutations; ${formatP(data.pValue, nullValues.length)}`,
  });
  const margin = { top: 84, right: 28, bottom: 102, left: 84 };
  const width = WIDTH - margin.left - margin.right;
  const height = HEIGHT - margin.top - margin.bottom;
  const g = plotGroup(figure.svg, margin.left, margin.top);
  const { d3 } = figure;
  const domain = paddedExtent(observed === null ? nullValues : [...nullValues, observed], 0.08);
  const x = d3
    .scaleLinear()
    .domain([Math.max(0, domain[0]), Math.min(1, domain[1])])
    .range([0, width])
    .nice();
  const bins = d3
    .bin()
    .domain(x.domain() as [number, number])
    .thresholds(x.ticks(Math.min(50, Math.max(10, Math.ceil(Math.sqrt(nullValues.length))))))(nullValues);
  const shares = bins.map((b) => b.length / nullValues.length);
  const y = d3
    .scaleLinear()
    .domain([0, Math.max(...shares) * 1.15])
    .range([height, 0])
    .nice();
  drawAxes(d3, g, { x, y, width, height, xLabel: 'Maximum AUROC over lookbacks (dimensionless)', yLabel: 'Share of permutations (%)', yFormat: d3.format('.0%') });
  g.append('g')
    .attr('class', 'histogram null')
    .selectAll('rect')
    .data(bins.map((b, i) => ({ x0: b.x0 as number, x1: b.x1 as number, share: shares[i] })))
    .join('rect')
    .attr('class', 'bar null')
    .attr('x', (b) => x(b.x0) + 0.5)
    .attr('width', (b) => Math.max(0, x(b.x1) - x(b.x0) - 1))
    .attr('y', (b) => y(b.share))
    .attr('height', (b) => height - y(b.share))
    .attr('fill', ROLE.nullDistribution)
    .attr('fill-opacity', 0.75);
  const p95 = d3.quantile(nullValues, 0.95) as number;
  // Labels point away from each other (the observed one to the side away from the
  // percentile line) so they never cross the other line, unless the plot edge is too close.
  const p95Label = `null 95th percentile ${p95.toFixed(3)}`;
  const observedLabel = observed === null ? '' : `observed ${observed.toFixed(3)}, ${formatP(data.pValue, nullValues.length)}`;
  const observedRight = observed === null || observed >= p95;
  verticalRule(g, {
    x: x(p95),
    height,
    color: ROLE.threshold,
    dash: '6,4',
    label: p95Label,
    className: 'null-p95',
    anchor: labelAnchor(x(p95), p95Label, width, observedRight ? 'end' : 'start'),
    labelY: 32,
  });
  if (observed !== null) {
    verticalRule(g, {
      x: x(observed),
      height,
      color: ROLE.observed,
      dash: null,
      label: observedLabel,
      className: 'observed',
      anchor: labelAnchor(x(observed), observedLabel, width, observedRight ? 'start' : 'end'),
    });
  }
  drawLegend(
    g,
    [
      { label: 'null: max AUROC with shuffled labels', color: ROLE.nullDistribution, shape: 'box', opacity: 0.75 },
      { label: observed === null ? 'observed: not available' : 'observed max AUROC', color: ROLE.observed, shape: 'line', strokeWidth: 2 },
    ],
    0,
    height + 74,
    width,
  );
  return serialize(figure);
}

/** "p = 0.012"; a p-value of 0 from N permutations is shown as "p < 1/N". */
export function formatP(p: number | null, permutations: number): string {
  if (!isFiniteValue(p)) return 'p not available';
  if (p === 0) return `p < ${Number((1 / permutations).toPrecision(2))}`;
  return p < 0.001 ? `p = ${p.toExponential(1)}` : `p = ${p.toFixed(3)}`;
}
