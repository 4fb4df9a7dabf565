import { describe, expect, test } from 'vitest';
import { holm } from '../../../src/analysis/stats/holm';
import { Rng } from '../../../src/random/rng';

const p = (...values: number[]) => Float64Array.from(values);

describe('holm', () => {
  test('adjusts a textbook family and reports it in the original order', () => {
    // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 -> running max 0.06.
    const result = holm(p(0.01, 0.04, 0.03, 0.005), 0.05);
    [0.03, 0.06, 0.06, 0.02].forEach((expected, i) => expect(result.adjusted[i]).toBeCloseTo(expected, 15));
    expect(result.reject).toEqual([true, false, false, true]);
    expect(result.familySize).toBe(4);
  });

  test('leaves NaN p-values out of the family: m counts only the tests that were run', () => {
    const result = holm(p(Number.NaN, 0.01, Number.NaN, 0.04));
    expect(result.familySize).toBe(2);
    expect(result.adjusted[0]).toBeNaN();
    expect(result.adjusted[2]).toBeNaN();
    expect(result.adjusted[1]).toBeCloseTo(0.02, 15);
    expect(result.adjusted[3]).toBeCloseTo(0.04, 15);
    expect(result.reject).toEqual([false, true, false, true]);
  });

  test('caps adjusted p-values at 1 and keeps them monotone in the raw p-values', () => {
    const result = holm(p(0.5, 0.6, 0.9, 0.2));
    expect([...result.adjusted]).toEqual([1, 1, 1, 0.8]);
    expect(result.reject).toEqual([false, false, false, false]);
  });

  test('rejects exactly what the step-down procedure rejects (random families)', () => {
    const rng = Rng.derive(4, 'holm');
    for (let trial = 0; trial < 200; trial++) {
      const m = 1 + rng.int(12);
      const values = Float64Array.from({ length: m }, () => (rng.int(3) === 0 ? rng.float() * 0.01 : rng.float() * 0.2));
      // Step-down: walk the sorted p-values and stop at the first p_(k) > alpha / (m − k).
      const order = [...values.keys()].sort((a, b) => values[a] - values[b]);
      const expected = new Array<boolean>(m).fill(false);
      for (let k = 0; k < m && values[order[k]] <= 0.05 / (m - k); k++) expected[order[k]] = true;
      expect(holm(values, 0.05).reject).toEqual(expected);
    }
  });

  test('of an empty family is empty', () => {
    expect(holm(new Float64Array(0))).toEqual({ adjusted: new Float64Array(0), reject: [], familySize: 0 });
  });

  test('BAD CALL - rejects a p-value outside [0, 1], naming its index', () => {
    expect(() => holm(p(0.1, 1.5))).toThrow(/p-value 1 must be in \[0, 1\] or NaN, got 1.5/);
  });
});
