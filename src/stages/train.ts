/**
 * The train stage (method.md section 4): trains the model on the walk windows in a worker
 * thread, evaluating the sufficiency gate along the way, resuming from its last checkpoint,
 * and writes `model.onnx`, the final parameters (`model_weights.bin`, read by the evaluate
 * stage), the loss/lr curve, the gate history and the final training state (`final_state/`).
 * A missing artifact whose shorter run (same slice, smaller `max_steps`) is in the store
 * continues from that run's final state (budget extension, docs/training.md). A failed gate is
 * flagged in the summary; with `training.require_gate` the runner stops the pipeline after this stage.
 */
import { dirname } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { readIntMatrix, type IdentifiedIntMatrix } from '../artifacts/parquet';
import type { ModelConfig } from '../config/schema';
import { InputError } from '../errors';
import { modelDims } from '../model/model-dims';
import { parameterSpecs } from '../model/parameters';
import type { DcsbmGraph, Jumper } from '../graph/graph';
import { trainStageDeclaration } from '../pipeline/dag';
import type { StageContext, StageImplementation } from '../pipeline/stage';
import {
  checkpointMeta,
  FINAL_STATE_DIR,
  readCheckpoint,
  readFinalState,
  writeCheckpointFiles,
  writeFinalState,
  type CheckpointMeta,
  type ContinuationOrigin,
} from '../training/checkpoint-files';
import { GATE_MAX_PROMPTS, GATE_THRESHOLDS, gatePrompts, type GateResult } from '../training/gate';
import type { LoopCheckpoint, LoopResult } from '../training/loop';
import { REFERENCE_OPTIMIZER } from '../training/optimizer';
import type { BackendModule } from '../training/train-worker';
import {
  GATE_BY_R_FILE,
  GATE_HISTORY_FILE,
  TRAINING_CURVES_FILE,
  writeGateComplianceByR,
  writeGateHistory,
  writeTrainingCurves,
} from '../training/training-curves';
import { windowSet } from '../training/windows';
import { runTrainingJob, type TrainingJob, type TrainingJobResult } from '../training/worker-host';
import { readGraphArtifact } from './graph-artifact';
import { MODEL_WEIGHTS_FILE, writeModelWeights } from './model-weights-artifact';
import { walksFile } from './walks';

/** The train stage's config slice (see `trainStageDeclaration` in dag.ts). */
export interface TrainSlice {
  model: ModelConfig;
  training: {
    w: number;
    walk_length: number;
    learning_rate: number;
    batch_size: number;
    max_steps: number;
    /** The schedule's effective horizon (`training.schedule_steps ?? max_steps`). */
    schedule_steps: number;
    eval_interval: number;
    /** Not result-relevant (resuming is exact); in the slice only because a stage sees nothing else. */
    checkpoint_interval: number;
    max_epochs: number | null;
    early_stop: boolean;
  };
  runtime: { device: 'auto' | 'cpu' | 'cuda' };
  seed: number;
}

/** The output file of the trained inference model. */
export const MODEL_FILE = 'model.onnx';

/**
 * The production backend: the onnxruntime trainer. A `new URL(..., import.meta.url)` so the
 * code fingerprint of this stage includes the backend module (it is only imported by the worker).
 */
export const DEFAULT_TRAINER_BACKEND: BackendModule = {
  url: new URL('../model/onnx-trainer.ts', import.meta.url).href,
  exportName: 'createOnnxTrainer',
};

/** Options of {@link createTrainStage}. */
export interface TrainStageOptions {
  /** The backend factory the worker imports. @default DEFAULT_TRAINER_BACKEND */
  backend?: BackendModule;
  /** Minimum milliseconds between progress reports. @default 250 */
  progressIntervalMs?: number;
}

