import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors';
import { Extractor } from '../../../src/evaluation/extraction/extractor';
import { firstMomentInput, paramInput, secondMomentInput } from '../../../src/model/graph-names';
import type { ModelDims } from '../../../src/model/model-dims';
import { weightsFromState } from '../../../src/model/model-weights';
import { wvwoProducts } from '../../../src/model/wvwo';
import { randomParameters, randomTokens } from '../../model/fixtures';
import { matmul, referenceForward } from '../../model/reference-forward';

const DIMS: ModelDims = { vocab: 11, context: 5, dModel: 8, layers: 2, heads: 2 };
const ROWS = 3;
const CPU = { device: 'cpu' as const, threads: 1 };

/** A saved trainer state with O(1) random parameters and (ignored) moments. */
function trainerState(dims: ModelDims): { step: number; tensors: Record<string, Float32Array> } {
  const tensors: Record<string, Float32Array> = {};
  for (const [name, data] of randomParameters(dims, 31)) {
    tensors[paramInput(name)] = Float32Array.from(data);
    tensors[firstMomentInput(name)] = new Float32Array(data.length).fill(7);
    tensors[secondMomentInput(name)] = new Float32Array(data.length).fill(7);
  }
  return { step: 12, tensors };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let [scale, error] = [0, 0];
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    error = Math.max(error, Math.abs(actual[i] - expected[i]));
  }
  expect(error).toBeLessThanOrEqual(rtol * scale);
}

describe('Extractor', () => {
  const { context: w, dModel: d, heads, vocab, layers } = DIMS;
  const weights = weightsFromState(DIMS, trainerState(DIMS));
  const contexts = randomTokens(DIMS, ROWS, 'extractor');
  let extractor: Extractor;

  beforeAll(async () => {
    extractor = await Extractor.create(weights, DIMS, ROWS, CPU);
  });
  afterAll(async () => {
    await extractor.release();
  });

  it('runs on the requested device and holds the static WvWo products', () => {
    expect(extractor.identity.provider).toBe('cpu');
    expect(extractor.rows).toBe(ROWS);
    expect(extractor.wvwo).toEqual(wvwoProducts(DIMS, weights));
  });

  it('returns logits, qkt and avwo per layer with the documented sizes and the reference values', async () => {
    const out = await extractor.run(contexts);
    expect(out.logits).toHaveLength(ROWS * vocab);
    expect(out.qkt.map((q) => q.length)).toEqual(new Array(layers).fill(ROWS * heads * w * w));
    expect(out.avwo.map((a) => a.length)).toEqual(new Array(layers).fill(ROWS * heads * w * d));
    for (let r = 0; r < ROWS; r++) {
      const reference = referenceForward(DIMS, weights, contexts.subarray(r * w, (r + 1) * w));
      expectClose(out.logits.subarray(r * vocab, (r + 1) * vocab), reference.logits);
      for (let l = 0; l < layers; l++) {
        for (let h = 0; h < heads; h++) {
          const offset = r * heads + h;
          expectClose(out.qkt[l].subarray(offset * w * w, (offset + 1) * w * w), reference.layers[l].qkt[h]);
        }
      }
    }
  });

  it('avwo_h equals A_h · LN1(x) · WvWo_h, tying the per-step target to the static one', async () => {
    const out = await extractor.run(contexts);
    for (let r = 0; r < ROWS; r++) {
      const reference = referenceForward(DIMS, weights, contexts.subarray(r * w, (r + 1) * w));
      for (let l = 0; l < layers; l++) {
        const { probabilities, normed } = reference.layers[l];
        for (let h = 0; h < heads; h++) {
          const expected = matmul(matmul(probabilities[h], normed, w, w, d), extractor.wvwo[l][h], w, d, d);
          const offset = r * heads + h;
          expectClose(out.avwo[l].subarray(offset * w * d, (offset + 1) * w * d), expected);
        }
      }
    }
  });

  it('a short batch gives the leading rows of a full batch, without the padding rows', async () => {
    const full = await extractor.run(contexts);
    const short = await extractor.run(contexts.slice(0, 2 * w));
    expect(Array.from(short.logits)).toEqual(Array.from(full.logits.subarray(0, 2 * vocab)));
    short.qkt.forEach((q, l) => expect(Array.from(q)).toEqual(Array.from(full.qkt[l].subarray(0, 2 * heads * w * w))));
    short.avwo.forEach((a, l) => expect(Array.from(a)).toEqual(Array.from(full.avwo[l].subarray(0, 2 * heads * w * d))));
  });

  it('rejects contexts that are not 1..rows full windows of vocabulary tokens', async () => {
    await expect(extractor.run(new Int32Array(w - 1))).rejects.toThrow(InputError);
    await expect(extractor.run(new Int32Array(0))).rejects.toThrow('contexts must hold 1..3 full windows of 5 tokens, got 0 tokens');
    await expect(extractor.run(new Int32Array((ROWS + 1) * w))).rejects.toThrow(InputError);
    const bad = Int32Array.from(contexts);
    bad[4] = vocab;
    await expect(extractor.run(bad)).rejects.toThrow(`contexts[4] = ${vocab} is not a token id in 0..${vocab - 1}`);
  });

  it('rejects a bad row count and weights of another model', async () => {
    await expect(Extractor.create(weights, DIMS, 0, CPU)).rejects.toThrow(InputError);
    expect(() => weightsFromState({ ...DIMS, layers: 3 }, trainerState(DIMS))).toThrow('missing blocks.2.ln1.weight');
    await expect(Extractor.create(weights, { ...DIMS, vocab: 12 }, ROWS, CPU)).rejects.toThrow('token_embedding.weight has 88 values');
  });
});
