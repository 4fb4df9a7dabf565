import { describe, expect, test } from 'vitest';
import { jumperTable } from '../../../src/evaluation/labels/jumper-table';
import { lengthPlan, nextTargetLength, sequenceTargetLength } from '../../../src/evaluation/labels/sequence-length';

// n = 8, w = 4: default length 16. Vertex 1 has r = 5 (the max), vertex 2 has r = 2; max length 16 + 5 + 1 = 22.
const table = jumperTable(8, [
  { vertex: 1, sourceBlock: 0, targetBlock: 1, r: 5 },
  { vertex: 2, sourceBlock: 0, targetBlock: 1, r: 2 },
]);
const plan = lengthPlan(4, table);

describe('lengthPlan', () => {
  test('the default length is 4w and the maximum is 4w + max_r + 1', () => {
    expect(plan).toMatchObject({ defaultLength: 16, maxR: 5, maxLength: 22 });
  });

  test('BAD CALL - a non-positive w is rejected', () => {
    expect(() => lengthPlan(0, table)).toThrow(/w must be an integer >= 1, got 0/);
  });
});

describe('nextTargetLength', () => {
  test('a max-r jumper at exactly default_len - max_r does not extend, as in the reference', () => {
    expect(nextTargetLength(plan, 16, 11, 1)).toBe(16);
  });

  test('a max-r jumper one position later extends to p + r + 1', () => {
    expect(nextTargetLength(plan, 16, 12, 1)).toBe(18);
  });

  test('a small-r jumper that passes the position test extends only when its deadline is beyond the target', () => {
    expect(nextTargetLength(plan, 16, 12, 2)).toBe(16); // deadline 14 is inside
    expect(nextTargetLength(plan, 16, 14, 2)).toBe(17); // deadline 16 needs a 17th token
  });

  test('the target never shrinks', () => {
    expect(nextTargetLength(plan, 20, 15, 2)).toBe(20);
  });

  test('p + r + 1 exactly at max_len is kept and beyond it is capped at max_len', () => {
    expect(nextTargetLength(plan, 18, 16, 1)).toBe(22);
    expect(nextTargetLength(plan, 20, 17, 1)).toBe(22);
  });

  test('a non-jumper token leaves the target unchanged', () => {
    expect(nextTargetLength(plan, 16, 15, 3)).toBe(16);
  });

  test('without jumpers the target is always the default length', () => {
    const none = lengthPlan(4, jumperTable(8, []));
    expect(none.maxLength).toBe(17);
    expect(nextTargetLength(none, 16, 15, 1)).toBe(16);
  });

  test('BAD CALL - the prompt position, a position at or past the target and a non-vertex token are rejected', () => {
    expect(() => nextTargetLength(plan, 16, 0, 1)).toThrow(/position 0 outside the generated range \[1, 16\)/);
    expect(() => nextTargetLength(plan, 16, 16, 1)).toThrow(/position 16 outside/);
    expect(() => nextTargetLength(plan, 16, 5, -1)).toThrow(/token -1 at position 5 is not a vertex id/);
  });
});

describe('sequenceTargetLength', () => {
  function tokensWith(length: number, jumpersAt: Record<number, number>): number[] {
    return Array.from({ length }, (_, p) => jumpersAt[p] ?? 0);
  }

  test('a sequence without late jumpers stops at the default length', () => {
    expect(sequenceTargetLength(plan, tokensWith(30, { 3: 1, 11: 1 }))).toBe(16);
  });

  test('late jumpers extend the target in cascade up to max_len', () => {
    // Position 14 (r 5) -> 20; position 19 (r 5) -> min(25, 22) = 22; position 21 is the last token.
    expect(sequenceTargetLength(plan, tokensWith(30, { 14: 1, 19: 1 }))).toBe(22);
  });

  test('a jumper at or after the target is never generated and does not extend', () => {
    expect(sequenceTargetLength(plan, tokensWith(30, { 16: 1 }))).toBe(16);
  });

  test('the prompt token at position 0 never extends the target', () => {
    // w = 1: default 4 and max_r 5, so every position passes the lateness test; only the prompt is exempt.
    const short = lengthPlan(1, table);
    expect(sequenceTargetLength(short, tokensWith(12, { 0: 1 }))).toBe(4);
    expect(sequenceTargetLength(short, tokensWith(12, { 1: 1 }))).toBe(7);
  });

  test('BAD CALL - too few tokens to reach the target is rejected', () => {
    expect(() => sequenceTargetLength(plan, tokensWith(17, { 14: 1 }))).toThrow(/17 tokens end before the target length 20/);
  });
});