/** A train stage implementation; tests pass their own backend module. */
export function createTrainStage(options: TrainStageOptions = {}): StageImplementation<TrainSlice> {
  return {
    declaration: trainStageDeclaration,
    module: 'src/stages/train.ts',
    run: (context) => runTrainStage(context, options),
  };
}

/** The train stage with the onnxruntime backend. */
export const trainStage: StageImplementation<TrainSlice> = createTrainStage();

async function runTrainStage(context: StageContext<TrainSlice>, options: TrainStageOptions): Promise<Record<string, unknown>> {
  const { slice } = context;
  const { graph, jumpers } = await readGraphArtifact(context.input('graph'));
  const train = await readWalks(context, 'train');
  const prompts = gatePrompts(await readWalks(context, 'eval'), GATE_MAX_PROMPTS);
  const windows = windowSet(train, slice.training.w);
  const start = await startingPoint(context);
  const { resume, origin } = start;
  const job: TrainingJob = {
    backend: options.backend ?? DEFAULT_TRAINER_BACKEND,
    model: slice.model,
    shape: { vocab: graph.n, context: slice.training.w, batch: slice.training.batch_size, generationBatch: Math.max(1, prompts.length) },
    optimizer: { ...REFERENCE_OPTIMIZER },
    seed: slice.seed,
    runtime: { device: slice.runtime.device, threads: context.threads },
    settings: loopSettings(slice),
    data: { windows, gate: { prompts, length: slice.training.walk_length, graph, jumpers } },
    resume,
    progressIntervalMs: options.progressIntervalMs,
  };
  context.log(`${windows.count} windows (${windows.perWalk} per walk), ${prompts.length} gate prompts${describeStart(start)}`);
  // The step of the newest checkpoint in the store: progress (Temporal heartbeats, watch) names
  // it, so whoever watches a run knows where a retry would resume.
  let checkpointStep: number | null = resume?.step ?? null;
  const result = await runTrainingJob(job, {
    signal: context.signal,
    onProgress: (p) =>
      context.progress(p.fraction, {
        phase: p.phase,
        step: p.step,
        epoch: p.epoch,
        loss: round(p.loss),
        lr: Number(p.learningRate.toPrecision(3)),
        'tokens/s': Math.round(p.tokensPerSecond),
        ...(checkpointStep === null ? {} : { checkpoint_step: checkpointStep }),
      }),
    onGate: (gate) => context.log(describeGate(gate)),
    onCheckpoint: async (checkpoint) => {
      await context.checkpoint.save({ ...checkpointMeta(checkpoint), origin } satisfies CheckpointMeta, (dir) => writeCheckpointFiles(dir, checkpoint));
      checkpointStep = checkpoint.step;
      context.log(`checkpoint saved at step ${checkpoint.step}`);
    },
  });
  await writeOutputs(context, result, graph.n);
  const summary = trainSummary(result, { graph, jumpers, prompts: prompts.length, windows: windows.count, resumedFrom: start.crashResume ? resume!.step : null, origin });
  // A failed gate is a result, not a failure: the artifact is published and the runner applies
  // training.require_gate (dag.ts `stopAfter`), so toggling it never retrains.
  return summary;
}

function loopSettings(slice: TrainSlice): TrainingJob['settings'] {
  const { learning_rate, max_steps, max_epochs, eval_interval, checkpoint_interval, early_stop } = slice.training;
  return {
    seed: slice.seed,
    learningRate: learning_rate,
    maxSteps: max_steps,
    scheduleSteps: slice.training.schedule_steps,
    maxEpochs: max_epochs,
    evalInterval: eval_interval,
    checkpointInterval: checkpoint_interval,
    earlyStop: early_stop,
  };
}

async function readWalks(context: StageContext<TrainSlice>, split: 'train' | 'eval'): Promise<IdentifiedIntMatrix> {
  const walks = await readIntMatrix(context.input('walks').file(walksFile(split)), { idColumn: 'walk', listColumn: 'tokens' });
  if (walks.width !== context.slice.training.walk_length) {
    throw new InputError(`train: ${walksFile(split)} has walks of length ${walks.width}, but training.walk_length is ${context.slice.training.walk_length}`);
  }
  return walks;
}

