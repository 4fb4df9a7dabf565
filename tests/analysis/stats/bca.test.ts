import { describe, expect, test } from 'vitest';
import { acceleration, bcaLevels, biasCorrection } from '../../../src/analysis/stats/bca';

describe('biasCorrection', () => {
  test('counts resamples equal to the estimate as half (SciPy _percentile_of_score)', () => {
    // 2 below + ½·2 equal of 5 -> 0.6; scipy.special.ndtri(0.6) = 0.2533471031357997.
    const z0 = biasCorrection(Float64Array.from([0.1, 0.2, 0.3, 0.3, 0.4]), 0.3);
    expect(z0).toBeCloseTo(0.2533471031357997, 15);
  });

  test('is ±∞ when every resample lies on one side of the estimate', () => {
    expect(biasCorrection(Float64Array.from([0.1, 0.2]), 0.5)).toBe(Number.POSITIVE_INFINITY);
    expect(biasCorrection(Float64Array.from([0.6, 0.7]), 0.5)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('acceleration', () => {
  test('sums the per-sample jackknife moments (hand example)', () => {
    // Sample 1: U = 2·(2 − [1, 2, 3]) = [2, 0, −2]: ΣU³/27 = 0, ΣU²/9 = 8/9.
    // Sample 2: U = 2·(2 − [1, 1, 4]) = [2, 2, −4]: ΣU³/27 = −48/27, ΣU²/9 = 24/9.
    // a = (−48/27) / (6 · (32/9)^1.5) = −0.044194173824159216 (also SciPy's formula in numpy).
    const a = acceleration([Float64Array.from([1, 2, 3]), Float64Array.from([1, 1, 4])]);
    expect(a).toBeCloseTo(-0.044194173824159216, 15);
  });

  test('is 0 for a symmetric influence and NaN when no deletion changes the statistic', () => {
    expect(acceleration([Float64Array.from([1, 2, 3])])).toBe(0);
    expect(acceleration([Float64Array.from([1, 1]), Float64Array.from([1, 1, 1])])).toBeNaN();
  });
});

describe('bcaLevels', () => {
  test('reduces to the percentile levels without bias or acceleration', () => {
    const [low, high] = bcaLevels(0, 0, 0.95);
    expect(low).toBeCloseTo(0.025, 15);
    expect(high).toBeCloseTo(0.975, 15);
  });

  test('shifts and stretches the levels by z0 and a (SciPy _bca_interval formula)', () => {
    // ndtr(z0 + (z0 + z)/(1 − a(z0 + z))) for z = ndtri(0.025), −ndtri(0.025), z0 = 0.3, a = 0.05.
    const [low, high] = bcaLevels(0.3, 0.05, 0.95);
    expect(low).toBeCloseTo(0.10883478488261095, 14);
    expect(high).toBeCloseTo(0.9977993449558952, 14);
  });

  test('gives NaN levels for an undefined acceleration or an infinite bias', () => {
    expect(bcaLevels(0, Number.NaN, 0.95).every(Number.isNaN)).toBe(true);
    expect(bcaLevels(Number.POSITIVE_INFINITY, 0.1, 0.95).some(Number.isNaN)).toBe(true);
  });
});
