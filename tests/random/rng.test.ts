import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng';

describe('Rng', () => {
  it('matches the published xoshiro128** output sequence for state [1, 2, 3, 4]', () => {
    const rng = Rng.fromState([1, 2, 3, 4]);
    const out = Array.from({ length: 6 }, () => rng.uint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('derives the same stream for the same seed and path, and different streams otherwise', () => {
    const draw = (rng: Rng) => Array.from({ length: 4 }, () => rng.uint32());
    expect(draw(Rng.derive(42, 'walks', 'train', 7))).toEqual(draw(Rng.derive(42, 'walks', 'train', 7)));
    expect(draw(Rng.derive(42, 'walks', 'train', 7))).not.toEqual(draw(Rng.derive(42, 'walks', 'train', 8)));
    expect(draw(Rng.derive(42, 'walks'))).not.toEqual(draw(Rng.derive(43, 'walks')));
    // Path segments are not concatenated ambiguously: ('ab', 'c') differs from ('a', 'bc').
    expect(draw(Rng.derive(1, 'ab', 'c'))).not.toEqual(draw(Rng.derive(1, 'a', 'bc')));
  });

  it('resumes exactly from a saved state', () => {
    const rng = Rng.derive(5, 'x');
    rng.uint32();
    const copy = Rng.fromState(rng.state());
    expect(Array.from({ length: 5 }, () => copy.float())).toEqual(Array.from({ length: 5 }, () => rng.float()));
  });

  it('draws floats in [0, 1) with a uniform distribution (chi-square over 20 bins)', () => {
    const rng = Rng.derive(1, 'float');
    const bins = new Array(20).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = rng.float();
      expect(x >= 0 && x < 1).toBe(true);
      bins[Math.floor(x * 20)]++;
    }
    const expected = n / 20;
    const chi2 = bins.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 19 degrees of freedom: the 99.9th percentile is 43.8.
    expect(chi2).toBeLessThan(43.8);
  });

  it('draws unbiased integers for a bound that does not divide 2^32', () => {
    const rng = Rng.derive(2, 'int');
    const bound = 3 * 2 ** 30; // the top quarter of 2^32 would bias plain modulo toward small values
    let low = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) if (rng.int(bound) < 2 ** 30) low++;
    // Unbiased: P(low) = 1/3; plain modulo would give 1/2.
    expect(Math.abs(low / n - 1 / 3)).toBeLessThan(0.01);
  });

  it('rejects an invalid integer bound naming it', () => {
    expect(() => Rng.derive(1).int(0)).toThrow(RangeError);
    expect(() => Rng.derive(1).int(2.5)).toThrow(/got 2.5/);
  });

  it('draws standard normal deviates with mean 0 and variance 1', () => {
    const rng = Rng.derive(3, 'normal');
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      sum += x;
      sumSq += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.02);
  });

  it('shuffles into a permutation and samples distinct indices', () => {
    const rng = Rng.derive(4, 'shuffle');
    const items = Array.from({ length: 100 }, (_, i) => i);
    rng.shuffle(items);
    expect([...items].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(items).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const sample = rng.sampleWithoutReplacement(10, 4);
    expect(new Set(sample).size).toBe(4);
    expect(sample.every((i) => i >= 0 && i < 10)).toBe(true);
  });
});
