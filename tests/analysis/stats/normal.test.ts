import { describe, expect, test } from 'vitest';
import { erfc, normalCdf, normalQuantile } from '../../../src/analysis/stats/normal';

/** |actual / expected − 1| <= tolerance, or both zero. */
function expectRelative(actual: number, expected: number, tolerance: number): void {
  if (expected === 0) expect(actual).toBe(0);
  else expect(Math.abs(actual / expected - 1)).toBeLessThanOrEqual(tolerance);
}

// Expected values: scipy.special (1.17.1) ndtri / ndtr / erfc, printed with repr().
const QUANTILES: Array<[number, number]> = [
  [0.975, 1.959963984540054],
  [0.025, -1.9599639845400545],
  [0.6, 0.2533471031357997],
  [0.1, -1.2815515655446004],
  [0.02, -2.053748910631823],
  [1e-5, -4.264890793922825],
  [1e-10, -6.361340902404056],
  [1e-100, -21.273453560965322],
  [1e-300, -37.0470962993612],
  [0.999999, 4.753424308817087],
];
const CDF: Array<[number, number]> = [
  [-10, 7.61985302416047e-24],
  [-5, 2.866515718791933e-7],
  [-1.96, 0.024997895148220435],
  [-1, 0.15865525393145707],
  [-0.3, 0.3820885778110474],
  [0.3, 0.6179114221889526],
  [1, 0.8413447460685429],
  [2.5, 0.9937903346742238],
  [8, 0.9999999999999993],
];
// One point on each of fdlibm's ranges and both sides of each boundary.
const ERFC: Array<[number, number]> = [
  [-3, 1.9999779095030015],
  [-1, 1.8427007929497148],
  [-0.5, 1.5204998778130465],
  [1e-10, 0.999999999887162],
  [0.1, 0.8875370839817152],
  [0.5, 0.4795001221869535],
  [0.84, 0.23485728854500554],
  [0.9, 0.20309178757716784],
  [1, 0.15729920705028516],
  [1.2, 0.08968602177036462],
  [1.3, 0.06599205505934758],
  [2, 0.004677734981047266],
  [2.9, 4.109787809945884e-5],
  [3, 2.2090496998585445e-5],
  [5, 1.5374597944280347e-12],
  [10, 2.0884875837625446e-45],
  [26, 5.663192408856145e-296],
];

describe('normalQuantile', () => {
  test('matches SciPy ndtri to 1e-15 relative from the centre to p = 1e-300', () => {
    for (const [p, expected] of QUANTILES) expectRelative(normalQuantile(p), expected, 1e-15);
  });

  test('is exactly 0 at 0.5, ±∞ at the ends and NaN outside [0, 1]', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });

  test('is antisymmetric about 0.5', () => {
    for (const p of [0.3, 0.05, 1e-4]) expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 11);
  });
});

describe('normalCdf', () => {
  test('matches SciPy ndtr to 5e-15 relative, including the far lower tail', () => {
    // The deep tail loses a few ulps to the rounding of x / √2, as SciPy's does.
    for (const [x, expected] of CDF) expectRelative(normalCdf(x), expected, 5e-15);
    expect(normalCdf(0)).toBe(0.5);
  });

  test('inverts normalQuantile', () => {
    for (const p of [1e-12, 0.001, 0.2, 0.5, 0.7, 0.99]) expectRelative(normalCdf(normalQuantile(p)), p, 1e-13);
  });
});

describe('erfc', () => {
  test('matches SciPy erfc to 1e-15 relative on every approximation range', () => {
    for (const [x, expected] of ERFC) expectRelative(erfc(x), expected, 1e-15);
  });

  test('saturates at 0 and 2 and propagates NaN', () => {
    expect(erfc(40)).toBe(0);
    expect(erfc(-40)).toBe(2);
    expect(erfc(0)).toBe(1);
    expect(erfc(Number.NaN)).toBeNaN();
  });
});
