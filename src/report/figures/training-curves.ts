/**
 * Figure 1, training curves: loss per step with its moving average (left) and edge / rule
 * compliance per evaluation with the gate thresholds (right).
 */
import {
  createFigure,
  drawAxes,
  drawLegend,
  finiteValues,
  horizontalRule,
  isFiniteValue,
  linePath,
  noDataFigure,
  paddedExtent,
  panelNoData,
  panelTitle,
  plotGroup,
  requireSameLength,
  serialize,
  type Figure,
} from './frame';
import { ROLE } from './palette';
import type { TrainingCurvesData, Value } from './types';

const KIND = 'training-curves';
const WIDTH = 1040;
const HEIGHT = 450;
/** Loss lines are drawn with at most this many points (min/max per bucket keeps the envelope). */
export const MAX_RAW_LOSS_POINTS = 2000;

/** Renders the training curves as SVG. Throws RangeError when parallel arrays differ in length. */
export function trainingCurvesFigure(data: TrainingCurvesData): string {
  const { loss, compliance } = data;
  requireSameLength(KIND, { 'loss.steps': loss.steps, 'loss.values': loss.values });
  requireSameLength(KIND, { 'compliance.steps': compliance.steps, 'compliance.edge': compliance.edge, 'compliance.rule': compliance.rule });
  const title = data.title ?? 'Training: cross-entropy loss per step and gate compliance per evaluation';
  const hasLoss = finiteValues(loss.values).length > 0;
  const hasCompliance = finiteValues(compliance.edge).length + finiteValues(compliance.rule).length > 0;
  if (!hasLoss && !hasCompliance) return noDataFigure(title, 'no loss values and no compliance evaluations', KIND);

  const figure = createFigure(WIDTH, HEIGHT, title, { kind: KIND });
  const margin = { top: 80, bottom: 100, left: 84, gap: 110, right: 24 };
  const panelWidth = (WIDTH - margin.left - margin.gap - margin.right) / 2;
  const panelHeight = HEIGHT - margin.top - margin.bottom;
  lossPanel(figure, data, margin.left, margin.top, panelWidth, panelHeight, hasLoss);
  compliancePanel(figure, data, margin.left + panelWidth + margin.gap, margin.top, panelWidth, panelHeight, hasCompliance);
  return serialize(figure);
}

function lossPanel(figure: Figure, data: TrainingCurvesData, left: number, top: number, width: number, height: number, hasData: boolean): void {
  const { d3 } = figure;
  const g = plotGroup(figure.svg, left, top, 'plot loss-panel');
  panelTitle(g, 'Loss');
  if (!hasData) {
    panelNoData(g, width, height, 'no finite loss values');
    return;
  }
  const { steps, values } = data.loss;
  const window = Math.max(1, Math.round(data.loss.movingAverageWindow ?? steps.length / 50));
  const average = movingAverage(values, window);
  const x = d3.scaleLinear().domain(paddedExtent(finiteSteps(steps, values), 0)).range([0, width]).nice();
  const y = d3.scaleLinear().domain(paddedExtent(finiteValues(values))).range([height, 0]).nice();
  drawAxes(d3, g, { x, y, width, height, xLabel: 'Training step', yLabel: 'Cross-entropy loss (nats)', integerX: true });
  const raw = decimate(steps, values, MAX_RAW_LOSS_POINTS);
  g.append('path')
    .attr('class', 'series loss-raw')
    .attr('d', linePath(d3, raw.steps, raw.values, x, y) ?? '')
    .attr('fill', 'none')
    .attr('stroke', ROLE.loss)
    .attr('stroke-opacity', 0.45)
    .attr('stroke-width', 1);
  const smooth = decimate(steps, average, MAX_RAW_LOSS_POINTS);
  g.append('path')
    .attr('class', 'series loss-average')
    .attr('d', linePath(d3, smooth.steps, smooth.values, x, y) ?? '')
    .attr('fill', 'none')
    .attr('stroke', ROLE.movingAverage)
    .attr('stroke-width', 2.5);
  drawLegend(
    g,
    [
      { label: 'loss per step', color: ROLE.loss, shape: 'line', strokeWidth: 1.5, opacity: 0.6 },
      { label: `moving average (${window} steps)`, color: ROLE.movingAverage, shape: 'line', strokeWidth: 2.5 },
    ],
    0,
    height + 72,
    width,
  );
}

