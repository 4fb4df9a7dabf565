import { describe, expect, test } from 'vitest';
import {
  allocateLabelBuffers,
  EDGE_VALID_PADDING,
  labelBatch,
  labelSequence,
  RuleOutcome,
  type TokenBatch,
} from '../../../src/evaluation/labels/behaviour';
import { Rng } from '../../../src/random/rng';
import { ruleCompliance } from '../../../src/training/compliance';
import { graph, jumpers, table } from './fixtures';

const { NotApplicable: NA, Followed: F, Violated: V, Padding: P } = RuleOutcome;

/** The reference's step rule (section 8.2): only the FIRST constraint, in insertion order, whose deadline is t + 1 decides. */
function referenceRuleOutcome(tokens: readonly number[]): number[] {
  const constraints: { deadline: number; target: number }[] = [];
  const outcome: number[] = [];
  for (let t = 0; t + 1 < tokens.length; t++) {
    if (table.r[tokens[t]] > 0) constraints.push({ deadline: t + table.r[tokens[t]], target: table.targetBlock[tokens[t]] });
    const first = constraints.find((c) => c.deadline === t + 1);
    outcome.push(first === undefined ? NA : graph.block[tokens[t + 1]] === first.target ? F : V);
  }
  return outcome;
}

describe('labelSequence', () => {
  test('two jumpers whose deadlines coincide with different targets each get their own outcome', () => {
    // Jumper 0 at t=0 (r 3, block 2) and jumper 2 at t=2 (r 1, block 0) both check token 4 (block 2) at position 3.
    const labels = labelSequence([0, 1, 2, 4], graph, table);
    expect(labels.encounters).toEqual([
      { encounterStep: 0, resolutionStep: 3, vertex: 0, r: 3, targetBlock: 2, outcome: F },
      { encounterStep: 2, resolutionStep: 3, vertex: 2, r: 1, targetBlock: 0, outcome: V },
    ]);
    expect(Array.from(labels.ruleOutcome)).toEqual([NA, NA, V]);
    expect(labels.failureIndex).toBe(2);
  });

  test('the reference resolved only the first of two coinciding constraints, so it copied FOLLOWED to both encounters', () => {
    const tokens = [0, 1, 2, 4];
    expect(referenceRuleOutcome(tokens)).toEqual([NA, NA, F]);
    expect(Array.from(labelSequence(tokens, graph, table).ruleOutcome)).not.toEqual(referenceRuleOutcome(tokens));
  });

  test('a jumper nested inside another jumper window is resolved at its own deadline', () => {
    // Jumper 0 at t=0 (deadline 3, block 2): token 5 -> followed. Jumper 2 at t=1 (deadline 2, block 0): token 1 -> followed.
    const labels = labelSequence([0, 2, 1, 5, 3], graph, table);
    expect(labels.encounters.map((e) => [e.encounterStep, e.resolutionStep, e.outcome])).toEqual([
      [0, 3, F],
      [1, 2, F],
    ]);
    expect(Array.from(labels.ruleOutcome)).toEqual([NA, F, F, NA]);
    expect(labels.failureIndex).toBe(-1);
  });

  test('a nested jumper can be violated while the enclosing one is followed', () => {
    // Jumper 0 at t=0 (deadline 3, block 2): token 4 -> followed. Jumper 2 at t=1 (deadline 2, block 0): token 3 -> violated.
    // Jumper 4 at t=3 (deadline 5, block 1): token 2 -> followed.
    const labels = labelSequence([0, 2, 3, 4, 5, 2], graph, table);
    expect(labels.encounters.map((e) => [e.encounterStep, e.outcome])).toEqual([
      [0, F],
      [1, V],
      [3, F],
    ]);
    expect(Array.from(labels.ruleOutcome)).toEqual([NA, V, F, NA, F]);
    expect(labels.failureIndex).toBe(1);
  });

  test('a deadline at the last position is resolved at the last step and one beyond it is unresolved', () => {
    const resolved = labelSequence([0, 1, 3, 4], graph, table);
    expect(resolved.encounters).toHaveLength(1);
    expect(Array.from(resolved.ruleOutcome)).toEqual([NA, NA, F]);
    // Same jumper, one token shorter: deadline 3 = L is beyond the end.
    const unresolved = labelSequence([0, 1, 3], graph, table);
    expect(unresolved.encounters).toEqual([]);
    expect(unresolved.unresolved).toEqual([{ encounterStep: 0, deadline: 3, vertex: 0, r: 3, targetBlock: 2 }]);
    expect(Array.from(unresolved.ruleOutcome)).toEqual([NA, NA]);
  });

  test('a jumper as the last token is reported unresolved', () => {
    expect(labelSequence([1, 3, 2], graph, table).unresolved).toEqual([
      { encounterStep: 2, deadline: 3, vertex: 2, r: 1, targetBlock: 0 },
    ]);
  });

  test('edge validity marks self loops and the missing edge 1 -> 5 and does not affect rule outcomes', () => {
    // Jumper 2 at t=1 (deadline 2, block 0): token 1 -> followed although 1 -> 5 next is no edge.
    const labels = labelSequence([3, 2, 1, 5, 5], graph, table);
    expect(Array.from(labels.edgeValid)).toEqual([1, 1, 0, 0]);
    expect(Array.from(labels.ruleOutcome)).toEqual([NA, F, NA, NA]);
  });

  test('the failure index is the first violated step when several are violated', () => {
    // Jumper 2 at t=1 -> token 3 violated (step 1); at t=3 -> token 2 violated (step 3); jumper 0 at t=0 -> token 2 violated (step 2).
    const labels = labelSequence([0, 2, 3, 2, 2], graph, table);
    expect(Array.from(labels.ruleOutcome)).toEqual([NA, V, V, V]);
    expect(labels.failureIndex).toBe(1);
  });

  test('a single token has no transitions and no outcomes', () => {
    const labels = labelSequence([0], graph, table);
    expect(labels.edgeValid).toHaveLength(0);
    expect(labels.ruleOutcome).toHaveLength(0);
    expect(labels.failureIndex).toBe(-1);
    expect(labels.unresolved).toHaveLength(1);
  });

  test('BAD CALL - a padding token inside the sequence is rejected with its position', () => {
    expect(() => labelSequence([0, -1, 2], graph, table)).toThrow(RangeError);
    expect(() => labelSequence([0, -1, 2], graph, table)).toThrow(/token -1 at position 1/);
  });

  test('encounter outcomes count exactly the checks and successes of the gate rule compliance', () => {
    const rng = Rng.derive(7, 'labels-test', 'compliance');
    const width = 30;
    const values = Int32Array.from({ length: 20 * width }, () => rng.int(6));
    const followed = { checks: 0, successes: 0 };
    for (let row = 0; row < 20; row++) {
      for (const e of labelSequence(values.subarray(row * width, (row + 1) * width), graph, table).encounters) {
        followed.checks++;
        if (e.outcome === F) followed.successes++;
      }
    }
    const gate = ruleCompliance({ values, rows: 20, width }, graph, jumpers, 8).overall;
    expect(followed).toEqual({ checks: gate.checks, successes: gate.successes });
  });
});

