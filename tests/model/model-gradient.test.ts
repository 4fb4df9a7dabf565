import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gradOutput, paramInput, TRAINING_IO } from '../../src/model/graph-names';
import { parameterSpecs } from '../../src/model/parameters';
import { buildTrainingGraph } from '../../src/model/training-graph';
import { createSession } from '../../src/onnx/session';
import { HYPER, randomParameters, randomTokens, TINY_DIMS, tokenTensor } from './fixtures';

const BATCH = 2;
const COORDS_PER_TENSOR = 5;

describe('whole-model gradient', () => {
  it('float64 autodiff gradient of the loss matches central finite differences (rel err <= 1e-6)', async () => {
    const dims = TINY_DIMS;
    const params = randomParameters(dims, 1);
    const inputs = tokenTensor(randomTokens(dims, BATCH, 'in'), BATCH, dims.context);
    const targets = tokenTensor(randomTokens(dims, BATCH, 'out'), BATCH, dims.context);
    const feeds = (override?: { name: string; index: number; delta: number }) => {
      const f: Record<string, ort.Tensor> = { [TRAINING_IO.inputs]: inputs, [TRAINING_IO.targets]: targets };
      for (const spec of parameterSpecs(dims)) {
        const data = Float64Array.from(params.get(spec.name)!);
        if (override?.name === spec.name) data[override.index] += override.delta;
        f[paramInput(spec.name)] = new ort.Tensor('float64', data, [...spec.shape]);
      }
      return f;
    };

    const lossGraph = buildTrainingGraph(dims, BATCH, HYPER, { float: 'float64', lossOnly: true });
    const loss = (await createSession(lossGraph.toBytes(), { device: 'cpu', threads: 1 })).session;
    // Analytic gradients come from the full step graph; its optimizer inputs do not affect them.
    const full = buildTrainingGraph(dims, BATCH, HYPER, { float: 'float64', exposeGradients: true });
    const grad = (await createSession(full.toBytes(), { device: 'cpu', threads: 1 })).session;
    const extra: Record<string, ort.Tensor> = {
      [TRAINING_IO.learningRate]: new ort.Tensor('float64', Float64Array.of(0), []),
      [TRAINING_IO.step]: new ort.Tensor('float64', Float64Array.of(1), []),
    };
    for (const spec of parameterSpecs(dims)) {
      const zeros = new Float64Array(spec.shape.reduce((a, b) => a * b, 1));
      extra[`adam_m/${spec.name}`] = new ort.Tensor('float64', zeros, [...spec.shape]);
      extra[`adam_v/${spec.name}`] = new ort.Tensor('float64', zeros, [...spec.shape]);
    }
    const analytic = await grad.run({ ...feeds(), ...extra });

    const h = 1e-5;
    const lossAt = async (name: string, index: number, delta: number) =>
      Number((await loss.run(feeds({ name, index, delta }))).loss.data[0]);
    let worst = 0;
    for (const spec of parameterSpecs(dims)) {
      const g = analytic[gradOutput(spec.name)].data as Float64Array;
      let diff = 0;
      let norm = 0;
      const stride = Math.max(1, Math.floor(g.length / COORDS_PER_TENSOR));
      for (let i = 0; i < g.length; i += stride) {
        const numeric = ((await lossAt(spec.name, i, h)) - (await lossAt(spec.name, i, -h))) / (2 * h);
        diff += (g[i] - numeric) ** 2;
        norm += Math.max(g[i] ** 2, numeric ** 2);
      }
      worst = Math.max(worst, Math.sqrt(diff / norm));
    }
    expect(worst).toBeLessThanOrEqual(1e-6);
  });
});
