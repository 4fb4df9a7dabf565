import { describe, expect, test } from 'vitest';
import { evaluateGate, gatePasses, gatePrompts, scoreGate } from '../../src/training/gate';
import { generate, greedyPicker } from '../../src/training/generation';
import type { TrainerBackend } from '../../src/training/trainer-backend';
import { easyGraph } from './fixtures';

/**
 * A fake model whose next token is (sum of the context tokens) mod vocab, as a one-hot logit:
 * the generated numbers reveal exactly which context each call saw.
 */
function sumModel(vocab: number, w: number, generationBatch: number, calls: number[] = []): Pick<TrainerBackend, 'nextLogits'> {
  return {
    async nextLogits(contexts, lengths, count) {
      expect(contexts.length).toBe(generationBatch * w);
      expect(count).toBeLessThanOrEqual(generationBatch);
      calls.push(count);
      const logits = new Float32Array(count * vocab);
      for (let i = 0; i < count; i++) {
        let sum = 0;
        for (let j = 0; j < lengths[i]; j++) sum += contexts[i * w + j];
        logits[i * vocab + (sum % vocab)] = 1;
      }
      return logits;
    },
  };
}

describe('generate', () => {
  test('feeds the last <= w tokens as context, in batches of the generation batch', async () => {
    const calls: number[] = [];
    const shape = { vocab: 10, context: 2, generationBatch: 2 };
    const result = await generate(sumModel(10, 2, 2, calls), shape, Int32Array.from([1, 4, 1]), { length: 5, pick: greedyPicker });
    // 1 | [1] -> 1 | [1,1] -> 2 | [1,2] -> 3 | [2,3] -> 5;  4 | 4 | [4,4] -> 8 | [4,8] -> 2 | [8,2] -> 0
    expect([...result.values]).toEqual([1, 1, 2, 3, 5, 4, 4, 8, 2, 0, 1, 1, 2, 3, 5]);
    expect(result).toMatchObject({ rows: 3, width: 5 });
    expect(calls).toEqual([2, 2, 2, 2, 1, 1, 1, 1]);
  });

  test('greedy picking takes the arg-max and the lowest index on ties', () => {
    expect(greedyPicker(Float32Array.from([0, 3, 1, 3]), 0, 4, 0)).toBe(1);
    expect(greedyPicker(Float32Array.from([9, 9, -1, 2, 0]), 2, 3, 0)).toBe(1);
  });
});

describe('gatePrompts', () => {
  const firsts = [3, 3, 1, 3, 0, 1, 2];
  const evalWalks = { values: Int32Array.from(firsts.flatMap((t) => [t, 9])), rows: firsts.length, width: 2 };

  test('keeps the first token of walks whose first token is new, in walk order', () => {
    expect([...gatePrompts(evalWalks)]).toEqual([3, 1, 0, 2]);
  });

  test('stops at the limit', () => {
    expect([...gatePrompts(evalWalks, 3)]).toEqual([3, 1, 0]);
  });
});

describe('gatePasses', () => {
  test('needs edge compliance > 0.95 and rule compliance > 0.80, strictly', () => {
    expect(gatePasses(0.96, 0.81)).toBe(true);
    expect(gatePasses(0.95, 0.9)).toBe(false);
    expect(gatePasses(0.99, 0.8)).toBe(false);
  });
});

describe('evaluateGate', () => {
  test('scores greedy continuations of the prompts to the walk length', async () => {
    const { graph, jumpers } = easyGraph();
    // A model that always proposes v + 1 (mod 12): an edge everywhere (in-block ring steps, plus 5->6 and 11->0).
    const successor: Pick<TrainerBackend, 'nextLogits'> = {
      async nextLogits(contexts, lengths, count) {
        const logits = new Float32Array(count * 12);
        for (let i = 0; i < count; i++) logits[i * 12 + ((contexts[i * 4 + lengths[i] - 1] + 1) % 12)] = 1;
        return logits;
      },
    };
    const gate = await evaluateGate(successor, { vocab: 12, context: 4, generationBatch: 3 }, { prompts: Int32Array.from([0, 7]), length: 6, graph, jumpers }, 42);
    // 0 1 2 3 4 5 and 7 8 9 10 11 0: all 10 pairs are edges. Jumper 2 (r=1) -> 3 in block 0: ok.
    // Jumper 8 (r=2) at t=1 -> token 10 in block 1: ok.
    expect(gate).toMatchObject({ step: 42, edgeCompliance: 1, ruleCompliance: 1, edgePairs: 10, prompts: 2, passed: true });
    expect(gate.rules.byR.map((entry) => [entry.r, entry.checks])).toEqual([[1, 1], [2, 1]]);
  });

  test('scoreGate fails a set whose edges are mostly wrong', () => {
    const { graph, jumpers } = easyGraph();
    const gate = scoreGate({ values: Int32Array.from([0, 0, 0, 0]), rows: 1, width: 4 }, graph, jumpers, 4, 1);
    expect(gate).toMatchObject({ edgeCompliance: 0, ruleCompliance: 1, passed: false });
  });
});
