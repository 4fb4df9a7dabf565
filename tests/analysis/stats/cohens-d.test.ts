import { describe, expect, test } from 'vitest';
import { cohensD } from '../../../src/analysis/stats/cohens-d';

const values = (...x: number[]) => Float64Array.from(x);

describe('cohensD', () => {
  test('divides the mean difference by the pooled SD with ddof = 1 (hand example)', () => {
    // Means 4 and 2; variances 4 and 1; pooled variance (2·4 + 2·1)/4 = 2.5; d = 2/√2.5.
    expect(cohensD(values(2, 4, 6), values(1, 2, 3))).toBeCloseTo(2 / Math.sqrt(2.5), 15);
  });

  test('weights the variances by their degrees of freedom for unequal classes', () => {
    // numpy: (v.mean() − c.mean()) / sqrt((3·v.var(ddof=1) + 2·c.var(ddof=1)) / 5) = 0.819782294729941
    expect(cohensD(values(1, 3, 5, 7), values(2, 2, 3))).toBeCloseTo(0.819782294729941, 14);
  });

  test('is negative when violations are lower, and ignores non-finite values', () => {
    expect(cohensD(values(1, 2, 3, Number.NaN), values(2, 4, 6, Number.NEGATIVE_INFINITY))).toBeCloseTo(-2 / Math.sqrt(2.5), 15);
  });

  test('is NaN with fewer than 2 values in a class or a pooled SD below 1e-12', () => {
    expect(cohensD(values(1), values(1, 2, 3))).toBeNaN();
    expect(cohensD(values(1, 2), values(Number.NaN, 3))).toBeNaN();
    expect(cohensD(values(5, 5, 5), values(2, 2))).toBeNaN();
    expect(cohensD(values(1, 1 + 1e-13), values(0, 1e-13))).toBeNaN();
  });
});
