import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Manifest } from '../../src/artifacts/artifact-store';
import { columnData, readParquet, writeIntMatrix } from '../../src/artifacts/parquet';
import { experimentConfigSchema } from '../../src/config/schema';
import { Cancelled } from '../../src/errors';
import { trainStageDeclaration } from '../../src/pipeline/dag';
import { checkpointStore } from '../../src/pipeline/checkpoints';
import type { CheckpointStore, ShorterRun, StageContext } from '../../src/pipeline/stage';
import { writeGraphFiles } from '../../src/stages/graph-artifact';
import { decodeModelWeights, MODEL_WEIGHTS_FILE } from '../../src/stages/model-weights-artifact';
import { createTrainStage, type TrainSlice } from '../../src/stages/train';
import { easyGraph, MODEL, randomWalks, W, WALK_LENGTH } from './fixtures';

const stage = createTrainStage({ backend: { url: new URL('./bigram-backend.ts', import.meta.url).href, exportName: 'createBigramTrainer' }, progressIntervalMs: 0 });

function slice(training: Partial<TrainSlice['training']> = {}): TrainSlice {
  // As the declaration derives it: an unset schedule_steps is max_steps.
  const scheduleSteps = training.schedule_steps ?? training.max_steps ?? 120;
  return {
    model: MODEL,
    training: {
      w: W,
      walk_length: WALK_LENGTH,
      learning_rate: 0.05,
      batch_size: 16,
      max_steps: 120,
      schedule_steps: scheduleSteps,
      eval_interval: 40,
      checkpoint_interval: 30,
      max_epochs: null,
      early_stop: false,
      ...training,
    },
    runtime: { device: 'cpu' },
    seed: 7,
  };
}

const OUTPUT_FILES = ['model.onnx', 'training_curves.parquet', 'gate_history.parquet', 'gate_compliance_by_r.parquet'];

