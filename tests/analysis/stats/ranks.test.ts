import { describe, expect, test } from 'vitest';
import { midRanks, sortSample } from '../../../src/analysis/stats/ranks';
import { Rng } from '../../../src/random/rng';

describe('midRanks', () => {
  test('gives tied values the average of the ranks they share (hand example)', () => {
    // Sorted: 1 1 | 2 | 3 3 | 4 | 5 5 | 6 | 9 -> ranks 1.5, 3, 4.5, 6, 7.5, 9, 10.
    const values = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
    expect([...midRanks(values)]).toEqual([4.5, 1.5, 6, 1.5, 7.5, 10, 3, 9, 7.5, 4.5]);
  });

  test('equals #smaller + (#equal + 1) / 2 counted by brute force on heavily tied data', () => {
    const rng = Rng.derive(1, 'ranks');
    const values = Float64Array.from({ length: 300 }, () => rng.int(12));
    const ranks = midRanks(values);
    for (let i = 0; i < values.length; i++) {
      let smaller = 0;
      let equal = 0;
      for (const other of values) {
        if (other < values[i]) smaller++;
        else if (other === values[i]) equal++;
      }
      expect(ranks[i]).toBe(smaller + (equal + 1) / 2);
    }
  });

  test('of an empty sample is empty', () => {
    expect(midRanks(new Float64Array(0))).toHaveLength(0);
  });
});

describe('sortSample', () => {
  test('sorts stably and marks the end of every run of equal values', () => {
    const sample = sortSample(Float64Array.from([2, 1, 2, 0, 1]));
    expect([...sample.order]).toEqual([3, 1, 4, 0, 2]);
    expect([...sample.tieEnds]).toEqual([1, 3, 5]);
  });

  test('BAD CALL - refuses a non-finite value, naming its index', () => {
    expect(() => sortSample(Float64Array.from([1, Number.NaN]))).toThrow(RangeError);
    expect(() => sortSample(Float64Array.from([1, 2, Number.POSITIVE_INFINITY]))).toThrow(/value 2 is Infinity/);
  });
});
