import { describe, expect, test } from 'vitest';
import { addResampleCounts, MAX_RESAMPLE_SIZE } from '../../../src/analysis/stats/resample-counts';
import { Rng } from '../../../src/random/rng';

/** An Rng stand-in that returns the given 32-bit words in order and counts the calls. */
function scriptedRng(words: number[]): { rng: Rng; calls: () => number } {
  let next = 0;
  const rng = { uint32: () => words[next++ % words.length] >>> 0 } as unknown as Rng;
  return { rng, calls: () => next };
}

describe('addResampleCounts', () => {
  test('splits each 32-bit draw into two 16-bit halves, low half first, rejecting the partial slice', () => {
    // n = 5: threshold 2^16 mod 5 = 1. Halves (low, high) per word and the index floor(h·5 / 2^16):
    // 0x0000 -> low product bits 0 < 1: rejected; 0xffff -> 4; 0x8000 -> 2; 0x0001 -> 0;
    // 0x3334 -> 1; 0x3334 -> 1. Five indices from three words.
    const { rng, calls } = scriptedRng([0xffff0000, 0x00018000, 0x33343334]);
    const positions = Uint32Array.from([10, 11, 12, 13, 14]);
    const weights = new Int32Array(15);
    addResampleCounts(rng, positions, weights);
    expect([...weights.subarray(10)]).toEqual([1, 2, 1, 0, 1]);
    expect(calls()).toBe(3);
  });

  test('uses whole 32-bit draws above 2^16 events, as floor(x·n / 2^32) with Lemire rejection (BigInt reference)', () => {
    const n = 70_000;
    // A simple LCG script, led by 0, whose product x·n = 0 lies in the rejected slice.
    const words = [0];
    let state = 12345;
    for (let i = 0; i < n + 10; i++) words.push((state = (Math.imul(state, 1664525) + 1013904223) >>> 0));
    const { rng } = scriptedRng(words);
    const weights = new Int32Array(n);
    addResampleCounts(rng, Uint32Array.from({ length: n }, (_, i) => i), weights);

    const expected = new Int32Array(n);
    const threshold = 2n ** 32n % BigInt(n);
    let drawn = 0;
    for (const x of words) {
      if (drawn === n) break;
      const product = BigInt(x) * BigInt(n);
      if ((product & 0xffffffffn) < threshold) continue;
      expected[Number(product >> 32n)]++;
      drawn++;
    }
    expect(weights).toEqual(expected);
    expect(weights.reduce((a, b) => a + b, 0)).toBe(n);
  });

  test('draws every index equally often (chi-square over 1000 indices, 3000 resamples)', () => {
    const n = 1000;
    const resamples = 3000;
    const rng = Rng.derive(11, 'resample-counts');
    const identity = Uint32Array.from({ length: n }, (_, i) => i);
    const totals = new Int32Array(n);
    const once = new Int32Array(n);
    for (let b = 0; b < resamples; b++) {
      once.fill(0);
      addResampleCounts(rng, identity, once);
      expect(once.reduce((a, c) => a + c, 0)).toBe(n);
      for (let i = 0; i < n; i++) totals[i] += once[i];
    }
    const chi2 = totals.reduce((sum, count) => sum + (count - resamples) ** 2 / resamples, 0);
    // 999 degrees of freedom: the 99.9th percentile is about 1143.
    expect(chi2).toBeLessThan(1143);
  });

  test('BAD CALL - refuses a resample larger than 2^21', () => {
    expect(() => addResampleCounts(Rng.derive(1), new Uint32Array(MAX_RESAMPLE_SIZE + 1), new Int32Array(1))).toThrow(
      /at most 2\^21, got 2097153/,
    );
  });
});
