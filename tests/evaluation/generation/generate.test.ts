import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Cancelled, InputError } from '../../../src/errors';
import {
  emptySequences,
  generateSequences,
  TOKEN_PADDING,
  type GenerationRequest,
  type WindowPass,
} from '../../../src/evaluation/generation/generate';
import { greedyPicker } from '../../../src/evaluation/generation/samplers';
import { jumperTable, type JumperTable } from '../../../src/evaluation/labels/jumper-table';
import { lengthPlan, sequenceTargetLength } from '../../../src/evaluation/labels/sequence-length';
import { INFERENCE_IO } from '../../../src/model/graph-names';
import { buildInferenceGraph } from '../../../src/model/inference-graph';
import type { ModelDims } from '../../../src/model/model-dims';
import type { ModelWeights } from '../../../src/model/model-weights';
import { createSession } from '../../../src/onnx/session';
import { randomParameters } from '../../model/fixtures';

const DIMS: ModelDims = { vocab: 12, context: 4, dModel: 8, layers: 2, heads: 2 };
const W = DIMS.context;
const CPU = { device: 'cpu' as const, threads: 1 };
const N = 7;
const PROMPTS = Int32Array.from({ length: N }, (_, i) => (i * 5) % DIMS.vocab);
const WEIGHTS: ModelWeights = new Map([...randomParameters(DIMS, 17)].map(([name, data]) => [name, Float32Array.from(data)]));
/** Half the vocabulary are jumpers, so late jumpers extend many sequences (maxR 4: lengths 16..21). */
const JUMPERS: JumperTable = jumperTable(DIMS.vocab, [
  { vertex: 1, r: 4, sourceBlock: 0, targetBlock: 0 },
  { vertex: 3, r: 2, sourceBlock: 0, targetBlock: 1 },
  { vertex: 5, r: 3, sourceBlock: 0, targetBlock: 0 },
  { vertex: 7, r: 4, sourceBlock: 0, targetBlock: 1 },
  { vertex: 9, r: 1, sourceBlock: 0, targetBlock: 0 },
  { vertex: 11, r: 4, sourceBlock: 0, targetBlock: 1 },
]);
const PLAN = lengthPlan(W, JUMPERS);

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    weights: WEIGHTS,
    dims: DIMS,
    prompts: PROMPTS,
    protocol: 'sampled',
    temperature: 1,
    seed: 42,
    w: W,
    table: JUMPERS,
    batchRows: 3,
    runtime: CPU,
    ...overrides,
  };
}

function row(tokens: Int32Array, i: number, width: number): number[] {
  return Array.from(tokens.subarray(i * width, (i + 1) * width));
}

/** Greedy continuation of one prompt to `length` tokens through a separate one-row inference session. */
async function stepwiseGreedy(prompt: number, length: number): Promise<number[]> {
  const { session } = await createSession(buildInferenceGraph(DIMS, 1, WEIGHTS).toBytes(), CPU);
  try {
    const g = [prompt];
    while (g.length < length) {
      const context = g.slice(-W);
      const tokens = new Int32Array(W);
      tokens.set(context);
      const out = await session.run({
        [INFERENCE_IO.tokens]: new ort.Tensor('int32', tokens, [1, W]),
        [INFERENCE_IO.lengths]: new ort.Tensor('int32', Int32Array.of(context.length), [1]),
      });
      g.push(greedyPicker(out[INFERENCE_IO.logits].data as Float32Array, 0, DIMS.vocab, 0));
    }
    return g;
  } finally {
    await session.release();
  }
}

/** The documented sizes of one pass. */
function expectShapes(pass: WindowPass): void {
  const count = pass.rows.length;
  expect(pass.step).toBeGreaterThanOrEqual(W - 1);
  expect(pass.contexts).toHaveLength(count * W);
  expect(pass.next).toHaveLength(count);
  expect(pass.logits).toHaveLength(count * DIMS.vocab);
  expect(pass.qkt.map((q) => q.length)).toEqual(new Array(DIMS.layers).fill(count * DIMS.heads * W * W));
  expect(pass.avwo.map((a) => a.length)).toEqual(new Array(DIMS.layers).fill(count * DIMS.heads * W * DIMS.dModel));
}

