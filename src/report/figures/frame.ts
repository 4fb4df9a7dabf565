/**
 * Shared drawing helpers of the figure modules (internal): the SVG canvas with its title,
 * axes with labels, legends, line paths with gaps, the "no data" figure, and serialisation.
 *
 * Every figure is a fixed-size SVG: `width`/`height` in px plus the same `viewBox`, so it
 * renders at that size on a screen, scales in a report, and rasterises predictably.
 */
import { D3Node } from 'd3-node';
import type * as D3 from 'd3';
import { ROLE } from './palette';
import type { Value } from './types';

/** The d3 module. */
export type D3Module = typeof D3;
/** A d3 selection of one SVG element (the DOM lib is not in this project's types). */
export type Sel = D3.Selection<any, unknown, null, undefined>;

/** Fonts present on Debian (DejaVu) first, then common fallbacks. */
export const FONT_FAMILY = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";

/** Font sizes in px (the figures are drawn at 1 px = 1 CSS px). */
export const FONT_SIZE = {
  title: 17,
  subtitle: 13,
  panelTitle: 13.5,
  axisLabel: 13.5,
  tick: 12,
  legend: 12.5,
  annotation: 12,
} as const;

/** Rough advance width of `text` at `fontSize` in DejaVu Sans (used only for layout). */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.61;
}

