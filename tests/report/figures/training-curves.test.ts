import { describe, expect, test } from 'vitest';
import { decimate, movingAverage, trainingCurvesFigure } from '../../../src/report/figures/training-curves';
import { trainingData } from './fixtures';
import { all, expectFigure, expectNoData, subpaths } from './svg-helpers';

const TITLE = 'Training: cross-entropy loss per step and gate compliance per evaluation';

describe('trainingCurvesFigure', () => {
  test('draws loss, moving average, one marker per finite compliance value and both gate lines', () => {
    const doc = expectFigure(trainingCurvesFigure(trainingData()), TITLE, ['Training step', 'Cross-entropy loss (nats)', 'Compliance (% of checks)']);
    expect(all(doc, 'path.loss-raw')).toHaveLength(1);
    expect(all(doc, 'path.loss-average')).toHaveLength(1);
    expect(all(doc, 'circle.edge-point')).toHaveLength(10);
    expect(all(doc, 'rect.rule-point')).toHaveLength(9); // one rule evaluation is null
    expect(all(doc, '.gate-edge text').map((t) => t.textContent)).toEqual(['edge gate 95%']);
    expect(all(doc, '.gate-rule text').map((t) => t.textContent)).toEqual(['rule gate 80%']);
    expect(all(doc, '.legend-item text').map((t) => t.textContent)).toContain('moving average (60 steps)');
  });

  test('a gate line sits at its threshold on the compliance axis', () => {
    const doc = expectFigure(trainingCurvesFigure(trainingData()), TITLE);
    const gridYs = all(doc, '.compliance-panel .y-axis .tick').map((t) => [t.textContent, t.getAttribute('transform')]);
    const y0 = Number(/,([\d.]+)\)/.exec(String(gridYs.find(([text]) => text === '0%')?.[1]))?.[1]);
    const y100 = Number(/,([\d.]+)\)/.exec(String(gridYs.find(([text]) => text === '100%')?.[1]))?.[1]);
    const gateY = Number(all(doc, '.gate-edge line')[0].getAttribute('y1'));
    // d3-axis offsets ticks by 0.5 px for crisp lines.
    expect(Math.abs(gateY - (y0 + 0.95 * (y100 - y0)))).toBeLessThan(1);
  });

  test('missing loss values leave a gap in the raw line instead of a zero', () => {
    const doc = expectFigure(trainingCurvesFigure(trainingData(500)), TITLE);
    expect(subpaths(all(doc, 'path.loss-raw')[0])).toBe(2);
  });

  test('a long loss series is decimated for drawing', () => {
    const svg = trainingCurvesFigure(trainingData(50_000));
    const d = all(expectFigure(svg, TITLE), 'path.loss-raw')[0].getAttribute('d') ?? '';
    expect(d.split(/[ML]/).length - 1).toBeLessThanOrEqual(2000);
    expect(svg.length).toBeLessThan(200_000);
  });

  test('an empty loss series draws a "no data" loss panel next to the compliance panel', () => {
    const data = trainingData();
    const doc = expectFigure(trainingCurvesFigure({ ...data, loss: { steps: [], values: [] } }), TITLE);
    expect(all(doc, '.loss-panel .no-data')).toHaveLength(1);
    expect(all(doc, 'circle.edge-point')).toHaveLength(10);
  });

  test('no loss and no compliance gives the "no data" figure', () => {
    const message = expectNoData(
      trainingCurvesFigure({ loss: { steps: [0, 1], values: [NaN, null] }, compliance: { steps: [], edge: [], rule: [] }, gates: { edge: 0.95, rule: 0.8 } }),
    );
    expect(message).toContain('no loss values');
  });

  test('BAD CALL - parallel arrays of different lengths throw RangeError naming the field', () => {
    const data = trainingData();
    expect(() => trainingCurvesFigure({ ...data, compliance: { ...data.compliance, rule: [0.5] } })).toThrow(RangeError);
    expect(() => trainingCurvesFigure({ ...data, compliance: { ...data.compliance, rule: [0.5] } })).toThrow(/compliance\.rule has 1 values/);
  });
});

describe('movingAverage', () => {
  test('is the trailing mean of the finite values in the window, null at a missing value', () => {
    expect(movingAverage([1, 2, 3, null, 5], 2)).toEqual([1, 1.5, 2.5, null, 5]);
  });
});

describe('decimate', () => {
  test('keeps the minimum and maximum of each bucket in step order', () => {
    const steps = Array.from({ length: 12 }, (_, i) => i);
    // 4 buckets of 3: [5 1 9] [3 NaN null] [NaN NaN NaN] [2 2 7]
    const { steps: s, values: v } = decimate(steps, [5, 1, 9, 3, NaN, null, NaN, NaN, NaN, 2, 2, 7], 8);
    expect(s).toEqual([1, 2, 3, 3, 6, 9, 11]);
    expect(v).toEqual([1, 9, 3, 3, null, 2, 7]);
  });
});