describe('generateSequences', () => {
  it('greedy sequences equal a step-by-step arg-max through a separate inference session', async () => {
    const result = await generateSequences(request({ protocol: 'reference' }));
    for (let i = 0; i < N; i++) {
      const expected = await stepwiseGreedy(PROMPTS[i], result.lengths[i]);
      expect(row(result.tokens, i, result.maxLength).slice(0, result.lengths[i])).toEqual(expected);
    }
  });

  it('gives identical results for batchRows 1, 3 and N, under both protocols', async () => {
    for (const protocol of ['sampled', 'reference'] as const) {
      const [one, three, all] = await Promise.all([1, 3, N].map((batchRows) => generateSequences(request({ protocol, batchRows }))));
      expect(three).toEqual(one);
      expect(all).toEqual(one);
    }
  });

  it('continues a run after whole batches exactly, generating only the batches after them', async () => {
    const full = await generateSequences(request({ batchRows: 3 }));
    // The first two batches (6 sequences) are done; only the third is generated again.
    const into = emptySequences(N, full.maxLength);
    into.tokens.set(full.tokens.subarray(0, 6 * full.maxLength));
    into.lengths.set(full.lengths.subarray(0, 6));
    const started: number[] = [];
    const continued = await generateSequences(request({ batchRows: 3, resume: { done: 6, into }, onBatchStart: (batch) => void started.push(batch.first) }));
    expect(started).toEqual([6]);
    expect(continued).toBe(into);
    expect(continued).toEqual(full);
    await expect(generateSequences(request({ batchRows: 3, resume: { done: 4, into: emptySequences(N, full.maxLength) } }))).rejects.toThrow(
      'generateSequences: a run continues after whole batches of 3, not after 4 of 7 sequences',
    );
    await expect(generateSequences(request({ resume: { done: 0, into: emptySequences(N + 1, full.maxLength) } }))).rejects.toThrow(InputError);
  });

  it('gives identical results and SVD inputs with 1, 2 and 3 lanes (batches generated concurrently)', async () => {
    const collect = async (lanes: number, batchRows: number) => {
      const passes = new Map<string, number[]>();
      const result = await generateSequences(
        request({
          lanes,
          batchRows,
          onWindow: (pass) => {
            pass.rows.forEach((sequence, j) => {
              const size = DIMS.heads * W * W;
              passes.set(`${sequence}@${pass.step}`, Array.from(pass.qkt[1].subarray(j * size, (j + 1) * size)));
            });
          },
        }),
      );
      return { result, passes };
    };
    const one = await collect(1, N);
    for (const lanes of [2, 3]) {
      const many = await collect(lanes, 2);
      expect(many.result).toEqual(one.result);
      // The SVD inputs too, bit for bit: a row does not depend on its batch, its lane or the
      // session size its step ran on (tails run on smaller sessions).
      expect(many.passes).toEqual(one.passes);
    }
  });

  it('announces every batch before its first pass and hands it over complete after its last', async () => {
    const events: string[] = [];
    const ended: Array<{ first: number; count: number; tokens: number[]; lengths: number[] }> = [];
    const result = await generateSequences(
      request({
        batchRows: 3,
        lanes: 2,
        onBatchStart: (batch) => {
          events.push(`start ${batch.index}:${batch.first}+${batch.count}`);
        },
        onWindow: (pass) => {
          events.push(`pass ${pass.rows[0]}`);
        },
        onBatchEnd: (batch) => {
          events.push(`end ${batch.index}`);
          ended.push({ first: batch.first, count: batch.count, tokens: Array.from(batch.tokens), lengths: Array.from(batch.lengths) });
        },
      }),
    );
    // N = 7 in batches of 3: [0, 3), [3, 6), [6, 7), started in index order.
    expect(events.filter((e) => e.startsWith('start'))).toEqual(['start 0:0+3', 'start 1:3+3', 'start 2:6+1']);
    for (const [index, first] of [[0, 0], [1, 3], [2, 6]]) {
      const start = events.indexOf(`start ${index}:${first}+${index === 2 ? 1 : 3}`);
      const end = events.indexOf(`end ${index}`);
      const passes = events.map((e, i) => [e, i] as const).filter(([e]) => e.startsWith('pass') && Math.floor(Number(e.slice(5)) / 3) === index);
      expect(passes.length).toBeGreaterThan(0);
      expect(passes.every(([, i]) => i > start && i < end)).toBe(true);
    }
    for (const batch of ended.sort((a, b) => a.first - b.first)) {
      expect(batch.tokens).toEqual(Array.from(result.tokens.subarray(batch.first * result.maxLength, (batch.first + batch.count) * result.maxLength)));
      expect(batch.lengths).toEqual(Array.from(result.lengths.subarray(batch.first, batch.first + batch.count)));
    }
  });

  it('aborts the signal given to onBatchEnd when another lane fails, so a waiting callback can stop', async () => {
    let released = false;
    let batchZeroWaits: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (batchZeroWaits = resolve));
    const run = generateSequences(
      request({
        batchRows: 2,
        lanes: 2,
        // Batch 1 fails once batch 0 waits in its onBatchEnd.
        onWindow: async (pass) => {
          if (pass.rows[0] !== 2) return;
          await waiting;
          throw new RangeError('lane failed');
        },
        // Batch 0 waits for batch 1, which never ends: only the signal lets it go.
        onBatchEnd: async (batch, halted) => {
          if (batch.index !== 0) return;
          batchZeroWaits();
          await new Promise((resolve) => halted.addEventListener('abort', resolve, { once: true }));
          released = halted.aborted;
        },
      }),
    );
    await expect(run).rejects.toThrow('lane failed');
    expect(released).toBe(true);
  });

  it('a failure in one lane stops the others and is the error reported', async () => {
    let calls = 0;
    const run = generateSequences(
      request({
        batchRows: 2,
        lanes: 3,
        onWindow: (pass) => {
          calls++;
          if (pass.rows[0] === 2) throw new RangeError('callback failed');
        },
      }),
    );
    await expect(run).rejects.toThrow('callback failed');
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(after);
  });

  it('sampled sequences are reproducible for a seed and differ between seeds', async () => {
    const [a, b, c] = await Promise.all([42, 42, 43].map((seed) => generateSequences(request({ seed }))));
    expect(b).toEqual(a);
    expect(c.tokens).not.toEqual(a.tokens);
    // Sampling, unlike greedy decoding, makes sequences with the same prompt differ.
    const same = await generateSequences(request({ prompts: new Int32Array(4).fill(2) }));
    const rows = new Set(Array.from({ length: 4 }, (_, i) => row(same.tokens, i, same.maxLength).join(',')));
    expect(rows.size).toBeGreaterThan(1);
  });

  it('starts at the prompt, follows the length rule per sequence and pads with -1', async () => {
    const prompts = Int32Array.from({ length: 24 }, (_, i) => i % DIMS.vocab);
    const result = await generateSequences(request({ prompts, batchRows: 8 }));
    expect(result.maxLength).toBe(PLAN.maxLength);
    expect(result.tokens).toHaveLength(24 * PLAN.maxLength);
    for (let i = 0; i < prompts.length; i++) {
      const tokens = row(result.tokens, i, result.maxLength);
      const length = result.lengths[i];
      expect(tokens[0]).toBe(prompts[i]);
      expect(sequenceTargetLength(PLAN, tokens.slice(0, length))).toBe(length);
      expect(tokens.slice(0, length).every((t) => t >= 0 && t < DIMS.vocab)).toBe(true);
      expect(tokens.slice(length).every((t) => t === TOKEN_PADDING)).toBe(true);
    }
    // The table forces extensions for some sequences but not all of them.
    const lengths = Array.from(result.lengths);
    expect(lengths.some((l) => l === PLAN.defaultLength)).toBe(true);
    expect(lengths.some((l) => l > PLAN.defaultLength)).toBe(true);
  });

  it('without jumpers every sequence has 4w tokens', async () => {
    const result = await generateSequences(request({ table: jumperTable(DIMS.vocab, []) }));
    expect(result.maxLength).toBe(4 * W + 1);
    expect(Array.from(result.lengths)).toEqual(new Array(N).fill(4 * W));
    for (let i = 0; i < N; i++) expect(result.tokens[i * result.maxLength + 4 * W]).toBe(TOKEN_PADDING);
  });

  it('calls onWindow exactly once per active row and step s >= w - 1, with the documented shapes', async () => {
    const seen: Array<{ step: number; rows: number[] }> = [];
    const passes: WindowPass[] = [];
    const result = await generateSequences(
      request({
        protocol: 'sampled',
        onWindow: (pass) => {
          expectShapes(pass);
          seen.push({ step: pass.step, rows: Array.from(pass.rows) });
          passes.push({ ...pass, contexts: pass.contexts.slice(), next: pass.next.slice() });
        },
      }),
    );
    // Lengths differ, so finished rows must have left their batch while others went on.
    expect(new Set(result.lengths).size).toBeGreaterThan(1);
    const expected: string[] = [];
    for (let i = 0; i < N; i++) for (let s = W - 1; s <= result.lengths[i] - 2; s++) expected.push(`${i}@${s}`);
    const actual = seen.flatMap(({ step, rows }) => rows.map((i) => `${i}@${step}`));
    expect(actual.sort()).toEqual(expected.sort());
    // Contexts are g[s - w + 1 .. s] and next is g[s + 1] of the returned sequences.
    for (const pass of passes) {
      pass.rows.forEach((i, j) => {
        const g = row(result.tokens, i, result.maxLength);
        expect(Array.from(pass.contexts.subarray(j * W, (j + 1) * W))).toEqual(g.slice(pass.step - W + 1, pass.step + 1));
        expect(pass.next[j]).toBe(g[pass.step + 1]);
      });
    }
  });

  it('stops with Cancelled when the signal aborts between steps', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = generateSequences(
      request({
        signal: controller.signal,
        onWindow: () => {
          calls++;
          controller.abort();
        },
      }),
    );
    await expect(run).rejects.toBeInstanceOf(Cancelled);
    expect(calls).toBe(1);
    const aborted = new AbortController();
    aborted.abort();
    await expect(generateSequences(request({ signal: aborted.signal }))).rejects.toBeInstanceOf(Cancelled);
  });

  it('rejects a window other than the model context, bad prompts and bad batch sizes', async () => {
    await expect(generateSequences(request({ w: W + 1 }))).rejects.toBeInstanceOf(InputError);
    await expect(generateSequences(request({ prompts: Int32Array.of(0, DIMS.vocab) }))).rejects.toBeInstanceOf(InputError);
    await expect(generateSequences(request({ batchRows: 0 }))).rejects.toBeInstanceOf(InputError);
    await expect(generateSequences(request({ lanes: 0 }))).rejects.toBeInstanceOf(InputError);
    await expect(generateSequences(request({ table: jumperTable(DIMS.vocab - 1, []) }))).rejects.toBeInstanceOf(InputError);
  });

  it('returns empty arrays for no prompts', async () => {
    const result = await generateSequences(request({ prompts: new Int32Array(0) }));
    expect(result.tokens).toHaveLength(0);
    expect(result.lengths).toHaveLength(0);
    expect(result.maxLength).toBe(PLAN.maxLength);
  });
});
