/** Properties every figure shares: fixed size, the one palette, no NaN leaking into the SVG, readable text, valid PNG. */
import { describe, expect, test } from 'vitest';
import { CATEGORICAL, OKABE_ITO, ROLE } from '../../../src/report/figures/palette';
import { renderFigure, svgToPng, type FigureSpec } from '../../../src/report/figures/index';
import * as fx from './fixtures';
import { all, parseSvg, pngSize, svgSize } from './svg-helpers';

const SPECS: FigureSpec[] = [
  { name: 'training', kind: 'training-curves', data: fx.trainingData() },
  { name: 'confusion', kind: 'confusion-matrix', data: fx.confusionData() },
  { name: 'event', kind: 'event-aligned', data: fx.eventAlignedData() },
  { name: 'distribution', kind: 'distribution', data: fx.distributionData() },
  { name: 'auroc', kind: 'auroc-lookback', data: fx.aurocData() },
  { name: 'horizon', kind: 'horizon-heatmap', data: fx.horizonData() },
  { name: 'spectrum', kind: 'spectrum-trajectory', data: fx.spectrumData() },
  { name: 'permutation', kind: 'permutation-null', data: fx.permutationData() },
];

const PALETTE = new Set([...Object.values(OKABE_ITO), ...Object.values(ROLE), ...CATEGORICAL, '#FFFFFF'].map((c) => c.toLowerCase()));

describe.each(SPECS)('$kind', (spec) => {
  const svg = renderFigure(spec);
  const doc = parseSvg(svg);

  test('declares its kind, a fixed size and the figure font', () => {
    svgSize(doc);
    expect(doc.documentElement.getAttribute('data-figure')).toBe(spec.kind);
    expect(doc.documentElement.getAttribute('font-family')).toMatch(/DejaVu Sans/);
  });

  test('uses only palette colours (sequential fills as rgb())', () => {
    const colours = all(doc, '*').flatMap((e) => [e.getAttribute('fill'), e.getAttribute('stroke')]).filter((c): c is string => c !== null);
    const foreign = colours.filter((c) => c !== 'none' && !PALETTE.has(c.toLowerCase()) && !/^rgb\(\d+, \d+, \d+\)$/.test(c));
    expect(foreign).toEqual([]);
  });

  test('never writes NaN, Infinity or undefined into the SVG', () => {
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  test('has axis labels and no text smaller than 9 px', () => {
    expect(all(doc, '.axis-label').length).toBeGreaterThanOrEqual(2);
    const sizes = all(doc, '[font-size]').map((e) => Number(e.getAttribute('font-size')));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(9);
  });

  test('rasterises to a PNG of twice its size', () => {
    const { width, height } = svgSize(doc);
    expect(pngSize(svgToPng(svg))).toEqual({ width: 2 * width, height: 2 * height });
  });
});