let root: string;
const artifacts = () => join(root, 'artifacts');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'train-stage-'));
  const { graph, jumpers } = easyGraph();
  await mkdir(join(artifacts(), 'graph'), { recursive: true });
  await mkdir(join(artifacts(), 'walks'), { recursive: true });
  await writeGraphFiles(graph, jumpers, (name) => join(artifacts(), 'graph', name));
  for (const [split, rows, seed] of [['train', 200, 1], ['eval', 60, 2]] as const) {
    await writeIntMatrix(join(artifacts(), 'walks', `walks_${split}.parquet`), { idColumn: 'walk', listColumn: 'tokens' }, randomWalks(graph, rows, WALK_LENGTH, seed));
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Run {
  context: StageContext<TrainSlice>;
  logs: string[];
  fractions: number[];
}

/** A stage context over the fixture artifacts; every run gets a fresh output directory. */
async function makeContext(s: TrainSlice, checkpoint: CheckpointStore, signal = new AbortController().signal): Promise<Run> {
  const out = await mkdtemp(join(root, 'out-'));
  const logs: string[] = [];
  const fractions: number[] = [];
  const graphSummary = { n: 12, K: 2, block_size: 6, attempt: 0 };
  const manifest = (summary: Record<string, unknown>) => ({ key: 'f'.repeat(64), summary }) as unknown as Manifest;
  const context: StageContext<TrainSlice> = {
    slice: s,
    experimentId: 'test',
    threads: 1,
    input: (name) => ({ manifest: manifest(name === 'graph' ? graphSummary : {}), file: (file) => join(artifacts(), name, file) }),
    output: (name) => join(out, name),
    progress: (fraction) => void fractions.push(fraction),
    signal,
    log: (line) => void logs.push(line),
    checkpoint,
  };
  return { context, logs, fractions };
}

async function checkpoints(): Promise<CheckpointStore> {
  return checkpointStore(await mkdtemp(join(root, 'store-')), 'train', 'k'.repeat(64));
}

describe('the train stage', () => {
  test('trains from the graph and walks artifacts and writes the model, the curves and the gate history', async () => {
    const { context, logs, fractions } = await makeContext(slice(), await checkpoints());
    const summary = await stage.run(context);
    expect(summary).toMatchObject({ steps: 120, steps_per_epoch: 38, step_budget: 120, warmup_steps: 12, stop_reason: 'step-budget', gate_passed: true, gate_prompts: 12, training_windows: 600, failure_reason: null, resumed_from_step: null, parameter_count: 144 });
    expect(summary.rule_compliance_by_r).toEqual([
      expect.objectContaining({ r: 1, beyond_context: false }),
      expect.objectContaining({ r: 2, beyond_context: false }),
    ]);
    expect((summary.gate_history as unknown[]).length).toBe(3);
    expect((await readFile(context.output('model.onnx'))).byteLength).toBe(144 * 4);
    // The bigram backend names no `param/` tensors: the weights file is written, and empty.
    expect(decodeModelWeights(await readFile(context.output(MODEL_WEIGHTS_FILE))).size).toBe(0);

    const curves = await readParquet(context.output('training_curves.parquet'));
    expect(curves.numRows).toBe(120);
    expect([...columnData(curves, 'step', 'int32').subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(columnData(curves, 'lr', 'float64')[0]).toBe(0);
    const gates = await readParquet(context.output('gate_history.parquet'));
    expect([...columnData(gates, 'step', 'int32')]).toEqual([40, 80, 120]);
    const byR = await readParquet(context.output('gate_compliance_by_r.parquet'));
    expect([...columnData(byR, 'r', 'int32')]).toEqual([1, 2, 1, 2, 1, 2]);

    expect(logs.some((line) => line.startsWith('gate at step 120: edge'))).toBe(true);
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(trainStageDeclaration.inputs).toEqual(['graph', 'walks']);
  });

  test('an interrupted run resumes from its last checkpoint and ends with the uninterrupted curves and model', async () => {
    const reference = await makeContext(slice(), await checkpoints());
    await stage.run(reference.context);

    const store = await checkpoints();
    const controller = new AbortController();
    // Abort right after the first checkpoint (step 30) is saved: the worker stops at the next step boundary.
    const abortingStore: CheckpointStore = {
      load: store.load,
      save: async (meta, write) => {
        await store.save(meta, write);
        controller.abort();
      },
    };
    const interrupted = await makeContext(slice(), abortingStore, controller.signal);
    await expect(stage.run(interrupted.context)).rejects.toThrow(Cancelled);

    const resumed = await makeContext(slice(), store);
    const summary = await stage.run(resumed.context);
    expect(summary.resumed_from_step).toBe(30);
    for (const file of [...OUTPUT_FILES, 'final_state/meta.json', 'final_state/state.bin', 'final_state/losses.bin']) {
      const expected = await readFile(reference.context.output(file));
      expect((await readFile(resumed.context.output(file))).equals(expected), file).toBe(true);
    }
  });

  test('an interruption between periodic checkpoints saves one where it stopped, and the resumed run ends with the uninterrupted bytes', async () => {
    // 3 ms per bigram step (n_layers = 3), so the abort arrives within a few steps; no periodic
    // checkpoint before the end (checkpoint_interval 1000).
    const interruptible: TrainSlice = { ...slice({ checkpoint_interval: 1000 }), model: { ...MODEL, n_layers: 3 } };
    const reference = await makeContext(interruptible, await checkpoints());
    await stage.run(reference.context);

    const store = await checkpoints();
    const controller = new AbortController();
    const interrupted = await makeContext(interruptible, store, controller.signal);
    const { progress } = interrupted.context;
    interrupted.context.progress = (fraction, details) => {
      progress(fraction, details);
      if (fraction >= 20 / 120) controller.abort();
    };
    await expect(stage.run(interrupted.context)).rejects.toThrow(Cancelled);
    expect(interrupted.logs.some((line) => /^checkpoint saved at step \d+$/.test(line))).toBe(true);

    const resumed = await makeContext(interruptible, store);
    const summary = await stage.run(resumed.context);
    expect(summary.resumed_from_step).toBeGreaterThanOrEqual(20);
    expect(summary.resumed_from_step).toBeLessThan(120);
    for (const file of [...OUTPUT_FILES, 'final_state/meta.json', 'final_state/state.bin', 'final_state/losses.bin']) {
      expect((await readFile(resumed.context.output(file))).equals(await readFile(reference.context.output(file))), file).toBe(true);
    }
  });

  test('budget extension: a longer run continues from the final state of a shorter run with the same schedule, writing the bytes of a direct run', async () => {
    const direct = await makeContext(slice({ max_steps: 120, schedule_steps: 120 }), await checkpoints());
    await stage.run(direct.context);

    const short = await makeContext(slice({ max_steps: 50, schedule_steps: 120 }), await checkpoints());
    const shortSummary = await stage.run(short.context);
    expect(shortSummary).toMatchObject({ steps: 50, step_budget: 50, schedule_steps: 120, warmup_steps: 12, continued_from_step: null });

    const shorterRun: ShorterRun = { manifest: { key: 's'.repeat(64) } as Manifest, budget: 50, file: (file) => short.context.output(file) };
    const long = await makeContext(slice({ max_steps: 120, schedule_steps: 120 }), await checkpoints());
    const summary = await stage.run({ ...long.context, shorterRun: async () => shorterRun });
    expect(summary).toMatchObject({ steps: 120, continued_from_step: 50, continued_from: { key: 's'.repeat(64), max_steps: 50, step: 50 }, resumed_from_step: null });
    expect(long.logs.some((line) => line.includes('continuing the 50-step run ssssssssssss from step 50'))).toBe(true);
    for (const file of [...OUTPUT_FILES, 'final_state/meta.json', 'final_state/state.bin', 'final_state/losses.bin']) {
      expect((await readFile(long.context.output(file))).equals(await readFile(direct.context.output(file))), file).toBe(true);
    }
  });

  test('budget extension: a continuing run interrupted by a crash resumes from its own checkpoint and still reports the run it extends', async () => {
    const short = await makeContext(slice({ max_steps: 50, schedule_steps: 120 }), await checkpoints());
    await stage.run(short.context);
    const shorterRun: ShorterRun = { manifest: { key: 's'.repeat(64) } as Manifest, budget: 50, file: (file) => short.context.output(file) };
    const store = await checkpoints();
    const controller = new AbortController();
    const abortingStore: CheckpointStore = {
      load: store.load,
      save: async (meta, write) => {
        await store.save(meta, write);
        controller.abort();
      },
    };
    const interrupted = await makeContext(slice({ max_steps: 120, schedule_steps: 120 }), abortingStore, controller.signal);
    await expect(stage.run({ ...interrupted.context, shorterRun: async () => shorterRun })).rejects.toThrow(Cancelled);
    const resumed = await makeContext(slice({ max_steps: 120, schedule_steps: 120 }), store);
    const summary = await stage.run({ ...resumed.context, shorterRun: async () => null });
    expect(summary).toMatchObject({ steps: 120, resumed_from_step: 60, continued_from_step: 50 });
  });

  test('a failed gate is flagged in the summary but does not fail the stage by default', async () => {
    const { context } = await makeContext(slice({ learning_rate: 1e-7, max_steps: 5, eval_interval: 5 }), await checkpoints());
    const summary = await stage.run(context);
    expect(summary.gate_passed).toBe(false);
    expect(summary.failure_reason).toMatch(/^the sufficiency gate failed after 5 steps \(0\.13 epochs\): edge compliance 0\.\d{4} \(needs > 0\.95\)/);
  });

  test('with require_gate a failed gate stops the pipeline after training, and only then', () => {
    const config = (requireGate: boolean) => experimentConfigSchema.parse({ training: { require_gate: requireGate } });
    const failed = { gate_passed: false, failure_reason: 'edge compliance 0.5 (needs > 0.95)' };
    expect(trainStageDeclaration.stopAfter!(config(true), failed)).toMatch(/sufficiency gate failed \(edge compliance 0\.5 \(needs > 0\.95\)\) and training\.require_gate is true/);
    expect(trainStageDeclaration.stopAfter!(config(false), failed)).toBeNull();
    expect(trainStageDeclaration.stopAfter!(config(true), { gate_passed: true })).toBeNull();
  });

  test('EXPECTED FAILURE - walks of another length than training.walk_length are refused', async () => {
    const { context } = await makeContext(slice({ walk_length: 20 }), await checkpoints());
    await expect(stage.run(context)).rejects.toThrow(/walks_train\.parquet has walks of length 16, but training\.walk_length is 20/);
  });

  test('the config slice covers the model, the result-relevant training fields, the device and the seed', () => {
    const config = experimentConfigSchema.parse({});
    expect(trainStageDeclaration.configSlice(config)).toEqual({
      model: config.model,
      training: {
        w: 64, walk_length: 256, learning_rate: 3e-4, batch_size: 64, max_steps: 50000, schedule_steps: 50000, eval_interval: 1000,
        checkpoint_interval: 5000, max_epochs: null, early_stop: true,
      },
      runtime: { device: 'auto' },
      seed: 42,
    });
  });
});

describe('the train stage code fingerprint', () => {
  test('reaches the worker entry and the default onnxruntime backend, which are only loaded by URL', async () => {
    const { fingerprintModules } = await import('../../src/pipeline/code-fingerprint');
    const files = Object.keys(fingerprintModules(['src/stages/train.ts'], process.cwd()).files);
    expect(files).toEqual(expect.arrayContaining(['src/training/train-worker.ts', 'src/training/loop.ts', 'src/model/onnx-trainer.ts']));
  });
});
