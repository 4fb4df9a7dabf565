import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors';
import { createOnnxTrainer } from '../../src/model/onnx-trainer';
import { createSession } from '../../src/onnx/session';
import type { TrainerShape } from '../../src/training/trainer-backend';
import { Rng } from '../../src/random/rng';
import { HYPER } from './fixtures';

const MODEL = { d_model: 16, n_layers: 1, n_heads: 2 as const, dropout: 0 };
const SHAPE: TrainerShape = { vocab: 8, context: 8, batch: 8, generationBatch: 3 };
const CPU = { device: 'cpu' as const, threads: 1 };

/** Windows of the rule "next token = token + 1 mod vocab", with random starts. */
function countingBatch(stream: string): { inputs: Int32Array; targets: Int32Array } {
  const rng = Rng.derive(5, 'counting', stream);
  const { batch, context, vocab } = SHAPE;
  const inputs = new Int32Array(batch * context);
  const targets = new Int32Array(batch * context);
  for (let r = 0; r < batch; r++) {
    const start = rng.int(vocab);
    for (let t = 0; t < context; t++) {
      inputs[r * context + t] = (start + t) % vocab;
      targets[r * context + t] = (start + t + 1) % vocab;
    }
  }
  return { inputs, targets };
}

describe('createOnnxTrainer', () => {
  it('reports what it runs on and the parameter count', async () => {
    const trainer = await createOnnxTrainer(MODEL, SHAPE, HYPER, 1, CPU);
    expect(trainer.identity).toEqual({ provider: 'cpu', fallbackReason: null, threads: 1, precision: 'float32', onnxruntimeVersion: '1.30.0' });
    expect(trainer.parameterCount).toBe(8 * 16 + 8 * 16 + (12 * 256 + 9 * 16) + 32 + 16 * 8);
    await trainer.release();
  });

  it('a float32 training step lowers the loss over 50 steps on a counting task', async () => {
    const trainer = await createOnnxTrainer(MODEL, SHAPE, HYPER, 1, CPU);
    const losses: number[] = [];
    for (let s = 0; s < 50; s++) {
      const { inputs, targets } = countingBatch(`step-${s}`);
      losses.push(await trainer.step(inputs, targets, 1e-2));
    }
    expect(losses[0]).toBeGreaterThan(1.9); // ~ln 8 at initialisation
    expect(losses[49]).toBeLessThan(0.5 * losses[0]);
    await trainer.release();
  });

  it('export -> import -> step equals step without the round trip, bit for bit', async () => {
    const a = await createOnnxTrainer(MODEL, SHAPE, HYPER, 1, CPU);
    const b = await createOnnxTrainer(MODEL, SHAPE, HYPER, 2, CPU);
    for (let s = 0; s < 3; s++) {
      const { inputs, targets } = countingBatch(`warm-${s}`);
      await a.step(inputs, targets, 5e-3);
    }
    await b.importState(await a.exportState());
    const { inputs, targets } = countingBatch('next');
    expect(await b.step(inputs, targets, 5e-3)).toBe(await a.step(inputs, targets, 5e-3));
    const [sa, sb] = [await a.exportState(), await b.exportState()];
    expect(sb.step).toBe(4);
    expect(sb).toEqual(sa);
    await Promise.all([a.release(), b.release()]);
  });

  it('nextLogits reads position length-1 and ignores tokens past each length', async () => {
    const trainer = await createOnnxTrainer(MODEL, SHAPE, HYPER, 3, CPU);
    const { context, vocab } = SHAPE;
    const contexts = Int32Array.from({ length: 3 * context }, (_, i) => (i * 5) % vocab);
    const lengths = Int32Array.of(3, 8);
    const logits = await trainer.nextLogits(contexts, lengths, 2);
    expect(logits.length).toBe(2 * vocab);
    const altered = Int32Array.from(contexts);
    altered.fill(7, 3, context); // row 0 beyond its length
    expect(await trainer.nextLogits(altered, lengths, 2)).toEqual(logits);
    // A row's logits do not depend on the other rows.
    const alone = await trainer.nextLogits(contexts, lengths, 1);
    expect(Array.from(alone)).toEqual(Array.from(logits.subarray(0, vocab)));
    await trainer.release();
  });

  it('the exported inference model reproduces nextLogits in a fresh session', async () => {
    const trainer = await createOnnxTrainer(MODEL, SHAPE, HYPER, 4, CPU);
    const { inputs, targets } = countingBatch('export');
    await trainer.step(inputs, targets, 1e-2);
    const contexts = inputs.slice(0, 3 * SHAPE.context);
    const lengths = Int32Array.of(1, 5, 8);
    const expected = await trainer.nextLogits(contexts, lengths, 3);
    const { session } = await createSession(await trainer.exportInferenceModel(), { device: 'cpu', threads: 1 });
    const out = await session.run({
      tokens: new ort.Tensor('int32', contexts, [3, SHAPE.context]),
      lengths: new ort.Tensor('int32', lengths, [3]),
    });
    expect(out.logits.data).toEqual(expected);
    await trainer.release();
  });

  it('BAD CALL - dropout above 0 is rejected with a ConfigError naming model.dropout', async () => {
    await expect(createOnnxTrainer({ ...MODEL, dropout: 0.1 }, SHAPE, HYPER, 1, CPU)).rejects.toThrow(ConfigError);
    await expect(createOnnxTrainer({ ...MODEL, dropout: 0.1 }, SHAPE, HYPER, 1, CPU)).rejects.toThrow(/model\.dropout/);
  });

  it('BAD CALL - wrong batch sizes, token ids and state names are InputErrors', async () => {
    const trainer = await createOnnxTrainer(MODEL, SHAPE, HYPER, 1, CPU);
    const { inputs, targets } = countingBatch('bad');
    await expect(trainer.step(inputs.subarray(1), targets, 1e-3)).rejects.toThrow(/inputs has 63 values, expected 64/);
    const badTargets = Int32Array.from(targets);
    badTargets[5] = 8;
    await expect(trainer.step(inputs, badTargets, 1e-3)).rejects.toThrow(InputError);
    await expect(trainer.nextLogits(new Int32Array(24), Int32Array.of(0), 1)).rejects.toThrow(/lengths\[0\] = 0 is outside 1\.\.8/);
    await expect(trainer.importState({ step: 0, tensors: {} })).rejects.toThrow(/missing: param\/token_embedding\.weight/);
    await trainer.release();
  });

  it.skipIf(process.env.ONNXRUNTIME_NODE_INSTALL === 'cuda12')('a cuda request on a CPU-only host trains on cpu and records why', async () => {
    const trainer = await createOnnxTrainer(MODEL, SHAPE, HYPER, 1, { device: 'cuda', threads: 1 });
    expect(trainer.identity.provider).toBe('cpu');
    expect(trainer.identity.fallbackReason).toMatch(/CUDA execution provider unavailable/);
    await trainer.release();
  });
});

describe('createOnnxTrainer on 2 threads', () => {
  // Large enough that onnxruntime splits kernels across both threads (the embedding gradient
  // once lost updates that way); the same seed and batches must give the same model.
  const model = { d_model: 128, n_layers: 1, n_heads: 1 as const, dropout: 0 };
  const shape: TrainerShape = { vocab: 100, context: 64, batch: 64, generationBatch: 1 };

  async function trainTwice(): Promise<Record<string, Float32Array>> {
    const trainer = await createOnnxTrainer(model, shape, HYPER, 4, { device: 'cpu', threads: 2 });
    const rng = Rng.derive(9, 'two-threads');
    const tokens = () => Int32Array.from({ length: shape.batch * shape.context }, () => rng.int(shape.vocab));
    for (let s = 0; s < 2; s++) await trainer.step(tokens(), tokens(), 1e-3);
    const { tensors } = await trainer.exportState();
    await trainer.release();
    return tensors;
  }

  it('trains the same parameters bit for bit, run after run', async () => {
    const [first, second] = [await trainTwice(), await trainTwice()];
    for (const name of Object.keys(first)) expect(second[name], name).toEqual(first[name]);
  });
});
