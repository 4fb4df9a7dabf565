import { describe, expect, test } from 'vitest';
import { aurocLookbackFigure, panelColumns } from '../../../src/report/figures/auroc-lookback';
import { ROLE } from '../../../src/report/figures/palette';
import { aurocData, PRIMARY_METRICS } from './fixtures';
import { all, expectFigure, expectNoData, subpaths, svgSize } from './svg-helpers';

const TITLE = 'AUROC of each metric versus lookback j, one panel per rule length r';

describe('aurocLookbackFigure', () => {
  test('has one panel per r, in order, with shared axis labels', () => {
    const doc = expectFigure(aurocLookbackFigure(aurocData()), TITLE, ['Lookback j (steps before rule resolution)', 'AUROC (violation vs control)']);
    expect(all(doc, 'g.panel').map((p) => p.getAttribute('data-r'))).toEqual(['4', '8', '16', '32', '64']);
    expect(all(doc, 'g.panel .panel-title tspan')[0].textContent).toBe('r = 4');
  });

  test('primary metrics are thick, coloured and named; the ~50 others are thin translucent grey', () => {
    const doc = expectFigure(aurocLookbackFigure(aurocData()), TITLE);
    for (const panel of all(doc, 'g.panel')) {
      const primary = Array.from(panel.querySelectorAll('path.curve.primary'));
      const context = Array.from(panel.querySelectorAll('path.curve.context'));
      expect(primary.map((p) => p.getAttribute('data-metric'))).toEqual(PRIMARY_METRICS);
      expect(context).toHaveLength(50);
      for (const p of primary) {
        expect(Number(p.getAttribute('stroke-width'))).toBeGreaterThanOrEqual(2);
        expect(p.getAttribute('stroke')).not.toBe(ROLE.context);
      }
      // The grey curves inherit their stroke from their group.
      const group = panel.querySelector('g.context-curves')!;
      expect(context.every((p) => p.getAttribute('stroke') === null)).toBe(true);
      expect(group.getAttribute('stroke')).toBe(ROLE.context);
      expect(Number(group.getAttribute('stroke-width'))).toBeLessThan(1);
      expect(Number(group.getAttribute('stroke-opacity'))).toBeLessThan(0.5);
    }
    expect(all(doc, '.legend-item.primary-entry text').map((e) => e.textContent)).toEqual(PRIMARY_METRICS);
    expect(all(doc, '.legend-item text').map((e) => e.textContent)).toContain('50 other metrics');
  });

  test('a primary metric has the same colour in every panel and differs from the other primaries', () => {
    const doc = expectFigure(aurocLookbackFigure(aurocData()), TITLE);
    const colours = new Map<string, Set<string>>();
    for (const p of all(doc, 'path.curve.primary')) {
      const metric = p.getAttribute('data-metric')!;
      colours.set(metric, (colours.get(metric) ?? new Set()).add(p.getAttribute('stroke')!));
    }
    for (const set of colours.values()) expect(set.size).toBe(1);
    expect(new Set([...colours.values()].map((s) => [...s][0])).size).toBe(PRIMARY_METRICS.length);
  });

  test('primary curves get point markers in short panels only (r ≤ 16)', () => {
    const doc = expectFigure(aurocLookbackFigure(aurocData([4, 64], 3)), TITLE);
    const [short, long] = all(doc, 'g.panel');
    // 5 primary curves x 4 lookbacks, less the one missing value of the first metric.
    expect(short.querySelectorAll('.primary-points circle')).toHaveLength(19);
    expect(long.querySelectorAll('.primary-points circle')).toHaveLength(0);
  });

  test('every panel has the threshold and the chance line', () => {
    const doc = expectFigure(aurocLookbackFigure(aurocData()), TITLE);
    expect(all(doc, 'g.panel .threshold line')).toHaveLength(5);
    expect(all(doc, 'g.panel .chance line')).toHaveLength(5);
    expect(all(doc, '.threshold-label').map((e) => e.textContent)).toEqual(['0.75', '0.75', '0.75', '0.75', '0.75']);
  });

  test('a missing AUROC splits the line instead of dropping to 0', () => {
    const doc = expectFigure(aurocLookbackFigure(aurocData([8], 3)), TITLE);
    const first = all(doc, 'path.curve.primary').find((p) => p.getAttribute('data-metric') === PRIMARY_METRICS[0])!;
    expect(subpaths(first)).toBe(2);
  });

  test('eight r values wrap into two rows of four and the figure stays laptop-sized', () => {
    const doc = expectFigure(aurocLookbackFigure(aurocData([1, 2, 3, 4, 8, 16, 64, 128])), TITLE);
    expect(all(doc, 'g.panel')).toHaveLength(8);
    const { width, height } = svgSize(doc);
    expect(width).toBeLessThanOrEqual(1300);
    expect(height).toBeLessThanOrEqual(900);
    expect(panelColumns(8)).toBe(4);
    expect(panelColumns(5)).toBe(3);
  });

  test('a panel with only missing AUROCs says so while the other panels are drawn', () => {
    const data = aurocData([4, 8], 2);
    const blank = { ...data.panels[1], curves: data.panels[1].curves.map((c) => ({ ...c, auroc: c.auroc.map(() => NaN) })) };
    const doc = expectFigure(aurocLookbackFigure({ ...data, panels: [data.panels[0], blank] }), TITLE);
    expect(all(doc, 'g.panel')[1].querySelectorAll('.no-data')).toHaveLength(1);
    expect(all(doc, 'g.panel')[0].querySelectorAll('path.curve')).toHaveLength(7);
  });

  test('no r at all gives the "no data" figure', () => {
    expectNoData(aurocLookbackFigure({ panels: [], threshold: 0.75 }));
  });
});
