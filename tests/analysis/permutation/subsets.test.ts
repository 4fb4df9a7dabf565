import { describe, expect, it } from 'vitest';
import { COIN_FLIP_MIN_FRACTION, SubsetSampler, permutationStream } from '../../../src/analysis/permutation';
import { fillWords } from '../../../src/analysis/permutation/subsets';
import { Rng } from '../../../src/random/rng';

/** SubsetSampler.draw written plainly on Rng's own methods. */
function slowSubset(rng: Rng, n: number, k: number): Uint8Array {
  const row = new Uint8Array(n);
  if (k >= COIN_FLIP_MIN_FRACTION * n) {
    let size = 0;
    for (let w = 0; w < Math.ceil(n / 32); w++) {
      const x = rng.uint32();
      for (let b = 0; b < 32 && 32 * w + b < n; b++) {
        row[32 * w + b] = (x >>> b) & 1;
        size += row[32 * w + b];
      }
    }
    while (size !== k) {
      const t = rng.int(n);
      if (size > k && row[t] === 1) {
        row[t] = 0;
        size--;
      } else if (size < k && row[t] === 0) {
        row[t] = 1;
        size++;
      }
    }
  } else {
    for (let i = n - k; i < n; i++) {
      const t = rng.int(i + 1);
      if (row[t] === 1) row[i] = 1;
      else row[t] = 1;
    }
  }
  return row;
}

describe('fillWords', () => {
  it('continues the stream exactly as Rng.uint32 does', () => {
    const rng = Rng.derive(17, 'words');
    const state = Int32Array.from(rng.state());
    const words = new Uint32Array(1000);
    fillWords(state, words);
    fillWords(state, words.subarray(500)); // and again from where it stopped
    const expected = Array.from({ length: 1500 }, () => rng.uint32());
    expect(Array.from(words.subarray(0, 500))).toEqual(expected.slice(0, 500));
    expect(Array.from(words.subarray(500))).toEqual(expected.slice(1000, 1500));
  });
});

describe('SubsetSampler', () => {
  const cases: Array<[number, number]> = [
    [1, 0],
    [1, 1],
    [7, 3],
    [33, 16],
    [100, 37],
    [100, 38],
    [100, 50],
    [1000, 10],
    [1000, 499],
    [4097, 2048],
    [5000, 1000],
  ];
  for (const [n, k] of cases) {
    it(`matches the plain Rng version for n=${n}, k=${k} (${k >= COIN_FLIP_MIN_FRACTION * n ? 'coins' : 'Floyd'})`, () => {
      const sampler = new SubsetSampler(n);
      const row = new Uint8Array(n);
      for (let p = 0; p < 20; p++) {
        const stream = permutationStream(5, ['subsets'], p);
        sampler.draw(stream.state(), k, row);
        expect(Array.from(row)).toEqual(Array.from(slowSubset(stream, n, k)));
        expect(row.reduce((s, x) => s + x, 0)).toBe(k);
      }
    });
  }

  for (const [n, k] of [
    [5, 2],
    [6, 2],
  ]) {
    it(`draws every ${k}-subset of ${n} events equally often (${k >= COIN_FLIP_MIN_FRACTION * n ? 'coins' : 'Floyd'})`, () => {
      const sampler = new SubsetSampler(n);
      const row = new Uint8Array(n);
      const counts = new Map<string, number>();
      const draws = 30_000;
      for (let p = 0; p < draws; p++) {
        sampler.draw(permutationStream(9, ['uniform', n], p).state(), k, row);
        const key = row.join('');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const subsets = n === 5 ? 10 : 15; // C(n, k)
      expect(counts.size).toBe(subsets);
      const expected = draws / subsets;
      const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
      // 9 and 14 degrees of freedom: the 99.9th percentiles are 27.9 and 36.1.
      expect(chi2).toBeLessThan(n === 5 ? 27.9 : 36.1);
    });
  }

  it('includes each event with probability k/n, far from the coin threshold as well', () => {
    const n = 300;
    for (const k of [30, 150]) {
      const sampler = new SubsetSampler(n);
      const row = new Uint8Array(n);
      const hits = new Float64Array(n);
      const draws = 4000;
      for (let p = 0; p < draws; p++) {
        sampler.draw(permutationStream(2, ['inclusion', k], p).state(), k, row);
        for (let e = 0; e < n; e++) hits[e] += row[e];
      }
      const q = k / n;
      const sd = Math.sqrt(draws * q * (1 - q));
      for (let e = 0; e < n; e++) expect(Math.abs(hits[e] - draws * q)).toBeLessThan(5 * sd);
    }
  });

  it('BAD CALL - rejects a subset larger than the events', () => {
    expect(() => new SubsetSampler(4).draw([1, 2, 3, 4], 5, new Uint8Array(4))).toThrow(RangeError);
    expect(() => new SubsetSampler(4).draw([1, 2, 3, 4], 5, new Uint8Array(4))).toThrow(/k must be an integer in \[0, 4\], got 5/);
  });

  it('BAD CALL - rejects a row of the wrong length', () => {
    expect(() => new SubsetSampler(4).draw([1, 2, 3, 4], 2, new Uint8Array(3))).toThrow(/row has length 3, expected 4/);
  });
});
