import { describe, expect, test } from 'vitest';
import { assignSplit, SplitLabel } from '../../src/evaluation/split';

/** failure indices: sequences whose index is listed in `violating` have a violation. */
function failureIndices(n: number, violating: (i: number) => boolean): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => (violating(i) ? i % 5 : -1));
}

describe('assignSplit', () => {
  test('each stratum is halved, the extra sequence of an odd stratum going to the confirmatory half', () => {
    // 7 violation sequences (3 / 4) and 4 others (2 / 2).
    const { split, counts } = assignSplit(failureIndices(11, (i) => i < 7));
    expect(counts).toEqual({
      split_seed: 2026,
      n_exploratory: 5,
      n_confirmatory: 6,
      n_exploratory_violations: 3,
      n_confirmatory_violations: 4,
    });
    expect(split.filter((s) => s === SplitLabel.Exploratory)).toHaveLength(5);
  });

  test('the counts agree with the split array within each stratum', () => {
    const failure = failureIndices(101, (i) => i % 3 === 0);
    const { split, counts } = assignSplit(failure, 5);
    const exploratoryViolations = Array.from(split).filter((s, i) => s === SplitLabel.Exploratory && failure[i] >= 0).length;
    const confirmatoryViolations = Array.from(split).filter((s, i) => s === SplitLabel.Confirmatory && failure[i] >= 0).length;
    expect([exploratoryViolations, confirmatoryViolations]).toEqual([17, 17]);
    expect(counts.n_exploratory_violations).toBe(exploratoryViolations);
    expect(counts.n_confirmatory_violations).toBe(confirmatoryViolations);
    expect(counts.n_exploratory + counts.n_confirmatory).toBe(101);
    expect(counts.n_exploratory).toBe(17 + 33);
  });

  test('the same seed gives the same split', () => {
    const failure = failureIndices(200, (i) => i % 2 === 0);
    expect(assignSplit(failure, 9).split).toEqual(assignSplit(failure, 9).split);
  });

  test('a different seed gives a different split with the same counts', () => {
    const failure = failureIndices(200, (i) => i % 2 === 0);
    const a = assignSplit(failure, 2026);
    const b = assignSplit(failure, 2027);
    expect(a.split).not.toEqual(b.split);
    expect({ ...a.counts, split_seed: 0 }).toEqual({ ...b.counts, split_seed: 0 });
  });

  test('the split is random within a stratum rather than by index order', () => {
    const { split } = assignSplit(failureIndices(200, () => false));
    expect(Array.from(split.subarray(0, 100)).every((s) => s === SplitLabel.Exploratory)).toBe(false);
  });

  test('an empty set of sequences gives an empty split and zero counts', () => {
    expect(assignSplit([])).toEqual({
      split: new Int8Array(0),
      counts: { split_seed: 2026, n_exploratory: 0, n_confirmatory: 0, n_exploratory_violations: 0, n_confirmatory_violations: 0 },
    });
  });

  test('BAD CALL - a non-integer seed is rejected', () => {
    expect(() => assignSplit([0], 1.5)).toThrow(/splitSeed must be an integer, got 1.5/);
  });
});