function compliancePanel(figure: Figure, data: TrainingCurvesData, left: number, top: number, width: number, height: number, hasData: boolean): void {
  const { d3 } = figure;
  const g = plotGroup(figure.svg, left, top, 'plot compliance-panel');
  panelTitle(g, 'Gate compliance');
  if (!hasData) {
    panelNoData(g, width, height, 'no compliance evaluations');
    return;
  }
  const { steps, edge, rule } = data.compliance;
  const xDomain = paddedExtent(steps.filter((s, i) => isFiniteValue(edge[i]) || isFiniteValue(rule[i])), 0);
  // Inset range instead of a padded domain: the markers stay inside without negative steps on the axis.
  const x = d3.scaleLinear().domain(xDomain).range([10, width - 10]).nice();
  const y = d3.scaleLinear().domain([0, 1.05]).range([height, 0]);
  drawAxes(d3, g, {
    x,
    y,
    width,
    height,
    xLabel: 'Training step',
    yLabel: 'Compliance (% of checks)',
    integerX: true,
    yFormat: d3.format('.0%'),
  });
  horizontalRule(g, { y: y(data.gates.edge), width, color: ROLE.edge, dash: '7,4', label: `edge gate ${pct(data.gates.edge)}`, className: 'gate-edge', labelAbove: false, labelAt: 'start' });
  horizontalRule(g, { y: y(data.gates.rule), width, color: ROLE.rule, dash: '2,3', label: `rule gate ${pct(data.gates.rule)}`, className: 'gate-rule', labelAbove: false, labelAt: 'start' });
  for (const [name, values, color] of [
    ['edge', edge, ROLE.edge],
    ['rule', rule, ROLE.rule],
  ] as const) {
    g.append('path')
      .attr('class', `series ${name}-compliance`)
      .attr('d', linePath(d3, steps, values, x, y) ?? '')
      .attr('fill', 'none')
      .attr('stroke', color)
      .attr('stroke-width', 1.5);
  }
  const points = (values: readonly Value[]) => steps.map((s, i) => [s, values[i]] as const).filter((p) => isFiniteValue(p[1]));
  g.append('g')
    .selectAll('circle')
    .data(points(edge))
    .join('circle')
    .attr('class', 'edge-point')
    .attr('cx', (p) => x(p[0]))
    .attr('cy', (p) => y(p[1] as number))
    .attr('r', 4)
    .attr('fill', ROLE.edge);
  g.append('g')
    .selectAll('rect')
    .data(points(rule))
    .join('rect')
    .attr('class', 'rule-point')
    .attr('x', (p) => x(p[0]) - 4)
    .attr('y', (p) => y(p[1] as number) - 4)
    .attr('width', 8)
    .attr('height', 8)
    .attr('fill', ROLE.rule);
  drawLegend(
    g,
    [
      { label: 'edge compliance', color: ROLE.edge, shape: 'circle' },
      { label: 'rule compliance', color: ROLE.rule, shape: 'square' },
    ],
    0,
    height + 72,
    width,
  );
}

function pct(v: number): string {
  return `${(v * 100).toFixed(v * 100 === Math.round(v * 100) ? 0 : 1)}%`;
}

function finiteSteps(steps: readonly number[], values: readonly Value[]): number[] {
  return steps.filter((s, i) => isFiniteValue(values[i]) && Number.isFinite(s));
}

/** Trailing mean over the last `window` finite values; null where the window holds none. */
export function movingAverage(values: readonly Value[], window: number): Value[] {
  const out: Value[] = new Array(values.length);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isFiniteValue(v)) {
      sum += v;
      count++;
    }
    if (i >= window) {
      const old = values[i - window];
      if (isFiniteValue(old)) {
        sum -= old;
        count--;
      }
    }
    out[i] = count > 0 && isFiniteValue(v) ? sum / count : null;
  }
  return out;
}

/**
 * Reduces a long series to at most `maxPoints` points: per bucket, the minimum and maximum
 * in step order (keeps the noise envelope); a bucket with no finite value becomes a gap.
 */
export function decimate(steps: readonly number[], values: readonly Value[], maxPoints: number): { steps: number[]; values: Value[] } {
  if (steps.length <= maxPoints) return { steps: [...steps], values: [...values] };
  const buckets = Math.floor(maxPoints / 2);
  const size = steps.length / buckets;
  const outSteps: number[] = [];
  const outValues: Value[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.floor((b + 1) * size);
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (!isFiniteValue(v)) continue;
      if (lo < 0 || v < (values[lo] as number)) lo = i;
      if (hi < 0 || v > (values[hi] as number)) hi = i;
    }
    if (lo < 0) {
      outSteps.push(steps[start]);
      outValues.push(null);
      continue;
    }
    for (const i of lo <= hi ? [lo, hi] : [hi, lo]) {
      outSteps.push(steps[i]);
      outValues.push(values[i]);
    }
  }
  return { steps: outSteps, values: outValues };
}
