/**
 * Figure 6, predictive-horizon heat map: metrics (rows) x rule lengths r (columns), each cell
 * shaded on the sequential ramp and annotated with its horizon in lookback steps.
 */
import { axisLabel, createFigure, FONT_SIZE, isFiniteValue, noDataFigure, plotGroup, serialize, textWidth } from './frame';
import { ROLE, SEQUENTIAL_STOPS, textColorOn } from './palette';
import type { HorizonHeatmapData } from './types';

const KIND = 'horizon-heatmap';
const CELL = { width: 74, height: 24 };
const LEGEND_SWATCHES = 11;

/**
 * Renders the horizon heat map as SVG; a "no data" figure when there are no metrics or no r.
 * Throws RangeError when `horizon` is not metrics.length x rValues.length.
 */
export function horizonHeatmapFigure(data: HorizonHeatmapData): string {
  const threshold = data.threshold === undefined ? ' above the threshold' : ` > ${data.threshold}`;
  const title = data.title ?? `Predictive horizon per metric and rule length r (largest lookback with AUROC${threshold})`;
  if (data.horizon.length !== data.metrics.length) {
    throw new RangeError(`${KIND}: horizon has ${data.horizon.length} rows but metrics has ${data.metrics.length}`);
  }
  data.horizon.forEach((row, i) => {
    if (row.length !== data.rValues.length) throw new RangeError(`${KIND}: horizon[${i}] has ${row.length} values but rValues has ${data.rValues.length}`);
  });
  if (data.metrics.length === 0 || data.rValues.length === 0) return noDataFigure(title, 'no metric or no rule length r was analysed', KIND);

  const primary = new Set(data.primary ?? []);
  const labelWidth = Math.max(...data.metrics.map((m) => textWidth(m, FONT_SIZE.annotation))) + 14;
  const gridWidth = data.rValues.length * CELL.width;
  const gridHeight = data.metrics.length * CELL.height;
  const margin = { top: 62 + 58, left: 48 + labelWidth, right: 28, bottom: 92 };
  const legendWidth = 430;
  const width = Math.max(620, margin.left + gridWidth + margin.right, margin.left + legendWidth + margin.right);
  const height = margin.top + gridHeight + margin.bottom;
  const figure = createFigure(width, height, title, {
    kind: KIND,
    subtitle: `${primary.size > 0 ? 'bold rows: primary metrics; ' : ''}0 = no lookback above the threshold; – = not analysed`,
  });
  const { d3 } = figure;
  const finite = data.horizon.flat().filter(isFiniteValue);
  const maxHorizon = Math.max(1, ...finite);
  const color = d3.scaleSequential(d3.interpolateRgbBasis([...SEQUENTIAL_STOPS])).domain([0, maxHorizon]);
  const g = plotGroup(figure.svg, margin.left, margin.top, 'plot heatmap');

  data.rValues.forEach((r, c) => {
    g.append('text')
      .attr('class', 'column-label')
      .attr('x', (c + 0.5) * CELL.width)
      .attr('y', -8)
      .attr('text-anchor', 'middle')
      .attr('font-size', FONT_SIZE.tick)
      .text(`r = ${r}`);
  });
  axisLabel(g, 'x', 'Rule length r (steps)', gridWidth / 2, -30);
  axisLabel(g, 'y', 'Metric', -labelWidth - 22, gridHeight / 2);

  data.metrics.forEach((metric, rIdx) => {
    const isPrimary = primary.has(metric);
    g.append('text')
      .attr('class', `row-label${isPrimary ? ' primary' : ''}`)
      .attr('x', -8)
      .attr('y', (rIdx + 0.5) * CELL.height)
      .attr('dy', '0.35em')
      .attr('text-anchor', 'end')
      .attr('font-size', FONT_SIZE.annotation)
      .attr('font-weight', isPrimary ? 'bold' : null)
      .text(metric);
    data.horizon[rIdx].forEach((value, c) => {
      const has = isFiniteValue(value);
      const fill = has ? color(value) : ROLE.missing;
      const cell = g
        .append('g')
        .attr('class', `cell${has ? '' : ' missing'}`)
        .attr('transform', `translate(${c * CELL.width},${rIdx * CELL.height})`);
      cell.append('rect').attr('width', CELL.width).attr('height', CELL.height).attr('fill', fill).attr('stroke', ROLE.background).attr('stroke-width', 1.5);
      cell
        .append('text')
        .attr('class', 'cell-value')
        .attr('x', CELL.width / 2)
        .attr('y', CELL.height / 2)
        .attr('dy', '0.35em')
        .attr('text-anchor', 'middle')
        .attr('font-size', FONT_SIZE.annotation)
        .attr('font-weight', isPrimary ? 'bold' : null)
        .attr('fill', has ? textColorOn(fill) : ROLE.axis)
        .text(has ? String(Math.round(value * 100) / 100) : '–');
    });
  });

  // Legend: discrete swatches at whole steps across [0, max] plus the "not analysed" swatch.
  const legend = figure.svg.append('g').attr('class', 'colour-legend').attr('transform', `translate(${margin.left},${margin.top + gridHeight + 30})`);
  legend.append('text').attr('x', 0).attr('y', 0).attr('font-size', FONT_SIZE.legend).text('Predictive horizon (lookback steps)');
  const steps = Math.min(LEGEND_SWATCHES, maxHorizon + 1);
  const swatch = { width: 26, height: 14 };
  const values = Array.from({ length: steps }, (_, i) => (steps === 1 ? 0 : Math.round((i * maxHorizon) / (steps - 1))));
  values.forEach((v, i) => {
    const sg = legend.append('g').attr('class', 'legend-swatch').attr('transform', `translate(${i * swatch.width},10)`);
    sg.append('rect').attr('width', swatch.width).attr('height', swatch.height).attr('fill', color(v)).attr('stroke', ROLE.grid);
    if (i === 0 || i === steps - 1 || (steps > 4 && i === Math.floor((steps - 1) / 2))) {
      sg.append('text')
        .attr('x', swatch.width / 2)
        .attr('y', swatch.height + 14)
        .attr('text-anchor', 'middle')
        .attr('font-size', FONT_SIZE.tick)
        .text(d3.format('.3~g')(v));
    }
  });
  const missing = legend.append('g').attr('class', 'legend-swatch missing').attr('transform', `translate(${steps * swatch.width + 24},10)`);
  missing.append('rect').attr('width', swatch.width).attr('height', swatch.height).attr('fill', ROLE.missing).attr('stroke', ROLE.grid);
  missing.append('text').attr('x', swatch.width + 6).attr('y', swatch.height / 2).attr('dy', '0.35em').attr('font-size', FONT_SIZE.tick).text('not analysed');
  return serialize(figure);
}