describe('labelBatch', () => {
  function randomBatch(seed: number, rows: number, width: number): TokenBatch {
    const rng = Rng.derive(seed, 'labels-test', 'batch');
    const lengths = Array.from({ length: rows }, () => 1 + rng.int(width));
    const values = new Int32Array(rows * width).fill(-1);
    lengths.forEach((length, row) => {
      for (let t = 0; t < length; t++) values[row * width + t] = rng.int(6);
    });
    return { values, rows, width, lengths };
  }

  test('each row equals the per-sequence labels followed by padding cells', () => {
    const batch = randomBatch(1, 40, 12);
    const out = allocateLabelBuffers(40, 12);
    const result = labelBatch(batch, graph, table, out);
    for (let row = 0; row < batch.rows; row++) {
      const length = batch.lengths[row];
      const single = labelSequence(batch.values.subarray(row * 12, row * 12 + length), graph, table);
      const edge = out.edgeValid.subarray(row * 11, (row + 1) * 11);
      const rule = out.ruleOutcome.subarray(row * 11, (row + 1) * 11);
      expect(Array.from(edge)).toEqual([...single.edgeValid, ...Array(12 - length).fill(EDGE_VALID_PADDING)]);
      expect(Array.from(rule)).toEqual([...single.ruleOutcome, ...Array(12 - length).fill(P)]);
      expect(out.failureIndex[row]).toBe(single.failureIndex);
      expect(result.encounters.filter((e) => e.sequence === row).map(({ sequence, ...e }) => e)).toEqual(single.encounters);
      expect(result.unresolved.filter((e) => e.sequence === row).map(({ sequence, ...e }) => e)).toEqual(single.unresolved);
    }
  });

  test('hand-checked padded rows get -1 rule padding and 255 edge padding after their last transition', () => {
    const batch: TokenBatch = { values: Int32Array.from([0, 1, 2, 4, 3, 2, -1, -1]), rows: 2, width: 4, lengths: [4, 2] };
    const out = allocateLabelBuffers(2, 4);
    labelBatch(batch, graph, table, out);
    expect(Array.from(out.edgeValid)).toEqual([1, 1, 1, 1, 255, 255]);
    expect(Array.from(out.ruleOutcome)).toEqual([NA, NA, V, NA, P, P]);
    expect(Array.from(out.failureIndex)).toEqual([2, -1]);
  });

  test('batches written at row offsets fill one buffer exactly as a single call over all rows', () => {
    const batch = randomBatch(2, 10, 9);
    const whole = allocateLabelBuffers(10, 9);
    const wholeResult = labelBatch(batch, graph, table, whole);
    const streamed = allocateLabelBuffers(10, 9);
    const parts = [0, 4, 7, 10];
    const encounters = [];
    for (let i = 0; i + 1 < parts.length; i++) {
      const [from, to] = [parts[i], parts[i + 1]];
      const part: TokenBatch = {
        values: batch.values.subarray(from * 9, to * 9),
        rows: to - from,
        width: 9,
        lengths: Array.from(batch.lengths).slice(from, to),
      };
      encounters.push(...labelBatch(part, graph, table, streamed, from).encounters);
    }
    expect(streamed).toEqual(whole);
    expect(encounters).toEqual(wholeResult.encounters);
  });

  test('BAD CALL - a non-padding token beyond a row length is rejected', () => {
    const batch: TokenBatch = { values: Int32Array.from([0, 1, 0, 2]), rows: 1, width: 4, lengths: [2] };
    expect(() => labelBatch(batch, graph, table, allocateLabelBuffers(1, 4))).toThrow(/row 0: expected padding -1 beyond the sequence length, got 0/);
  });

  test('BAD CALL - buffers of the wrong width or too few rows are rejected', () => {
    const batch: TokenBatch = { values: Int32Array.from([0, 1, 2, 3]), rows: 1, width: 4, lengths: [4] };
    expect(() => labelBatch(batch, graph, table, allocateLabelBuffers(1, 5))).toThrow(/4 columns, tokens of width 4 need 3/);
    expect(() => labelBatch(batch, graph, table, allocateLabelBuffers(1, 4), 1)).toThrow(/do not fit buffers of 1 rows/);
  });

  test('BAD CALL - a row length outside [1, width] is rejected', () => {
    const batch: TokenBatch = { values: Int32Array.from([0, 1]), rows: 1, width: 2, lengths: [3] };
    expect(() => labelBatch(batch, graph, table, allocateLabelBuffers(1, 2))).toThrow(/length 3 outside \[1, 2\]/);
  });
});
