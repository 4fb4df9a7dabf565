/**
 * Budget extension end to end, with the real onnxruntime trainer on CPU and one thread: a
 * train artifact of M steps computed by continuing the N-step artifact of the same slice (same
 * schedule horizon) is byte-identical to the M-step artifact trained from scratch in another
 * store, so its parameters, optimizer state and every downstream key are the same. Plus the
 * store lookup that finds the run to continue.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeyInputs, Manifest } from '../../src/artifacts/artifact-store';
import { shorterRunsOf, splitBudget } from '../../src/pipeline/shorter-run';
import { trainStageDeclaration } from '../../src/pipeline/dag';
import type { RunOutcome } from '../../src/pipeline/local-runner';
import { tinyConfig, workspace, type Workspace } from '../pipeline/helpers';

const config = (maxSteps: number) =>
  tinyConfig({ training: { max_steps: maxSteps, schedule_steps: 90, eval_interval: 50, checkpoint_interval: 50 }, runtime: { device: 'cpu', threads: 1 } });

function trainRecord(outcome: RunOutcome) {
  return outcome.result.stages.find((stage) => stage.name === 'train')!;
}

function trainFile(ws: Workspace, outcome: RunOutcome, file: string): Buffer {
  return readFileSync(join(ws.store.artifactDir('train', trainRecord(outcome).key!), file));
}

describe('budget extension through the runner (onnxruntime, CPU, 1 thread)', () => {
  it('continuing the 40-step train artifact to 90 steps gives the bytes of training 90 steps directly', async () => {
    const extended = await workspace();
    const short = await extended.run(config(40), { until: 'train' });
    expect(short.status, short.error?.message).toBe('succeeded');
    const long = await extended.run(config(90), { until: 'train' });
    expect(long.status, long.error?.message).toBe('succeeded');
    const continued = trainRecord(long);
    expect(continued.status).toBe('computed');
    expect(continued.summary).toMatchObject({ steps: 90, step_budget: 90, schedule_steps: 90, continued_from_step: 40, continued_from: { max_steps: 40, step: 40 } });

    const scratch = await workspace();
    const direct = await scratch.run(config(90), { until: 'train' });
    expect(direct.status, direct.error?.message).toBe('succeeded');
    expect(trainRecord(direct).summary).toMatchObject({ steps: 90, continued_from_step: null });
    // Same digest: model_weights.bin, model.onnx, the curves, the gate history and final_state/ are all byte-identical.
    expect(continued.digest).toBe(trainRecord(direct).digest);
    for (const file of ['model_weights.bin', 'final_state/state.bin']) {
      expect(trainFile(extended, long, file).equals(trainFile(scratch, direct, file)), file).toBe(true);
    }
  }, 120_000);
});

describe('finding the shorter run in the store', () => {
  const inputs = (maxSteps: number, patch: Partial<KeyInputs> = {}, scheduleSteps = 90): KeyInputs => ({
    stage: 'train',
    version: 2,
    code: { files: { 'src/stages/train.ts': 'abc' }, packages: {} },
    config: trainStageDeclaration.configSlice(tinyConfig({ training: { max_steps: maxSteps, schedule_steps: scheduleSteps } })),
    upstream: { graph: 'g', walks: 'w' },
    runtime: { provider: 'cpu' },
    ...patch,
  });
  const manifest = (keyInputs: KeyInputs, key: string, finishedAt = '2026-01-01T00:00:00.000Z') => ({ key, keyInputs, timings: { finishedAt } }) as unknown as Manifest;

  it('splits the budget out of the slice', () => {
    const split = splitBudget(inputs(40).config, 'training.max_steps');
    expect(split?.budget).toBe(40);
    expect((split?.rest as { training: Record<string, unknown> }).training).not.toHaveProperty('max_steps');
    expect(splitBudget({ training: {} }, 'training.max_steps')).toBeNull();
  });

  it('takes the largest smaller budget whose other key inputs are all equal', () => {
    const candidates = [
      manifest(inputs(20), 'a'),
      manifest(inputs(60), 'b'),
      manifest(inputs(90), 'same budget'),
      manifest(inputs(120), 'longer'),
      manifest(inputs(60, {}, 120), 'other horizon'),
      manifest(inputs(70, { code: { files: { 'src/stages/train.ts': 'changed' }, packages: {} } }), 'other code'),
      manifest(inputs(70, { upstream: { graph: 'g', walks: 'other' } }), 'other walks'),
      manifest(inputs(70, { runtime: { provider: 'cuda' } }), 'other provider'),
    ];
    expect(shorterRunsOf(inputs(90), 'training.max_steps', candidates).map((c) => [c.manifest.key, c.budget])).toEqual([
      ['b', 60],
      ['a', 20],
    ]);
  });

  it('without schedule_steps the horizon is max_steps, so no shorter run is a prefix', () => {
    const unset = (maxSteps: number) => ({ ...inputs(maxSteps), config: trainStageDeclaration.configSlice(tinyConfig({ training: { max_steps: maxSteps } })) });
    expect(shorterRunsOf(unset(90), 'training.max_steps', [manifest(unset(40), 'a')])).toEqual([]);
  });
});
