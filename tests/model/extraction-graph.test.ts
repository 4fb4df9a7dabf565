import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { buildExtractionGraph } from '../../src/model/extraction-graph';
import { EXTRACTION_IO, INFERENCE_IO } from '../../src/model/graph-names';
import { buildInferenceGraph } from '../../src/model/inference-graph';
import type { ModelDims } from '../../src/model/model-dims';
import { createSession } from '../../src/onnx/session';
import { randomParameters, randomTokens } from './fixtures';
import { erf64, linear, matmul, referenceForward, type ForwardTrace } from './reference-forward';

const ROWS = 3;
const CPU = { device: 'cpu' as const, threads: 1 };
const TWO_HEADS: ModelDims = { vocab: 11, context: 5, dModel: 8, layers: 2, heads: 2 };
const ONE_HEAD: ModelDims = { ...TWO_HEADS, heads: 1 };

/** O(1) random float32 weights (the oracle reads the same float32 values). */
function weightsFor(dims: ModelDims): Map<string, Float32Array> {
  return new Map([...randomParameters(dims, 17)].map(([name, data]) => [name, Float32Array.from(data)]));
}

/** Runs a graph on CPU and returns its outputs. */
async function runGraph(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, Float32Array>> {
  const { session } = await createSession(bytes, CPU);
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** max |a - b| <= rtol · max |b|: float32 agreement relative to the tensor's scale. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  let error = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    error = Math.max(error, Math.abs(actual[i] - expected[i]));
  }
  expect(error).toBeLessThanOrEqual(rtol * scale);
}

/** Block [r, h] of a [rows, H, n] output as a plain array of n values. */
function block(data: Float32Array, dims: ModelDims, r: number, h: number, n: number): Float32Array {
  const offset = (r * dims.heads + h) * n;
  return data.subarray(offset, offset + n);
}

/** Wo_h: columns h·dh … (h+1)·dh - 1 of Wo [d, d], as a [d, dh] matrix. */
function woColumns(wo: Float32Array, d: number, dh: number, h: number): Float64Array {
  return Float64Array.from({ length: d * dh }, (_, i) => wo[Math.floor(i / dh) * d + h * dh + (i % dh)]);
}

describe.each([
  ['two heads', TWO_HEADS],
  ['one head', ONE_HEAD],
])('buildExtractionGraph (%s)', (_, dims) => {
  const weights = weightsFor(dims);
  const tokens = randomTokens(dims, ROWS, `extraction-${dims.heads}`);
  const { context: w, dModel: d, heads, vocab } = dims;
  const dh = d / heads;
  const references: ForwardTrace[] = Array.from({ length: ROWS }, (_, r) => referenceForward(dims, weights, tokens.subarray(r * w, (r + 1) * w)));
  const extraction = () => runGraph(buildExtractionGraph(dims, ROWS, weights).toBytes(), { [EXTRACTION_IO.tokens]: new ort.Tensor('int32', tokens, [ROWS, w]) });

  it('outputs last-position logits and qkt/avwo per layer with the documented shapes', () => {
    const outputs = buildExtractionGraph(dims, ROWS, weights).outputs.map((o) => [o.name, o.shape]);
    expect(outputs).toEqual([
      ['logits', [ROWS, vocab]],
      ['qkt_0', [ROWS, heads, w, w]],
      ['avwo_0', [ROWS, heads, w, d]],
      ['qkt_1', [ROWS, heads, w, w]],
      ['avwo_1', [ROWS, heads, w, d]],
    ]);
  });

  it('logits match the float64 reference forward pass', async () => {
    const out = await extraction();
    for (let r = 0; r < ROWS; r++) expectClose(out.logits.subarray(r * vocab, (r + 1) * vocab), references[r].logits);
  });

  it('qkt is the scaled score matrix of the reference, with the future triangle exactly +0', async () => {
    const out = await extraction();
    for (let l = 0; l < dims.layers; l++) {
      for (let r = 0; r < ROWS; r++) {
        for (let h = 0; h < heads; h++) {
          const got = block(out[EXTRACTION_IO.qkt(l)], dims, r, h, w * w);
          expectClose(got, references[r].layers[l].qkt[h]);
          for (let t = 0; t < w; t++) for (let s = t + 1; s < w; s++) expect(Object.is(got[t * w + s], 0)).toBe(true);
          // The lower triangle holds real scores, not zeros.
          expect(got.filter((v, i) => i % w <= Math.floor(i / w) && v === 0)).toHaveLength(0);
        }
      }
    }
  });

  it('avwo_h is A_h V_h Wo_hᵀ with Wo_h the head’s column slice of Wo', async () => {
    const out = await extraction();
    for (let l = 0; l < dims.layers; l++) {
      const wo = weights.get(`blocks.${l}.attn.o.weight`) as Float32Array;
      for (let r = 0; r < ROWS; r++) {
        const trace = references[r].layers[l];
        for (let h = 0; h < heads; h++) {
          const av = matmul(trace.probabilities[h], trace.values[h], w, w, dh);
          const expected = linear(av, w, dh, woColumns(wo, d, dh, h), d);
          expectClose(block(out[EXTRACTION_IO.avwo(l)], dims, r, h, w * d), expected);
        }
      }
    }
  });

  it('avwo summed over heads is the attention block output', async () => {
    const out = await extraction();
    const avwo = out[EXTRACTION_IO.avwo(1)];
    for (let r = 0; r < ROWS; r++) {
      const sum = new Float64Array(w * d);
      for (let h = 0; h < heads; h++) block(avwo, dims, r, h, w * d).forEach((v, i) => (sum[i] += v));
      expectClose(sum, references[r].layers[1].attention);
    }
  });

  it('logits equal the inference graph’s for the same full windows', async () => {
    const out = await extraction();
    const inference = await runGraph(buildInferenceGraph(dims, ROWS, weights).toBytes(), {
      [INFERENCE_IO.tokens]: new ort.Tensor('int32', tokens, [ROWS, w]),
      [INFERENCE_IO.lengths]: new ort.Tensor('int32', new Int32Array(ROWS).fill(w), [ROWS]),
    });
    expectClose(out.logits, inference[INFERENCE_IO.logits], 1e-6);
  });
});

describe('buildExtractionGraph inputs', () => {
  it('rejects weights that do not match the dimensions', () => {
    const weights = weightsFor(TWO_HEADS);
    weights.delete('blocks.1.attn.v.weight');
    expect(() => buildExtractionGraph(TWO_HEADS, 1, weights)).toThrow(InputError);
    expect(() => buildExtractionGraph(TWO_HEADS, 1, weights)).toThrow('missing blocks.1.attn.v.weight');
  });
});

describe('reference forward pass oracle', () => {
  it('erf64 matches tabulated values to float64 rounding', () => {
    expect(erf64(0)).toBe(0);
    expect(erf64(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf64(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(erf64(2)).toBeCloseTo(0.9953222650189527, 15);
    expect(erf64(-3)).toBeCloseTo(-0.9999779095030014, 15);
    expect(erf64(7)).toBe(1);
  });
});
