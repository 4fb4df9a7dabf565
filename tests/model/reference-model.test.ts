import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { paramInput, TRAINING_IO } from '../../src/model/graph-names';
import type { ModelDims } from '../../src/model/model-dims';
import { parameterSpecs } from '../../src/model/parameters';
import { buildTrainingGraph } from '../../src/model/training-graph';
import { createSession } from '../../src/onnx/session';
import { HYPER, randomParameters, randomTokens, tokenTensor } from './fixtures';
import { referenceForward } from './reference-forward';

const BATCH = 2;

/** Mean cross-entropy of the float64 oracle over every position of every window. */
function referenceLoss(dims: ModelDims, params: ReadonlyMap<string, Float64Array>, inputs: Int32Array, targets: Int32Array): number {
  const { context: w, vocab } = dims;
  let total = 0;
  for (let r = 0; r < BATCH; r++) {
    const logits = referenceForward(dims, params, inputs.subarray(r * w, (r + 1) * w)).positionLogits;
    for (let t = 0; t < w; t++) {
      const row = logits.subarray(t * vocab, (t + 1) * vocab);
      const max = Math.max(...row);
      const logSum = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
      total += logSum - row[targets[r * w + t]];
    }
  }
  return total / (BATCH * w);
}

describe('the training graph computes the reference model', () => {
  // Random LayerNorm shifts matter here: a score scale applied to Q's weight term but not to
  // its folded LayerNorm-shift term went unnoticed by the gradient checks, which only test the
  // graph against itself.
  it.each([
    ['two heads', 2],
    ['one head', 1],
  ])('float64 loss equals the independent forward pass (%s)', async (_, heads) => {
    const dims: ModelDims = { vocab: 11, context: 5, dModel: 8, layers: 2, heads };
    const params = randomParameters(dims, 23);
    const inputs = randomTokens(dims, BATCH, 'reference-in');
    const targets = randomTokens(dims, BATCH, 'reference-out');
    const feeds: Record<string, ort.Tensor> = {
      [TRAINING_IO.inputs]: tokenTensor(inputs, BATCH, dims.context),
      [TRAINING_IO.targets]: tokenTensor(targets, BATCH, dims.context),
    };
    for (const spec of parameterSpecs(dims)) feeds[paramInput(spec.name)] = new ort.Tensor('float64', params.get(spec.name)!, [...spec.shape]);
    const graph = buildTrainingGraph(dims, BATCH, HYPER, { float: 'float64', lossOnly: true });
    const { session } = await createSession(graph.toBytes(), { device: 'cpu', threads: 1 });
    const loss = Number((await session.run(feeds))[TRAINING_IO.loss].data[0]);
    await session.release();
    // Not float64 rounding: ONNX stores Gemm's alpha and beta (the 1/sqrt(dh) and 1/sqrt(2)
    // scales) as float32 attributes, a ~3e-8 relative perturbation even in float64 graphs.
    expect(Math.abs(loss - referenceLoss(dims, params, inputs, targets))).toBeLessThan(1e-7);
  });
});
