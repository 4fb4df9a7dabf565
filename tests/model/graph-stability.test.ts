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
    // Recorded when the taps were added. Against the graph before that change the only
    // difference is Q's Gemm beta = 1/sqrt(dh) (the score scale now also applies to the folded
    // LayerNorm-shift term), whose gradient adds one Mul on a [d] vector per layer.
    const graph = buildTrainingGraph(DIMS, 3, HYPER, { flatState: true });
    expect(graph.toModelDef().nodes).toHaveLength(415);
    expect(opCounts(graph)).toEqual({
      Add: 42, Cast: 1, Concat: 1, ConstantOfShape: 1, Div: 5, Erf: 2, Exp: 3, Expand: 1, Gather: 1, GatherElements: 1, Gemm: 66,
      Greater: 1, LayerNormalization: 5, LogSoftmax: 1, MatMul: 12, Mul: 68, Neg: 2, Pow: 2, ReduceMean: 11, ReduceSum: 24,
      Reshape: 109, ScatterElements: 1, ScatterND: 1, Softmax: 2, Split: 1, Sqrt: 3, Sub: 19, Transpose: 28, Where: 1,
    });
  });
});
