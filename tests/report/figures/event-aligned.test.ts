import { describe, expect, test } from 'vitest';
import { meanBand } from '../../../src/report/figures/band';
import { eventAlignedFigure } from '../../../src/report/figures/event-aligned';
import { eventAlignedData } from './fixtures';
import { all, expectFigure, expectNoData, subpaths } from './svg-helpers';

const TITLE = 'qkt.layer_0.grassmannian_distance: violations vs controls around rule resolution (r = 8)';

describe('eventAlignedFigure', () => {
  test('draws a band and a mean line per class, the resolution line and both classes in the legend', () => {
    const doc = expectFigure(eventAlignedFigure(eventAlignedData()), TITLE, [
      'Step relative to rule resolution (steps)',
      'grassmannian_distance (radians)',
    ]);
    expect(all(doc, 'path.band')).toHaveLength(2);
    expect(all(doc, 'path.mean')).toHaveLength(2);
    expect(all(doc, '.resolution text').map((e) => e.textContent)).toEqual(['resolution']);
    expect(all(doc, '.legend-item text').map((e) => e.textContent)).toEqual(['violations (n = 40 events)', 'controls (n = 300 events)']);
  });

  test('a missing mean leaves a gap and no marker', () => {
    const doc = expectFigure(eventAlignedFigure(eventAlignedData()), TITLE);
    expect(subpaths(all(doc, 'path.mean.violation')[0])).toBe(2);
    expect(all(doc, 'circle.mean-point.violation')).toHaveLength(8);
    expect(all(doc, 'circle.mean-point.control')).toHaveLength(9);
  });

  test('lookback positions (all positive) have no resolution line', () => {
    const data = eventAlignedData();
    const doc = expectFigure(eventAlignedFigure({ ...data, x: data.x.map((v) => -v), xLabel: 'Lookback j (steps)' }), TITLE, ['Lookback j (steps)']);
    expect(all(doc, '.resolution')).toHaveLength(0);
  });

  test('a class without values is drawn empty and says so in the legend', () => {
    const data = eventAlignedData();
    const empty = { mean: data.x.map(() => null), lower: data.x.map(() => null), upper: data.x.map(() => NaN), n: 0 };
    const doc = expectFigure(eventAlignedFigure({ ...data, violation: empty }), TITLE);
    expect(all(doc, '.legend-item text')[0].textContent).toBe('violations (n = 0 events, no values)');
  });

  test('no finite value in either class gives the "no data" figure', () => {
    const data = eventAlignedData();
    const empty = meanBand([]);
    expectNoData(eventAlignedFigure({ ...data, x: [], violation: empty, control: empty }));
  });

  test('BAD CALL - a series shorter than x throws RangeError naming it', () => {
    const data = eventAlignedData();
    expect(() => eventAlignedFigure({ ...data, control: { ...data.control, upper: [1] } })).toThrow(/control\.upper has 1 values but x has 9/);
  });
});

describe('meanBand', () => {
  test('is the mean ± 1.96 standard errors of the finite values at each position', () => {
    const band = meanBand([
      [1, 2, null],
      [3, NaN, null],
    ]);
    // position 0: mean 2, sd √2, SE 1 → ±1.96; position 1: one value, no band; position 2: nothing.
    expect(band.mean).toEqual([2, 2, null]);
    expect(band.lower[0]).toBeCloseTo(0.04, 10);
    expect(band.upper[0]).toBeCloseTo(3.96, 10);
    expect([band.lower[1], band.upper[1], band.lower[2]]).toEqual([null, null, null]);
    expect(band.n).toBe(2);
  });

  test('BAD CALL - rows of different lengths throw RangeError', () => {
    expect(() => meanBand([[1, 2], [3]])).toThrow(RangeError);
  });
});
