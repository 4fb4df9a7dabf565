import { describe, expect, test } from 'vitest';
import { horizonHeatmapFigure } from '../../../src/report/figures/horizon-heatmap';
import { horizonData, PRIMARY_METRICS } from './fixtures';
import { all, expectFigure, expectNoData } from './svg-helpers';

const TITLE = 'Predictive horizon per metric and rule length r (largest lookback with AUROC > 0.75)';

describe('horizonHeatmapFigure', () => {
  test('has one annotated cell per metric x r', () => {
    const data = horizonData();
    const doc = expectFigure(horizonHeatmapFigure(data), TITLE, ['Rule length r (steps)', 'Metric']);
    expect(all(doc, 'g.cell')).toHaveLength(8 * 5);
    expect(all(doc, '.column-label').map((e) => e.textContent)).toEqual(['r = 4', 'r = 8', 'r = 16', 'r = 32', 'r = 64']);
    expect(all(doc, '.row-label').map((e) => e.textContent)).toEqual(data.metrics);
    const values = all(doc, '.cell-value').map((e) => e.textContent);
    expect(values).toEqual(data.horizon.flat().map((v) => (v === null ? '–' : String(v))));
  });

  test('a missing horizon is a grey "–" cell and 0 is a coloured cell', () => {
    const doc = expectFigure(horizonHeatmapFigure(horizonData()), TITLE);
    expect(all(doc, 'g.cell.missing')).toHaveLength(1);
    const zeroRow = all(doc, 'g.cell').slice(5 * 5, 6 * 5);
    expect(zeroRow.map((c) => c.querySelector('text')?.textContent)).toEqual(['0', '0', '0', '0', '0']);
  });

  test('larger horizons are darker, and the legend spans 0 to the largest', () => {
    const doc = expectFigure(horizonHeatmapFigure({ metrics: ['a'], rValues: [1, 2, 3], horizon: [[0, 5, 10]] }), /Predictive horizon/);
    const fills = all(doc, 'g.cell rect').map((r) => r.getAttribute('fill')!);
    const lightness = fills.map((f) => (/\d+, (\d+), \d+/.exec(f) ?? ['', '0'])[1]).map(Number);
    expect(lightness[0]).toBeGreaterThan(lightness[1]);
    expect(lightness[1]).toBeGreaterThan(lightness[2]);
    expect(all(doc, '.legend-swatch text').map((e) => e.textContent)).toEqual(['0', '5', '10', 'not analysed']);
  });

  test('primary metrics have bold row labels', () => {
    const doc = expectFigure(horizonHeatmapFigure(horizonData()), TITLE);
    expect(all(doc, '.row-label.primary').map((e) => e.textContent)).toEqual(PRIMARY_METRICS);
    expect(all(doc, '.row-label.primary').every((e) => e.getAttribute('font-weight') === 'bold')).toBe(true);
  });

  test('no metrics gives the "no data" figure', () => {
    expectNoData(horizonHeatmapFigure({ metrics: [], rValues: [4], horizon: [] }));
  });

  test('BAD CALL - a row of the wrong length throws RangeError', () => {
    expect(() => horizonHeatmapFigure({ metrics: ['a', 'b'], rValues: [4, 8], horizon: [[1, 2], [3]] })).toThrow(/horizon\[1\] has 1 values but rValues has 2/);
  });
});
