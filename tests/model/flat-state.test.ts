import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { FLAT_STATE, firstMomentInput, nextOutput, paramInput, secondMomentInput, TRAINING_IO } from '../../src/model/graph-names';
import { parameterSpecs } from '../../src/model/parameters';
import { buildTrainingGraph } from '../../src/model/training-graph';
import { createSession } from '../../src/onnx/session';
import { Rng } from '../../src/random/rng';
import { HYPER, randomParameters, randomTokens, TINY_DIMS, tokenTensor } from './fixtures';

describe('flat-state training graph', () => {
  it('computes exactly what the per-tensor graph computes, in the concatenated layout', async () => {
    const dims = TINY_DIMS;
    const specs = parameterSpecs(dims);
    const params = randomParameters(dims, 4);
    const rng = Rng.derive(11, 'flat-state-moments');
    const perTensor: Record<string, ort.Tensor> = {
      [TRAINING_IO.inputs]: tokenTensor(randomTokens(dims, 2, 'fa'), 2, dims.context),
      [TRAINING_IO.targets]: tokenTensor(randomTokens(dims, 2, 'fb'), 2, dims.context),
      [TRAINING_IO.learningRate]: new ort.Tensor('float64', Float64Array.of(1e-2), []),
      [TRAINING_IO.step]: new ort.Tensor('float64', Float64Array.of(3), []),
    };
    const flat: Record<string, ort.Tensor> = { ...perTensor };
    const concatenated: Record<string, number[]> = { p: [], m: [], v: [] };
    for (const spec of specs) {
      const p = params.get(spec.name)!;
      const m = Float64Array.from(p, () => 0.01 * rng.normal());
      const v = Float64Array.from(p, () => 1e-4 * rng.float());
      perTensor[paramInput(spec.name)] = new ort.Tensor('float64', p, [...spec.shape]);
      perTensor[firstMomentInput(spec.name)] = new ort.Tensor('float64', m, [...spec.shape]);
      perTensor[secondMomentInput(spec.name)] = new ort.Tensor('float64', v, [...spec.shape]);
      concatenated.p.push(...p);
      concatenated.m.push(...m);
      concatenated.v.push(...v);
    }
    const total = concatenated.p.length;
    flat[FLAT_STATE.param] = new ort.Tensor('float64', Float64Array.from(concatenated.p), [total]);
    // The forward pass reads the parameters one tensor each (views of the flat vector in the trainer).
    for (const spec of specs) flat[paramInput(spec.name)] = perTensor[paramInput(spec.name)];
    flat[FLAT_STATE.firstMoment] = new ort.Tensor('float64', Float64Array.from(concatenated.m), [total]);
    flat[FLAT_STATE.secondMoment] = new ort.Tensor('float64', Float64Array.from(concatenated.v), [total]);

    const run = async (flatState: boolean, feeds: Record<string, ort.Tensor>) => {
      const graph = buildTrainingGraph(dims, 2, HYPER, { float: 'float64', flatState });
      const { session } = await createSession(graph.toBytes(), { device: 'cpu', threads: 1 });
      return session.run(feeds);
    };
    const [a, b] = [await run(false, perTensor), await run(true, flat)];
    expect(b[TRAINING_IO.loss].data[0]).toBe(a[TRAINING_IO.loss].data[0]);
    expect(b[TRAINING_IO.gradNorm].data[0]).toBe(a[TRAINING_IO.gradNorm].data[0]);
    for (const [flatName, perName] of [
      [FLAT_STATE.param, paramInput],
      [FLAT_STATE.firstMoment, firstMomentInput],
      [FLAT_STATE.secondMoment, secondMomentInput],
    ] as const) {
      const joined = specs.flatMap((s) => Array.from(a[nextOutput(perName(s.name))].data as Float64Array));
      expect(Array.from(b[nextOutput(flatName)].data as Float64Array)).toEqual(joined);
    }
  });
});
