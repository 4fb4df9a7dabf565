import { describe, expect, test } from 'vitest';
import { distributionFigure } from '../../../src/report/figures/distributions';
import { distributionData } from './fixtures';
import { all, expectFigure, expectNoData } from './svg-helpers';

const TITLE = 'avwo.layer_0.stable_rank at lookback j = 3, r = 8: violations vs controls';

describe('distributionFigure', () => {
  test('draws both classes on the same bins with a median each, counting only finite values', () => {
    const doc = expectFigure(distributionFigure(distributionData()), TITLE, ['stable_rank (dimensionless)', 'Share of class (%)']);
    const violation = all(doc, 'rect.bar.violation');
    const control = all(doc, 'rect.bar.control');
    expect(violation.length).toBeGreaterThanOrEqual(5);
    expect(control).toHaveLength(violation.length);
    expect(violation.map((b) => b.getAttribute('x'))).toEqual(control.map((b) => b.getAttribute('x')));
    expect(all(doc, '.median')).toHaveLength(2);
    expect(all(doc, '.legend-item text').map((e) => e.textContent)).toEqual(['violations (n = 60)', 'controls (n = 900)']);
  });

  test('each class sums to 100 % of its own values', () => {
    const doc = expectFigure(distributionFigure({ ...distributionData(), bins: 10 }), TITLE);
    const yAxisTicks = all(doc, '.y-axis .tick').map((t) => ({ label: t.textContent, y: Number(/,([\d.]+)\)/.exec(t.getAttribute('transform') ?? '')?.[1]) }));
    const zero = yAxisTicks.find((t) => t.label === '0%')!.y;
    const unit = yAxisTicks.find((t) => t.label === '10%')!.y;
    const perPercent = (zero - unit) / 10;
    for (const cls of ['violation', 'control']) {
      const total = all(doc, `rect.bar.${cls}`).reduce((s, b) => s + Number(b.getAttribute('height')), 0) / perPercent;
      expect(total).toBeCloseTo(100, 0);
    }
  });

  test('an empty class is named in the legend and draws no median', () => {
    const doc = expectFigure(distributionFigure({ ...distributionData(), violation: [null, NaN] }), TITLE);
    expect(all(doc, '.legend-item text')[0].textContent).toBe('violations (n = 0, no values)');
    expect(all(doc, '.median')).toHaveLength(1);
  });

  test('identical values still get a valid axis', () => {
    const doc = expectFigure(distributionFigure({ ...distributionData(), violation: [2, 2], control: [2] }), TITLE);
    expect(all(doc, 'rect.bar.violation').length).toBeGreaterThan(0);
  });

  test('no finite value in either class gives the "no data" figure', () => {
    expectNoData(distributionFigure({ ...distributionData(), violation: [], control: [NaN, null] }));
  });
});