/** Where training starts: its own checkpoint, a shorter run's final state, or nothing. */
interface StartingPoint {
  resume: LoopCheckpoint | null;
  /** True when `resume` is this run's own checkpoint (a crash or interruption before). */
  crashResume: boolean;
  /** The shorter run being extended, if any (also after a crash of the extending run). */
  origin: ContinuationOrigin | null;
}

/**
 * This run's own checkpoint first (it is at least as far as any shorter run); else, budget
 * extension: the final state of the longest shorter run in the store with the same slice but
 * a smaller max_steps (the key design makes it an exact prefix of this run); else nothing.
 */
async function startingPoint(context: StageContext<TrainSlice>): Promise<StartingPoint> {
  const own = await loadCheckpoint(context);
  if (own !== null) return { resume: own.checkpoint, crashResume: true, origin: own.origin };
  const shorter = (await context.shorterRun?.()) ?? null;
  if (shorter === null) return { resume: null, crashResume: false, origin: null };
  const dir = dirname(shorter.file(`${FINAL_STATE_DIR}/meta.json`));
  try {
    const state = await readFinalState(dir);
    return { resume: state, crashResume: false, origin: { step: state.step, key: shorter.manifest.key, maxSteps: shorter.budget } };
  } catch (error) {
    context.log(`not continuing the ${shorter.budget}-step run ${shorter.manifest.key.slice(0, 12)}: ${error instanceof Error ? error.message : String(error)}`);
    return { resume: null, crashResume: false, origin: null };
  }
}

function describeStart(start: StartingPoint): string {
  const { resume, origin } = start;
  const extending = origin === null ? '' : `, continuing the ${origin.maxSteps}-step run ${origin.key.slice(0, 12)} from step ${origin.step}`;
  return start.crashResume ? `, resuming at step ${resume!.step}${extending}` : extending;
}

