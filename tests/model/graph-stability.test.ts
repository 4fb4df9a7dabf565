import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/graph-builder';
import type { ModelDims } from '../../src/model/model-dims';
import { parameterSpecs } from '../../src/model/parameters';
import { buildTrainingGraph } from '../../src/model/training-graph';
import { headLogits, transformerTrunk, type ParameterValues } from '../../src/model/transformer';
import { HYPER } from './fixtures';

const DIMS: ModelDims = { vocab: 11, context: 5, dModel: 8, layers: 2, heads: 2 };

/** Serialised forward graph (trunk + head), optionally with an attention observer attached. */
function forwardBytes(dims: ModelDims, observe: boolean): Uint8Array {
  const b = new GraphBuilder('float32', 'forward');
  const tokens = b.input('tokens', [3, dims.context], 'int32');
  const p: ParameterValues = Object.fromEntries(parameterSpecs(dims).map((s) => [s.name, b.input(s.name, s.shape)]));
  const seen: number[] = [];
  const observer = observe ? { attention: (layer: number) => void seen.push(layer) } : {};
  b.output('logits', headLogits(b, p, transformerTrunk(b, dims, p, tokens, observer)));
  if (observe) expect(seen).toEqual([0, 1]);
  return b.toBytes();
}

function opCounts(b: GraphBuilder): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of b.toModelDef().nodes) counts[node.opType] = (counts[node.opType] ?? 0) + 1;
  return counts;
}

describe('extraction taps leave the training computation alone', () => {
  it.each([1, 2])('observing attention adds no node to the forward graph (H = %i)', (heads) => {
    const dims = { ...DIMS, heads };
    expect(forwardBytes(dims, true)).toEqual(forwardBytes(dims, false));
  });

  it('the flat-state training graph keeps its recorded node count and op multiset', () => {
    // Recorded when the taps were added, then changed on purpose: Q's Gemm beta = 1/sqrt(dh)
    // (one Mul on a [d] vector per layer); the embedding gradient as a OneHot product instead
    // of ScatterND (which loses updates on several threads); dK straight from the scores'
    // gradient (one Transpose fewer per layer); each LayerNorm-fed Linear as one product
    // against x̂ with a column of ones (a Concat per LayerNorm and per weight); AdamW with the
    // clipping folded into its scalars; the parameters fed as views instead of a Split.
    const graph = buildTrainingGraph(DIMS, 3, HYPER, { flatState: true });
    expect(graph.toModelDef().nodes).toHaveLength(421);
    expect(opCounts(graph)).toEqual({
      Add: 42, Cast: 1, Concat: 15, Div: 4, Erf: 2, Exp: 3, Expand: 1, Gather: 1, GatherElements: 1, Gemm: 67,
      Greater: 1, LayerNormalization: 5, LogSoftmax: 1, MatMul: 12, Mul: 77, Neg: 2, OneHot: 1, Pow: 2, ReduceMean: 11,
      ReduceSum: 24, Reshape: 99, ScatterElements: 1, Softmax: 2, Sqrt: 3, Sub: 18, Transpose: 24, Where: 1,
    });
  });
});
