import { describe, expect, test } from 'vitest';
import { Cancelled, InputError } from '../../src/errors';
import { positionAfterResume, runTrainingLoop, type LoopCheckpoint, type LoopProgress } from '../../src/training/loop';
import { bigram, loopData, SHAPE, settings } from './fixtures';

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('runTrainingLoop', () => {
  const data = loopData();

  test('a short run on an easy graph lowers the loss and passes the gate, gating every eval_interval steps', async () => {
    const backend = await bigram();
    const result = await runTrainingLoop(backend, SHAPE, settings(), data);
    expect(result.step).toBe(150);
    expect(result.losses).toHaveLength(150);
    expect(result.stopReason).toBe('step-budget');
    expect(mean(result.losses.slice(-10))).toBeLessThan(0.6 * mean(result.losses.slice(0, 10)));
    expect(result.gates.map((gate) => gate.step)).toEqual([50, 100, 150]);
    expect(result.finalGate).toBe(result.gates[2]);
    expect(result.finalGate.passed).toBe(true);
    expect(result.finalGate.rules.byR.map((entry) => entry.r)).toEqual([1, 2]);
    // 600 windows in batches of 16: 38 steps per epoch, so 150 steps end in epoch 3 after 36 of its batches.
    expect(result).toMatchObject({ stepsPerEpoch: 38, epoch: 3, batchInEpoch: 36, budget: { total: 150, warm: 15 } });
    expect(result.learningRates[0]).toBe(0);
    expect(result.learningRates[15]).toBeCloseTo(0.05, 12);
    expect(result.tokensPerSecond).toBeGreaterThan(0);
  });

  test('a barely trained model fails the gate, and runs are deterministic', async () => {
    const first = await runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 3, evalInterval: 1, learningRate: 1e-6 }), data);
    const second = await runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 3, evalInterval: 1, learningRate: 1e-6 }), data);
    expect(first.gates[0].passed).toBe(false);
    expect(second.losses).toEqual(first.losses);
    expect(second.gates).toEqual(first.gates);
  });

  test('max_epochs caps the run at whole epochs', async () => {
    const result = await runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 1000, maxEpochs: 1, evalInterval: 1000 }), data);
    expect(result.step).toBe(38);
    expect(result.budget).toEqual({ total: 38, warm: 3 });
    expect(result.gates.map((gate) => gate.step)).toEqual([38]);
  });

  test('early stopping ends the run at the first passing gate, with a final checkpoint', async () => {
    const checkpoints: LoopCheckpoint[] = [];
    const result = await runTrainingLoop(await bigram(), SHAPE, settings({ earlyStop: true, evalInterval: 10, maxSteps: 1000 }), data, {
      onCheckpoint: (checkpoint) => void checkpoints.push(checkpoint),
    });
    expect(result.stopReason).toBe('gate-passed');
    expect(result.step).toBeLessThan(1000);
    expect(result.gates.filter((gate) => gate.passed)).toEqual([result.finalGate]);
    expect(result.finalGate.step).toBe(result.step);
    expect(checkpoints[checkpoints.length - 1]).toMatchObject({ step: result.step, stopReason: 'gate-passed' });
  });

  test('resuming from a mid-epoch checkpoint continues exactly as the uninterrupted run', async () => {
    const checkpoints: LoopCheckpoint[] = [];
    const backend = await bigram();
    const uninterrupted = await runTrainingLoop(backend, SHAPE, settings(), data, { onCheckpoint: (c) => void checkpoints.push(c) });
    expect(checkpoints.map((c) => c.step)).toEqual([40, 80, 120, 150]);
    // Step 40 is batch 2 of epoch 1 (38 batches per epoch): the epoch position must be restored.
    const resumeFrom = checkpoints[0];
    expect(resumeFrom).toMatchObject({ epoch: 1, batchInEpoch: 2, stopReason: null });
    expect(resumeFrom.gates).toHaveLength(0);

    const fresh = await bigram(7);
    const resumed = await runTrainingLoop(fresh, SHAPE, settings(), data, {}, resumeFrom);
    expect(resumed.losses).toEqual(uninterrupted.losses);
    expect(resumed.gates).toEqual(uninterrupted.gates);
    expect(await fresh.exportState()).toEqual(await backend.exportState());
  });

  test('resuming from a finished checkpoint trains no further', async () => {
    const checkpoints: LoopCheckpoint[] = [];
    const first = await runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 20, evalInterval: 10 }), data, { onCheckpoint: (c) => void checkpoints.push(c) });
    const final = checkpoints[checkpoints.length - 1];
    const progress: LoopProgress[] = [];
    const again = await runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 20, evalInterval: 10 }), data, { onProgress: (p) => progress.push(p) }, final);
    expect(progress).toEqual([]);
    expect(again.losses).toEqual(first.losses);
    expect(again.finalGate).toEqual(first.finalGate);
  });

  test('EXPECTED FAILURE - a checkpoint of another plan is refused', async () => {
    const checkpoints: LoopCheckpoint[] = [];
    await runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 40 }), data, { onCheckpoint: (c) => void checkpoints.push(c) });
    const run = runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 80 }), data, {}, checkpoints[0]);
    await expect(run).rejects.toThrow(InputError);
    await expect(runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 80 }), data, {}, checkpoints[0])).rejects.toThrow(
      /checkpoint at step 40 belongs to another plan \(38 steps\/epoch, 40 steps; now 38 and 80\)/,
    );
  });

  test('budget extension: a 70-step run continued to 150 steps with the same schedule horizon equals the 150-step run', async () => {
    const direct = await bigram();
    const full = await runTrainingLoop(direct, SHAPE, settings({ maxSteps: 150, scheduleSteps: 150 }), data);
    const shortBackend = await bigram();
    const finals: LoopCheckpoint[] = [];
    const short = await runTrainingLoop(shortBackend, SHAPE, settings({ maxSteps: 70, scheduleSteps: 150 }), data, { onCheckpoint: (c) => void finals.push(c) });
    // The short run gated after its last step (70, not a multiple of 50); the long run does not gate there.
    expect(short.gates.map((gate) => gate.step)).toEqual([50, 70]);
    expect(short.learningRates).toEqual(full.learningRates.slice(0, 70));
    const final = finals[finals.length - 1];
    expect(final).toMatchObject({ step: 70, stopReason: 'step-budget' });

    const fresh = await bigram(7);
    const continued = await runTrainingLoop(fresh, SHAPE, settings({ maxSteps: 150, scheduleSteps: 150 }), data, {}, final);
    expect(continued.losses).toEqual(full.losses);
    expect(continued.gates).toEqual(full.gates);
    expect(continued).toMatchObject({ step: 150, epoch: full.epoch, batchInEpoch: full.batchInEpoch, stopReason: 'step-budget', lastStep: 150 });
    expect(await fresh.exportState()).toEqual(await direct.exportState());
  });

  test('budget extension: a shorter run that stopped at a passing gate also ends the longer run there', async () => {
    const finals: LoopCheckpoint[] = [];
    const early = settings({ earlyStop: true, evalInterval: 10, maxSteps: 100, scheduleSteps: 400 });
    const short = await runTrainingLoop(await bigram(), SHAPE, early, data, { onCheckpoint: (c) => void finals.push(c) });
    expect(short.stopReason).toBe('gate-passed');
    const long = await runTrainingLoop(await bigram(), SHAPE, { ...early, maxSteps: 400 }, data);
    const continued = await runTrainingLoop(await bigram(), SHAPE, { ...early, maxSteps: 400 }, data, {}, finals[finals.length - 1]);
    expect(long.step).toBe(short.step);
    expect(continued).toMatchObject({ step: long.step, stopReason: 'gate-passed' });
    expect(continued.gates).toEqual(long.gates);
  });

  test('positionAfterResume keeps a same-run checkpoint as it is and drops the gate a longer run would not take', async () => {
    const finals: LoopCheckpoint[] = [];
    await runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 70, scheduleSteps: 150 }), data, { onCheckpoint: (c) => void finals.push(c) });
    const final = finals[finals.length - 1];
    const { backend: _backend, ...same } = final;
    expect(positionAfterResume(final, settings(), 70)).toEqual(same);
    expect(positionAfterResume(final, settings(), 150)).toMatchObject({ step: 70, stopReason: null, gates: [expect.objectContaining({ step: 50 })] });
  });

  test('EXPECTED FAILURE - a checkpoint past the last step of this run is refused', async () => {
    const finals: LoopCheckpoint[] = [];
    await runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 60, scheduleSteps: 150 }), data, { onCheckpoint: (c) => void finals.push(c) });
    const run = runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 30, scheduleSteps: 150 }), data, {}, finals[finals.length - 1]);
    await expect(run).rejects.toThrow(InputError);
    await expect(runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 30, scheduleSteps: 150 }), data, {}, finals[finals.length - 1])).rejects.toThrow(
      /checkpoint at step 60 is past this run's last step 30/,
    );
  });

  test('aborting stops between steps with Cancelled', async () => {
    const controller = new AbortController();
    const backend = await bigram();
    const run = runTrainingLoop(backend, SHAPE, settings(), data, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step === 7) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(Cancelled);
    expect((await backend.exportState()).step).toBe(7);
  });

  test('an abort between steps checkpoints the steps since the last checkpoint, and resuming from it continues exactly', async () => {
    const uninterruptedBackend = await bigram();
    const uninterrupted = await runTrainingLoop(uninterruptedBackend, SHAPE, settings(), data);

    const checkpoints: LoopCheckpoint[] = [];
    const controller = new AbortController();
    const run = runTrainingLoop(await bigram(), SHAPE, settings(), data, {
      signal: controller.signal,
      onCheckpoint: (c) => void checkpoints.push(c),
      onProgress: (p) => {
        if (p.phase === 'train' && p.step === 53) controller.abort();
      },
    });
    await expect(run).rejects.toThrow('training interrupted after step 53; the next run resumes from step 53');
    // The periodic checkpoint at step 40, then the one the interruption wrote at step 53, with
    // the gate of step 50.
    expect(checkpoints.map((c) => c.step)).toEqual([40, 53]);
    expect(checkpoints[1].gates.map((g) => g.step)).toEqual([50]);

    const fresh = await bigram(7);
    const resumed = await runTrainingLoop(fresh, SHAPE, settings(), data, {}, checkpoints[1]);
    expect(resumed.losses).toEqual(uninterrupted.losses);
    expect(resumed.gates).toEqual(uninterrupted.gates);
    expect(await fresh.exportState()).toEqual(await uninterruptedBackend.exportState());
  });

  test('an abort right after a checkpoint or during a gate evaluation writes no further checkpoint', async () => {
    const afterCheckpoint: LoopCheckpoint[] = [];
    const first = new AbortController();
    const stopped = runTrainingLoop(await bigram(), SHAPE, settings(), data, {
      signal: first.signal,
      onCheckpoint: (c) => {
        afterCheckpoint.push(c);
        first.abort();
      },
    });
    await expect(stopped).rejects.toThrow('training interrupted after step 40; the next run resumes from step 40');
    expect(afterCheckpoint.map((c) => c.step)).toEqual([40]);

    // The gate of step 100 is under way: a checkpoint at step 100 would lack it.
    const duringGate: LoopCheckpoint[] = [];
    const second = new AbortController();
    const gated = runTrainingLoop(await bigram(), SHAPE, settings(), data, {
      signal: second.signal,
      onCheckpoint: (c) => void duringGate.push(c),
      onProgress: (p) => {
        if (p.phase === 'gate' && p.step === 100) second.abort();
      },
    });
    await expect(gated).rejects.toThrow(Cancelled);
    expect(duringGate.map((c) => c.step)).toEqual([40, 80]);
  });

  test('progress reports step, loss, learning rate, throughput and the fraction of the budget', async () => {
    const progress: LoopProgress[] = [];
    await runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 20, evalInterval: 10 }), data, { onProgress: (p) => progress.push(p) });
    const train = progress.filter((p) => p.phase === 'train');
    expect(train.map((p) => p.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(train[19]).toMatchObject({ totalSteps: 20, fraction: 1, epoch: 0 });
    expect(train.every((p) => Number.isFinite(p.loss) && p.tokensPerSecond > 0)).toBe(true);
    expect(progress.filter((p) => p.phase === 'gate').map((p) => p.step)).toEqual([10, 20]);
  });
});