/** True for a finite number (not null, not NaN, not ±Infinity). */
export function isFiniteValue(v: Value | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** The finite values of `values`. */
export function finiteValues(values: readonly Value[]): number[] {
  return values.filter(isFiniteValue);
}

/** Throws RangeError unless every array has the length of the first one. */
export function requireSameLength(figure: string, arrays: Record<string, { length: number }>): void {
  const entries = Object.entries(arrays);
  const [firstName, first] = entries[0];
  for (const [name, array] of entries.slice(1)) {
    if (array.length !== first.length) {
      throw new RangeError(`${figure}: ${name} has ${array.length} values but ${firstName} has ${first.length}`);
    }
  }
}

/** Formats a number compactly for annotations (null/NaN → "n/a"). */
export function formatValue(v: Value, digits = 3): string {
  if (!isFiniteValue(v)) return 'n/a';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toFixed(digits);
}

/** An SVG being drawn. */
export interface Figure {
  d3: D3Module;
  /** The root `<svg>` element. */
  svg: Sel;
  width: number;
  height: number;
}

/** Options of `createFigure`. */
export interface FigureOptions {
  /** Second title line in a lighter weight (e.g. sample sizes). */
  subtitle?: string;
  /** Machine-readable figure kind, written as `data-figure` on the root. */
  kind: string;
}

/** Creates the canvas: root svg with fixed size and viewBox, white background, title. */
export function createFigure(width: number, height: number, title: string, options: FigureOptions): Figure {
  const node = new D3Node();
  const d3 = node.d3;
  const w = Math.round(width);
  const h = Math.round(height);
  const svg = node
    .createSVG(w, h, {
      viewBox: `0 0 ${w} ${h}`,
      role: 'img',
      'font-family': FONT_FAMILY,
      'font-size': FONT_SIZE.tick,
      fill: ROLE.text,
      'data-figure': options.kind,
    }) as Sel;
  svg.append('title').text(title);
  svg.append('rect').attr('class', 'background').attr('width', w).attr('height', h).attr('fill', ROLE.background);
  const titleSize = Math.max(12, Math.min(FONT_SIZE.title, ((w - 24) / textWidth(title, 1)) * 0.98));
  svg
    .append('text')
    .attr('class', 'figure-title')
    .attr('x', w / 2)
    .attr('y', 28)
    .attr('text-anchor', 'middle')
    .attr('font-size', titleSize.toFixed(1))
    .attr('font-weight', 'bold')
    .text(title);
  if (options.subtitle) {
    const subSize = Math.max(10, Math.min(FONT_SIZE.subtitle, ((w - 24) / textWidth(options.subtitle, 1)) * 0.98));
    svg
      .append('text')
      .attr('class', 'figure-subtitle')
      .attr('x', w / 2)
      .attr('y', 50)
      .attr('text-anchor', 'middle')
      .attr('font-size', subSize.toFixed(1))
      .attr('fill', ROLE.axis)
      .text(options.subtitle);
  }
  return { d3, svg, width: w, height: h };
}

/** Serialises the figure as standalone SVG/XML (no XML declaration, so it can be inlined in HTML). */
export function serialize(figure: Figure): string {
  const node = figure.svg.node();
  const window = node.ownerDocument.defaultView;
  return new window.XMLSerializer().serializeToString(node) as string;
}

/** A figure that says there is nothing to show (used when a series is empty or all missing). */
export function noDataFigure(title: string, message: string, kind: string, width = 760, height = 260): string {
  const figure = createFigure(width, height, title, { kind });
  figure.svg.attr('data-no-data', 'true');
  figure.svg
    .append('rect')
    .attr('x', 24)
    .attr('y', 52)
    .attr('width', width - 48)
    .attr('height', height - 76)
    .attr('fill', 'none')
    .attr('stroke', ROLE.grid)
    .attr('stroke-width', 1.5)
    .attr('stroke-dasharray', '6,4');
  figure.svg
    .append('text')
    .attr('class', 'no-data')
    .attr('x', width / 2)
    .attr('y', (height + 52 - 24) / 2)
    .attr('text-anchor', 'middle')
    .attr('font-size', FONT_SIZE.axisLabel)
    .attr('fill', ROLE.axis)
    .text(`No data: ${message}`);
  return serialize(figure);
}

/** A translated group for a plot area. */
export function plotGroup(parent: Sel, left: number, top: number, className = 'plot'): Sel {
  return parent.append('g').attr('class', className).attr('transform', `translate(${left},${top})`);
}

/** A continuous scale as used by the axes helpers. */
export type ContinuousScale = D3.ScaleLinear<number, number> | D3.ScaleLogarithmic<number, number>;

/** Options of `drawAxes`. */
export interface AxesOptions {
  x: ContinuousScale;
  y: ContinuousScale;
  width: number;
  height: number;
  xLabel: string;
  yLabel: string;
  xTicks?: number;
  yTicks?: number;
  /** Only integer x ticks (lookbacks, steps). */
  integerX?: boolean;
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  /** Horizontal grid lines at the y ticks. @default true */
  grid?: boolean;
}

/** Draws grid, bottom and left axes and both axis labels into a plot group. */
export function drawAxes(d3: D3Module, g: Sel, options: AxesOptions): void {
  const { x, y, width, height } = options;
  const yTicks = options.yTicks ?? 6;
  if (options.grid !== false) {
    g.append('g')
      .attr('class', 'grid')
      .selectAll('line')
      .data(y.ticks(yTicks))
      .join('line')
      .attr('x1', 0)
      .attr('x2', width)
      .attr('y1', (v: number) => y(v))
      .attr('y2', (v: number) => y(v))
      .attr('stroke', ROLE.grid)
      .attr('stroke-width', 1);
  }
  let xTickValues: number[] | null = null;
  if (options.integerX) {
    const [lo, hi] = x.domain();
    xTickValues = x.ticks(options.xTicks ?? 8).filter((v) => Number.isInteger(v) && v >= lo && v <= hi);
    if (xTickValues.length === 0) xTickValues = [Math.round((lo + hi) / 2)];
  }
  const bottom = d3.axisBottom(x).ticks(options.xTicks ?? 8).tickSizeOuter(0);
  if (xTickValues) bottom.tickValues(xTickValues);
  if (options.xFormat) bottom.tickFormat((v) => options.xFormat!(Number(v)));
  else if (options.integerX) bottom.tickFormat(d3.format('d'));
  const left = d3.axisLeft(y).ticks(yTicks).tickSizeOuter(0);
  if (options.yFormat) left.tickFormat((v) => options.yFormat!(Number(v)));
  const xAxis = g.append('g').attr('class', 'axis x-axis').attr('transform', `translate(0,${height})`);
  xAxis.call(bottom as never);
  const yAxis = g.append('g').attr('class', 'axis y-axis');
  yAxis.call(left as never);
  // Domain lines span the whole plot even when a scale's range is inset.
  xAxis.select('.domain').attr('d', `M0,0H${width}`);
  yAxis.select('.domain').attr('d', `M0,0V${height}`);
  styleAxis(xAxis);
  styleAxis(yAxis);
  axisLabel(g, 'x', options.xLabel, width / 2, height + 42);
  const yLabelX = -(maxTickWidth(yAxis) + 20);
  axisLabel(g, 'y', options.yLabel, yLabelX, height / 2);
}

/** Replaces d3-axis's currentColor and font attributes by the figure's. */
function styleAxis(axis: Sel): void {
  axis.attr('font-family', null).attr('font-size', FONT_SIZE.tick);
  axis.selectAll('path, line').attr('stroke', ROLE.axis);
  axis.selectAll('text').attr('fill', ROLE.text);
}

/** Width of the widest tick label of an axis (estimated). */
function maxTickWidth(axis: Sel): number {
  let widest = 0;
  axis.selectAll('text').each(function (this: { textContent: string | null }) {
    widest = Math.max(widest, textWidth(this.textContent ?? '', FONT_SIZE.tick));
  });
  return widest;
}

/** Axis title; `y` labels are rotated; an empty text draws nothing. */
export function axisLabel(g: Sel, axis: 'x' | 'y', text: string, x: number, y: number, fontSize: number = FONT_SIZE.axisLabel): void {
  if (text === '') return;
  const label = g
    .append('text')
    .attr('class', `axis-label ${axis}-label`)
    .attr('text-anchor', 'middle')
    .attr('font-size', fontSize)
    .text(text);
  if (axis === 'x') label.attr('x', x).attr('y', y);
  else label.attr('transform', `translate(${x},${y}) rotate(-90)`);
}

/** SVG path data for y over x, with gaps at missing values (null when nothing is drawable). */
export function linePath(d3: D3Module, xs: readonly number[], ys: readonly Value[], x: ContinuousScale, y: ContinuousScale): string | null {
  const points = xs.map((xv, i) => [xv, ys[i]] as const);
  return d3
    .line<readonly [number, Value]>()
    .digits(1)
    .defined((p) => Number.isFinite(p[0]) && isFiniteValue(p[1]))
    .x((p) => x(p[0]))
    .y((p) => y(p[1] as number))(points);
}

/** Extent of the finite values, widened when degenerate and padded by `pad` of the range. */
export function paddedExtent(values: readonly number[], pad = 0.05): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

/** One legend entry. */
export interface LegendItem {
  label: string;
  color: string;
  shape: 'line' | 'box' | 'circle' | 'square';
  dash?: string | null;
  strokeWidth?: number;
  opacity?: number;
  /** Class added to the entry group (tests count entries by it). */
  className?: string;
}

const LEGEND_ROW_HEIGHT = 20;

/** Position of each legend entry when laid out left to right and wrapped at `maxWidth`. */
function legendLayout(items: readonly LegendItem[], maxWidth: number): { positions: [number, number][]; height: number } {
  let cx = 0;
  let cy = 0;
  const positions: [number, number][] = [];
  for (const item of items) {
    const w = 30 + textWidth(item.label, FONT_SIZE.legend) + 18;
    if (cx > 0 && cx + w > maxWidth) {
      cx = 0;
      cy += LEGEND_ROW_HEIGHT;
    }
    positions.push([cx, cy]);
    cx += w;
  }
  return { positions, height: items.length === 0 ? 0 : cy + LEGEND_ROW_HEIGHT };
}

/** Height `drawLegend` will use for these entries (to size a figure before drawing). */
export function legendHeight(items: readonly LegendItem[], maxWidth: number): number {
  return legendLayout(items, maxWidth).height;
}

/**
 * Lays legend entries out left to right, wrapping at `maxWidth`; returns the height used.
 * Entries are `g.legend-item`; `y` is the centre line of the first row.
 */
export function drawLegend(parent: Sel, items: readonly LegendItem[], x: number, y: number, maxWidth: number): number {
  const g = parent.append('g').attr('class', 'legend').attr('transform', `translate(${x},${y})`);
  const layout = legendLayout(items, maxWidth);
  items.forEach((item, i) => {
    const [cx, cy] = layout.positions[i];
    const entry = g
      .append('g')
      .attr('class', `legend-item${item.className ? ` ${item.className}` : ''}`)
      .attr('transform', `translate(${cx},${cy})`);
    drawLegendSymbol(entry, item);
    entry.append('text').attr('x', 30).attr('y', 0).attr('dy', '0.35em').attr('font-size', FONT_SIZE.legend).text(item.label);
  });
  return layout.height;
}

function drawLegendSymbol(entry: Sel, item: LegendItem): void {
  const opacity = item.opacity ?? 1;
  switch (item.shape) {
    case 'line': {
      const line = entry
        .append('line')
        .attr('x1', 0)
        .attr('x2', 24)
        .attr('y1', 0)
        .attr('y2', 0)
        .attr('stroke', item.color)
        .attr('stroke-width', item.strokeWidth ?? 2)
        .attr('stroke-opacity', opacity);
      if (item.dash) line.attr('stroke-dasharray', item.dash);
      break;
    }
    case 'box':
      entry
        .append('rect')
        .attr('x', 2)
        .attr('y', -7)
        .attr('width', 20)
        .attr('height', 14)
        .attr('fill', item.color)
        .attr('fill-opacity', opacity)
        .attr('stroke', item.color);
      break;
    case 'circle':
      entry.append('line').attr('x1', 0).attr('x2', 24).attr('stroke', item.color).attr('stroke-width', 1.5);
      entry.append('circle').attr('cx', 12).attr('cy', 0).attr('r', 4).attr('fill', item.color);
      break;
    case 'square':
      entry.append('line').attr('x1', 0).attr('x2', 24).attr('stroke', item.color).attr('stroke-width', 1.5);
      entry.append('rect').attr('x', 8).attr('y', -4).attr('width', 8).attr('height', 8).attr('fill', item.color);
      break;
  }
}

/** Horizontal reference line across a plot with a label above (or below) one of its ends. */
export function horizontalRule(
  g: Sel,
  options: {
    y: number;
    width: number;
    color: string;
    dash: string | null;
    label: string;
    className: string;
    labelAbove?: boolean;
    /** Where the label sits along the line. @default 'end' */
    labelAt?: 'start' | 'end';
  },
): void {
  const rule = g.append('g').attr('class', `reference ${options.className}`);
  const line = rule
    .append('line')
    .attr('x1', 0)
    .attr('x2', options.width)
    .attr('y1', options.y)
    .attr('y2', options.y)
    .attr('stroke', options.color)
    .attr('stroke-width', 1.5);
  if (options.dash) line.attr('stroke-dasharray', options.dash);
  if (options.label) {
    rule
      .append('text')
      .attr('x', options.labelAt === 'start' ? 4 : options.width - 4)
      .attr('y', options.y + (options.labelAbove === false ? 14 : -5))
      .attr('text-anchor', options.labelAt === 'start' ? 'start' : 'end')
      .attr('font-size', FONT_SIZE.annotation)
      .attr('fill', options.color)
      .attr('paint-order', 'stroke')
      .attr('stroke', ROLE.background)
      .attr('stroke-width', 3)
      .text(options.label);
  }
}

/** `preferred` side of a vertical line at `x` for its label, flipped when the label would run past the plot edge. */
export function labelAnchor(x: number, label: string, width: number, preferred: 'start' | 'end'): 'start' | 'end' {
  const need = textWidth(label, FONT_SIZE.annotation) + 8;
  if (preferred === 'start') return x + need <= width ? 'start' : 'end';
  return x - need >= 0 ? 'end' : 'start';
}

/**
 * Vertical reference line across a plot with a label near its top; a negative `labelY` puts
 * the label above the plot and extends the line up to it.
 */
export function verticalRule(
  g: Sel,
  options: { x: number; height: number; color: string; dash: string | null; label: string; className: string; anchor?: 'start' | 'end'; labelY?: number },
): void {
  const rule = g.append('g').attr('class', `reference ${options.className}`);
  const line = rule
    .append('line')
    .attr('x1', options.x)
    .attr('x2', options.x)
    .attr('y1', Math.min(0, (options.labelY ?? 0) + 4))
    .attr('y2', options.height)
    .attr('stroke', options.color)
    .attr('stroke-width', 2);
  if (options.dash) line.attr('stroke-dasharray', options.dash);
  if (options.label) {
    const anchor = options.anchor ?? 'start';
    rule
      .append('text')
      .attr('x', options.x + (anchor === 'start' ? 5 : -5))
      .attr('y', options.labelY ?? 14)
      .attr('text-anchor', anchor)
      .attr('font-size', FONT_SIZE.annotation)
      .attr('fill', options.color)
      .attr('paint-order', 'stroke')
      .attr('stroke', ROLE.background)
      .attr('stroke-width', 3)
      .text(options.label);
  }
}

/** "No data" note centred in a plot area whose own series is empty (other panels still drawn). */
export function panelNoData(g: Sel, width: number, height: number, message: string): void {
  g.append('rect')
    .attr('class', 'panel-frame')
    .attr('width', width)
    .attr('height', height)
    .attr('fill', 'none')
    .attr('stroke', ROLE.grid)
    .attr('stroke-dasharray', '6,4');
  g.append('text')
    .attr('class', 'no-data')
    .attr('x', width / 2)
    .attr('y', height / 2)
    .attr('text-anchor', 'middle')
    .attr('font-size', FONT_SIZE.annotation)
    .attr('fill', ROLE.axis)
    .text(`No data: ${message}`);
}

/** Panel heading, left-aligned above a plot group. */
export function panelTitle(g: Sel, text: string, y = -12): void {
  g.append('text')
    .attr('class', 'panel-title')
    .attr('x', 0)
    .attr('y', y)
    .attr('font-size', FONT_SIZE.panelTitle)
    .attr('font-weight', 'bold')
    .text(text);
}
