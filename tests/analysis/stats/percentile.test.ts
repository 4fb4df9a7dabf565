import { describe, expect, test } from 'vitest';
import { mean, percentile, quantileSorted } from '../../../src/analysis/stats/percentile';

describe('percentile', () => {
  test('interpolates linearly between order statistics as numpy.percentile does', () => {
    // numpy 2.4: np.percentile([1, 2, 4, 7, 11], [0, 10, 25, 50, 62.5, 95, 100])
    //          -> [1.0, 1.4, 2.0, 4.0, 5.5, 10.2, 11.0]
    const values = Float64Array.from([7, 1, 11, 4, 2]);
    const expected: Array<[number, number]> = [[0, 1], [10, 1.4], [25, 2], [50, 4], [62.5, 5.5], [95, 10.2], [100, 11]];
    for (const [q, value] of expected) expect(percentile(values, q)).toBeCloseTo(value, 14);
  });

  test('reproduces numpy.percentile bit for bit, including the upper-neighbour interpolation', () => {
    // repr(np.percentile([0.1, 0.7, 0.25, 0.9, 0.33, 0.61], q)) for q = 2.5, 37, 97.5, 1.8569365926116774
    const values = Float64Array.from([0.1, 0.7, 0.25, 0.9, 0.33, 0.61]);
    expect(percentile(values, 2.5)).toBe(0.11875000000000001);
    expect(percentile(values, 37)).toBe(0.318);
    expect(percentile(values, 97.5)).toBe(0.875);
    expect(percentile(values, 1.8569365926116774)).toBe(0.11392702444458759);
  });

  test('skips missing values and is NaN when none is left', () => {
    expect(percentile(Float64Array.from([Number.NaN, 3, 1, Number.POSITIVE_INFINITY]), 50)).toBe(2);
    expect(percentile(Float64Array.from([Number.NaN]), 50)).toBeNaN();
  });

  test('BAD CALL - rejects q outside [0, 100]', () => {
    expect(() => percentile(Float64Array.from([1]), 101)).toThrow(/q must be in \[0, 100\], got 101/);
    expect(() => quantileSorted(Float64Array.from([1]), Number.NaN)).toThrow(RangeError);
  });

  test('of a single value is that value at every level', () => {
    for (const p of [0, 0.3, 1]) expect(quantileSorted(Float64Array.from([5]), p)).toBe(5);
  });
});

describe('mean', () => {
  test('averages the finite values only', () => {
    expect(mean(Float64Array.from([1, Number.NaN, 2, 6]))).toBe(3);
    expect(mean(new Float64Array(0))).toBeNaN();
  });
});
