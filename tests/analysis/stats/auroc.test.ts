import { describe, expect, test } from 'vitest';
import { auroc } from '../../../src/analysis/stats/auroc';
import { Rng } from '../../../src/random/rng';

/** P(v > c) + ½P(v = c) over all pairs, counted one pair at a time. */
function bruteForceAuroc(v: number[], c: number[]): number {
  let pairs = 0;
  for (const x of v) for (const y of c) pairs += x > y ? 1 : x === y ? 0.5 : 0;
  return pairs / (v.length * c.length);
}

describe('auroc', () => {
  test('counts a tie as half a pair (hand example: 4.5 of 6 pairs)', () => {
    // Pairs: 1>0; 2>0, 2=2 (½); 3>0, 3>2; 1<2 -> 4.5 / 6.
    expect(auroc(Float64Array.from([1, 2, 3]), Float64Array.from([0, 2]))).toBe(0.75);
  });

  test('equals brute-force pair counting exactly on random integer data with many ties', () => {
    const rng = Rng.derive(3, 'auroc');
    for (let trial = 0; trial < 40; trial++) {
      const levels = 1 + rng.int(8);
      const shift = rng.int(3);
      const v = Array.from({ length: 2 + rng.int(60) }, () => rng.int(levels) + shift);
      const c = Array.from({ length: 2 + rng.int(60) }, () => rng.int(levels));
      expect(auroc(Float64Array.from(v), Float64Array.from(c))).toBe(bruteForceAuroc(v, c));
    }
  });

  test('is 1 for perfect separation, 0 for reversed separation and 0.5 for identical samples', () => {
    const low = Float64Array.from([1, 2, 3]);
    const high = Float64Array.from([4, 5, 6, 7]);
    expect(auroc(high, low)).toBe(1);
    expect(auroc(low, high)).toBe(0); // no folding: lower in violations stays below 0.5
    expect(auroc(low, low)).toBe(0.5);
  });

  test('drops non-finite values before ranking', () => {
    const v = Float64Array.from([1, Number.NaN, 2, 3, Number.POSITIVE_INFINITY]);
    const c = Float64Array.from([Number.NEGATIVE_INFINITY, 0, 2, Number.NaN]);
    expect(auroc(v, c)).toBe(0.75);
  });

  test('is NaN when a class has fewer than 2 finite values', () => {
    expect(auroc(Float64Array.from([1]), Float64Array.from([0, 2]))).toBeNaN();
    expect(auroc(Float64Array.from([1, 2]), Float64Array.from([0, Number.NaN]))).toBeNaN();
    expect(auroc(new Float64Array(0), new Float64Array(0))).toBeNaN();
  });
});