/** The stage's last checkpoint, or null; an unreadable one is logged and training starts over. */
async function loadCheckpoint(context: StageContext<TrainSlice>): Promise<{ checkpoint: LoopCheckpoint; origin: ContinuationOrigin | null } | null> {
  const saved = await context.checkpoint.load<CheckpointMeta>();
  if (saved === null) return null;
  try {
    return { checkpoint: await readCheckpoint(saved.meta, saved.dir), origin: saved.meta.origin ?? null };
  } catch (error) {
    context.log(`ignoring the checkpoint in ${saved.dir}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

async function writeOutputs(context: StageContext<TrainSlice>, result: TrainingJobResult, vocab: number): Promise<void> {
  const { loop } = result;
  await writeFile(context.output(MODEL_FILE), result.model);
  await writeModelWeights(context.output(MODEL_WEIGHTS_FILE), new Map(Object.entries(result.parameters)), parameterShapes(context.slice, vocab, result.parameters));
  await writeTrainingCurves(context.output(TRAINING_CURVES_FILE), loop.losses, loop.learningRates);
  await writeGateHistory(context.output(GATE_HISTORY_FILE), loop.gates);
  await writeGateComplianceByR(context.output(GATE_BY_R_FILE), loop.gates);
  // The run's final checkpoint, from the loop's final position and the backend's final state.
  const { step, epoch, batchInEpoch, losses, gates, stopReason, budget, stepsPerEpoch } = loop;
  const final: LoopCheckpoint = { step, epoch, batchInEpoch, losses, gates, stopReason, budget, stepsPerEpoch, backend: result.state };
  await writeFinalState(dirname(context.output(`${FINAL_STATE_DIR}/meta.json`)), final);
}

/**
 * The logical shape of each parameter, for the weights file's header. Only asked when there are
 * parameters: a test backend without `param/` tensors (and a model the real backend rejects)
 * must not fail here.
 */
function parameterShapes(slice: TrainSlice, vocab: number, parameters: Record<string, Float32Array>): (name: string) => readonly number[] | undefined {
  if (Object.keys(parameters).length === 0) return () => undefined;
  const shapes = new Map(parameterSpecs(modelDims(slice.model, { vocab, context: slice.training.w })).map((spec) => [spec.name, spec.shape]));
  return (name) => shapes.get(name);
}

interface SummaryContext {
  graph: DcsbmGraph;
  jumpers: readonly Jumper[];
  prompts: number;
  windows: number;
  resumedFrom: number | null;
  origin: ContinuationOrigin | null;
}

/** The stage's summary for result.json (reference section 7.5 plus the r/w compliance curve). */
function trainSummary(result: TrainingJobResult, context: SummaryContext): Record<string, unknown> {
  const { loop } = result;
  const gate = loop.finalGate;
  const lastEpochLosses = loop.losses.slice(loop.step - loop.batchInEpoch);
  return {
    final_loss: loop.losses[loop.losses.length - 1],
    final_train_loss: lastEpochLosses.reduce((a, b) => a + b, 0) / lastEpochLosses.length,
    steps: loop.step,
    epochs: loop.step / loop.stepsPerEpoch,
    steps_per_epoch: loop.stepsPerEpoch,
    step_budget: loop.lastStep,
    schedule_steps: loop.budget.total,
    warmup_steps: loop.budget.warm,
    stop_reason: loop.stopReason,
    training_windows: context.windows,
    gate_passed: gate.passed,
    gate_thresholds: GATE_THRESHOLDS,
    gate_prompts: context.prompts,
    final_edge_compliance: gate.edgeCompliance,
    final_rule_compliance: gate.ruleCompliance,
    rule_compliance_by_r: gate.rules.byR.map((entry) => ({ r: entry.r, beyond_context: entry.beyondContext, checks: entry.checks, compliance: entry.compliance })),
    rule_compliance_within_context: { checks: gate.rules.withinContext.checks, compliance: gate.rules.withinContext.compliance },
    rule_compliance_beyond_context: { checks: gate.rules.beyondContext.checks, compliance: gate.rules.beyondContext.compliance },
    gate_history: loop.gates.map((g) => ({ step: g.step, edge_compliance: g.edgeCompliance, rule_compliance: g.ruleCompliance, passed: g.passed })),
    failure_reason: gate.passed ? null : gateFailure(loop),
    tokens_per_second: Number.isFinite(loop.tokensPerSecond) ? loop.tokensPerSecond : null,
    resumed_from_step: context.resumedFrom,
    continued_from_step: context.origin?.step ?? null,
    continued_from: context.origin === null ? null : { key: context.origin.key, max_steps: context.origin.maxSteps, step: context.origin.step },
    parameter_count: result.parameterCount,
    backend: result.identity,
  };
}

function gateFailure(loop: LoopResult): string {
  const gate = loop.finalGate;
  return (
    `the sufficiency gate failed after ${loop.step} steps (${(loop.step / loop.stepsPerEpoch).toFixed(2)} epochs): ` +
    `edge compliance ${gate.edgeCompliance.toFixed(4)} (needs > ${GATE_THRESHOLDS.edge}), ` +
    `rule compliance ${gate.ruleCompliance.toFixed(4)} (needs > ${GATE_THRESHOLDS.rule})`
  );
}

function describeGate(gate: GateResult): string {
  const byR = gate.rules.byR.map((entry) => `r=${entry.r}: ${entry.compliance === null ? '-' : entry.compliance.toFixed(3)}`).join(', ');
  return `gate at step ${gate.step}: edge ${gate.edgeCompliance.toFixed(4)}, rule ${gate.ruleCompliance.toFixed(4)} (${byR}) ${gate.passed ? 'passed' : 'not passed'}`;
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
