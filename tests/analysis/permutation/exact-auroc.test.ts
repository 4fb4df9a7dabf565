import { describe, expect, it } from 'vitest';
import { aurocOfRankSum, compareFractions, exactAurocOfRankSum } from '../../../src/analysis/permutation/exact-auroc';

describe('exact AUROC', () => {
  it('is (S2 - nv(nv+1)) / (2 nv nc) from the doubled rank sum, NaN below 2 per class', () => {
    // Violations ranked 3 and 4 of 4: AUROC 1; ranked 1 and 2: AUROC 0; a tie at 2.5, 2.5: 0.5.
    expect(aurocOfRankSum(14, 2, 2)).toBe(1);
    expect(aurocOfRankSum(6, 2, 2)).toBe(0);
    expect(aurocOfRankSum(10, 2, 2)).toBe(0.5);
    expect(aurocOfRankSum(4, 1, 3)).toBeNaN();
    expect(exactAurocOfRankSum(10, 2, 1)).toBeNull();
    expect(exactAurocOfRankSum(10, 2, 2)).toEqual({ numerator: 4, denominator: 8, value: 0.5 });
  });

  it('orders fractions exactly when their doubles are equal', () => {
    // (2^52 - 1) / 2^52 and (2^53 - 3) / (2^53 - 1) differ by ~2^-105 and round to the same double.
    const big = 2 ** 52;
    const a = [big - 1, big] as const;
    const b = [2 * big - 3, 2 * big - 1] as const;
    expect(a[0] / a[1]).toBe(b[0] / b[1]);
    const exact = BigInt(a[0]) * BigInt(b[1]) - BigInt(b[0]) * BigInt(a[1]);
    const sign = exact < 0n ? -1 : exact > 0n ? 1 : 0;
    expect(compareFractions(a[0], a[1], b[0], b[1])).toBe(sign);
    expect(compareFractions(b[0], b[1], a[0], a[1])).toBe(-sign);
    expect(sign).not.toBe(0);
    expect(compareFractions(3, 6, 1, 2)).toBe(0);
    expect(compareFractions(1, 3, 1, 2)).toBe(-1);
  });
});
