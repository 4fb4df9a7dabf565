import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { firstMomentInput, gradOutput, nextOutput, paramInput, secondMomentInput, TRAINING_IO } from '../../src/model/graph-names';
import { parameterSpecs } from '../../src/model/parameters';
import { buildTrainingGraph } from '../../src/model/training-graph';
import { createSession } from '../../src/onnx/session';
import { Rng } from '../../src/random/rng';
import { HYPER, randomParameters, randomTokens, TINY_DIMS, tokenTensor } from './fixtures';

interface Slot {
  p: Float64Array;
  m: Float64Array;
  v: Float64Array;
  g: Float64Array;
}

/** torch.nn.utils.clip_grad_norm_ followed by torch.optim.AdamW, written out directly. */
function referenceStep(slots: Slot[], lr: number, step: number, hyper: typeof HYPER): void {
  const total = Math.sqrt(slots.reduce((s, { g }) => s + g.reduce((a, x) => a + x * x, 0), 0));
  const coefficient = Math.min(1, hyper.clipNorm / (total + 1e-6));
  const bc1 = 1 - hyper.beta1 ** step;
  const bc2Sqrt = Math.sqrt(1 - hyper.beta2 ** step);
  for (const { p, m, v, g } of slots) {
    for (let i = 0; i < p.length; i++) {
      const grad = g[i] * coefficient;
      p[i] *= 1 - lr * hyper.weightDecay;
      m[i] += (grad - m[i]) * (1 - hyper.beta1);
      v[i] = v[i] * hyper.beta2 + grad * grad * (1 - hyper.beta2);
      p[i] -= (lr / bc1) * (m[i] / (Math.sqrt(v[i]) / bc2Sqrt + hyper.epsilon));
    }
  }
}

describe('AdamW step in the graph', () => {
  for (const clipNorm of [0.05, 1e6]) {
    it(`matches a direct TypeScript AdamW + clipping given the same gradients (clipNorm ${clipNorm})`, async () => {
      const dims = TINY_DIMS;
      const hyper = { ...HYPER, clipNorm };
      const graph = buildTrainingGraph(dims, 2, hyper, { float: 'float64', exposeGradients: true });
      const { session } = await createSession(graph.toBytes(), { device: 'cpu', threads: 1 });
      const params = randomParameters(dims, 2);
      const rng = Rng.derive(9, 'adamw-moments');
      const lr = 3e-2;
      const step = 4;
      const feeds: Record<string, ort.Tensor> = {
        [TRAINING_IO.inputs]: tokenTensor(randomTokens(dims, 2, 'a'), 2, dims.context),
        [TRAINING_IO.targets]: tokenTensor(randomTokens(dims, 2, 'b'), 2, dims.context),
        [TRAINING_IO.learningRate]: new ort.Tensor('float64', Float64Array.of(lr), []),
        [TRAINING_IO.step]: new ort.Tensor('float64', Float64Array.of(step), []),
      };
      const slots = new Map<string, Slot>();
      for (const spec of parameterSpecs(dims)) {
        const p = params.get(spec.name)!;
        const m = Float64Array.from(p, () => 0.01 * rng.normal());
        const v = Float64Array.from(p, () => 1e-4 * rng.float());
        slots.set(spec.name, { p: Float64Array.from(p), m: Float64Array.from(m), v: Float64Array.from(v), g: new Float64Array(0) });
        feeds[paramInput(spec.name)] = new ort.Tensor('float64', p, [...spec.shape]);
        feeds[firstMomentInput(spec.name)] = new ort.Tensor('float64', m, [...spec.shape]);
        feeds[secondMomentInput(spec.name)] = new ort.Tensor('float64', v, [...spec.shape]);
      }
      const out = await session.run(feeds);
      for (const [name, slot] of slots) slot.g = out[gradOutput(name)].data as Float64Array;
      const norm = Number(out[TRAINING_IO.gradNorm].data[0]);
      expect(norm > clipNorm).toBe(clipNorm < 1);

      referenceStep([...slots.values()], lr, step, hyper);
      let worst = 0;
      for (const [name, slot] of slots) {
        for (const [input, expected] of [
          [paramInput(name), slot.p],
          [firstMomentInput(name), slot.m],
          [secondMomentInput(name), slot.v],
        ] as const) {
          const actual = out[nextOutput(input)].data as Float64Array;
          expected.forEach((e, i) => (worst = Math.max(worst, Math.abs(actual[i] - e) / Math.max(Math.abs(e), 1e-8))));
        }
      }
      expect(worst).toBeLessThan(1e-12);
    });
  }
});
