import { describe, expect, test } from 'vitest';
import { Cancelled, ResourceError, StageError } from '../../src/errors';
import { runTrainingLoop, type LoopCheckpoint, type LoopProgress } from '../../src/training/loop';
import { REFERENCE_OPTIMIZER } from '../../src/training/optimizer';
import { runTrainingJob, type TrainingJob } from '../../src/training/worker-host';
import { bigram, loopData, MODEL, SHAPE, settings } from './fixtures';

const BIGRAM = new URL('./bigram-backend.ts', import.meta.url).href;

function job(overrides: Partial<TrainingJob> = {}): TrainingJob {
  return {
    backend: { url: BIGRAM, exportName: 'createBigramTrainer' },
    model: MODEL,
    shape: SHAPE,
    optimizer: { ...REFERENCE_OPTIMIZER },
    seed: 7,
    runtime: { device: 'cpu', threads: 1 },
    settings: settings(),
    data: loopData(),
    resume: null,
    ...overrides,
  };
}

describe('runTrainingJob', () => {
  test('trains in a worker thread exactly as in process, saving every checkpoint and reporting progress', async () => {
    const checkpoints: LoopCheckpoint[] = [];
    const progress: LoopProgress[] = [];
    const result = await runTrainingJob(job({ progressIntervalMs: 0 }), {
      onCheckpoint: async (checkpoint) => void checkpoints.push(checkpoint),
      onProgress: (p) => progress.push(p),
    });
    const backend = await bigram();
    const inProcess = await runTrainingLoop(backend, SHAPE, settings(), loopData());
    expect(result.loop.losses).toEqual(inProcess.losses);
    expect(result.loop.gates).toEqual(inProcess.gates);
    expect(Buffer.from(result.model).equals(Buffer.from(await backend.exportInferenceModel()))).toBe(true);
    expect(result.identity).toMatchObject({ provider: 'cpu', threads: 1 });
    expect(result.parameterCount).toBe(144);
    expect(checkpoints.map((c) => c.step)).toEqual([40, 80, 120, 150]);
    expect(checkpoints[0].backend.tensors.table).toBeInstanceOf(Float32Array);
    expect(progress.filter((p) => p.phase === 'train')).toHaveLength(150);
  });

  test('a job resumed from a checkpoint ends where the uninterrupted job ends', async () => {
    const checkpoints: LoopCheckpoint[] = [];
    const full = await runTrainingJob(job(), { onCheckpoint: async (c) => void checkpoints.push(c) });
    const resumed = await runTrainingJob(job({ resume: checkpoints[1] }));
    expect(resumed.loop.losses).toEqual(full.loop.losses);
    expect(Buffer.from(resumed.model).equals(Buffer.from(full.model))).toBe(true);
  });

  test('aborting stops the worker between steps and rejects with Cancelled', async () => {
    const controller = new AbortController();
    // n_layers = 5 makes every bigram step busy-wait 5 ms, like a blocking onnxruntime run.
    const slow = job({ model: { ...MODEL, n_layers: 5 }, settings: settings({ maxSteps: 100_000, evalInterval: 100_000 }), progressIntervalMs: 0 });
    const started = performance.now();
    const saved: number[] = [];
    const run = runTrainingJob(slow, {
      signal: controller.signal,
      onProgress: (p) => p.step === 3 && controller.abort(),
      onCheckpoint: async (c) => void saved.push(c.step),
    });
    await expect(run).rejects.toThrow(Cancelled);
    await expect(run).rejects.toThrow(/training interrupted after step \d+; the next run resumes from step \d+/);
    expect(performance.now() - started).toBeLessThan(10_000);
    // No periodic checkpoint was due (every 40 steps): the one saved is the interruption's own,
    // at the step where the worker stopped.
    expect(saved).toHaveLength(1);
    expect(saved[0]).toBeGreaterThanOrEqual(3);
    expect(saved[0]).toBeLessThan(40);
  });

  test('a worker that does not stop within the grace time is not terminated mid-step: the job rejects and the worker stops at its next step', async () => {
    const controller = new AbortController();
    // 1 s steps; the abort comes 200 ms into step 2 and the grace runs out 50 ms later, while
    // that step still has ~750 ms to go.
    const slow = job({ model: { ...MODEL, n_layers: 1000 }, settings: settings({ maxSteps: 100_000, evalInterval: 100_000 }), progressIntervalMs: 0 });
    const saved: number[] = [];
    const run = runTrainingJob(slow, {
      signal: controller.signal,
      abortGraceMs: 50,
      onProgress: (p) => void (p.step === 1 && setTimeout(() => controller.abort(), 200)),
      onCheckpoint: async (c) => void saved.push(c.step),
    });
    await expect(run).rejects.toThrow(/training aborted; the worker did not stop in time and was left to stop at its next step/);
    // Terminating then would have aborted this process ("terminate called after throwing an
    // instance of 'Napi::Error'" from onnxruntime). The worker finishes its step, and the
    // checkpoint it makes where it stopped is still saved before it is terminated.
    for (let waited = 0; saved.length === 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(saved).toHaveLength(1);
    expect(saved[0]).toBe(2);
  });

  test('EXPECTED FAILURE - a backend failure becomes a StageError naming it', async () => {
    const run = runTrainingJob(job({ backend: { url: BIGRAM, exportName: 'createFailingTrainer' } }));
    await expect(run).rejects.toThrow(StageError);
    await expect(run).rejects.toThrow(/training worker: Error: bigram backend: simulated failure in step 3/);
  });

  test('BAD CALL - a backend module without the named export is reported', async () => {
    const run = runTrainingJob(job({ backend: { url: BIGRAM, exportName: 'createOnnxTrainer' } }));
    await expect(run).rejects.toThrow(/has no exported function 'createOnnxTrainer'/);
  });

  test('EXPECTED FAILURE - a checkpoint that cannot be saved fails the job with a ResourceError', async () => {
    const run = runTrainingJob(job(), {
      onCheckpoint: async () => {
        throw new Error('ENOSPC: no space left on device');
      },
    });
    await expect(run).rejects.toThrow(ResourceError);
    await expect(run).rejects.toThrow(/saving the checkpoint at step 40 failed: ENOSPC/);
  });
});
