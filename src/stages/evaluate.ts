/**
 * The evaluate stage (method.md section 5): the first token of every eval walk is a prompt;
 * the trained model (the train artifact's `model_weights.bin`) extends each to 4w tokens (more
 * for late jumpers) under the configured protocol. Every full-window step's per-layer qkt and
 * avwo go to the SVD metric pool while generation goes on; the static wvwo metrics are computed
 * once. Each batch of sequences, once generated and with all its SVD results delivered, is
 * labelled and appended to `token_metrics.parquet` (in sequence order), so memory holds a few
 * batches of metric values, not the run's. At the end the exploratory/confirmatory split and
 * the two small tables, `sequences.parquet` and `encounters.parquet`. See
 * docs/evaluation-generation.md.
 */
import { emptySequences, generateSequences, type BatchRange, type GeneratedSequences, type WindowCallback } from '../evaluation/generation/generate';
import { jumperTable, type JumperTable } from '../evaluation/labels/jumper-table';
import { lengthPlan } from '../evaluation/labels/sequence-length';
import { assignSplit, type SplitAssignment } from '../evaluation/split';
import { createSvdMetricPool, type SvdJob, type SvdMetricPool } from '../evaluation/svd-pool';
import { metricKeys } from '../evaluation/svd/metrics';
import { readIntMatrix } from '../artifacts/parquet';
import type { ModelConfig } from '../config/schema';
import type { DcsbmGraph } from '../graph/graph';
import { modelDims, type ModelDims } from '../model/model-dims';
import { checkWeights, type ModelWeights } from '../model/model-weights';
import { wvwoProducts } from '../model/wvwo';
import { Cancelled } from '../errors';
import { evaluateStageDeclaration } from '../pipeline/dag';
import { PeriodicCheckpoints } from '../pipeline/periodic-checkpoints';
import type { StageContext, StageImplementation } from '../pipeline/stage';
import { loadEvaluateCheckpoint, saveEvaluateCheckpoint, type EvaluateResume, type EvaluateRunShape } from './evaluate-checkpoint';
import { wvwoMetrics } from './evaluate-metrics';
import {
  TokenMetricsWriter,
  TokenRowStream,
  writeEncounters,
  writeSequences,
  ENCOUNTERS_FILE,
  SEQUENCES_FILE,
  TOKEN_METRICS_FILE,
  type StreamTotals,
} from './evaluate-outputs';
import { readGraphArtifact } from './graph-artifact';
import { readModelWeights } from './model-weights-artifact';
import { walksFile } from './walks';

export { ENCOUNTERS_FILE, SEQUENCES_FILE, TOKEN_METRICS_FILE };

/** The evaluate stage's config slice (see `evaluateStageDeclaration` in dag.ts). */
export interface EvaluateSlice {
  model: ModelConfig;
  training: { w: number };
  evaluation: { protocol: 'sampled' | 'reference'; temperature: number };
  analysis: { split_seed: number };
  runtime: { device: 'auto' | 'cpu' | 'cuda' };
  seed: number;
}

/** Options of {@link createEvaluateStage}. */
export interface EvaluateStageOptions {
  /** Sequences generated together. Does not change the results (per-sequence streams). @default 64 */
  batchRows?: number;
  /**
   * Batches generated at the same time (`GenerationRequest.lanes`). onnxruntime-node runs a
   * forward pass synchronously on the calling thread, so one lane generates on the main thread
   * and several run in worker threads of their own, in parallel. On two cores one lane is as
   * fast (measured: the SVD workers take the other core); more cores need more lanes.
   * @default 1 below 4 threads, else ⌊context.threads / 2⌋
   */
  lanes?: number;
  /**
   * onnxruntime intra-op threads of each lane's sessions. One thread runs the pass without a
   * spinning pool, which shares cores with the SVD workers far better than a pool does
   * (measured: two threads are slower here). @default 1
   */
  onnxThreads?: number;
  /**
   * SVD worker threads; 0 computes on the main thread between generation steps.
   * @default context.threads - lanes (0 on one core)
   */
  svdThreads?: number;
  /** Filled with where the time went and the most sequences held (benchmarks and tests). */
  profile?: Partial<EvaluateProfile>;
  /** Seconds between two checkpoints of what is written (evaluate-checkpoint.ts). @default 60 */
  checkpointSeconds?: number;
}

/** An evaluate stage implementation; tests pass smaller batches or thread counts. */
export function createEvaluateStage(options: EvaluateStageOptions = {}): StageImplementation<EvaluateSlice> {
  return {
    declaration: evaluateStageDeclaration,
    module: 'src/stages/evaluate.ts',
    run: (context) => runEvaluateStage(context, options),
  };
}

/** The evaluate stage with the default options. */
export const evaluateStage: StageImplementation<EvaluateSlice> = createEvaluateStage();

/** What the stage works on, read from the three upstream artifacts. */
interface EvaluationInputs {
  graph: DcsbmGraph;
  table: JumperTable;
  prompts: Int32Array;
  weights: ModelWeights;
  dims: ModelDims;
}

async function runEvaluateStage(context: StageContext<EvaluateSlice>, options: EvaluateStageOptions): Promise<Record<string, unknown>> {
  const started = performance.now();
  const profile = resetProfile(options.profile);
  const inputs = await readInputs(context);
  const { generated, totals, guards } = await generateAndWrite(context, inputs, options, profile);
  const closing = performance.now();
  const split = assignSplit(totals.failureIndex, context.slice.analysis.split_seed);
  await writeSequences(context.output(SEQUENCES_FILE), { generated, failureIndex: totals.failureIndex, violations: totals.violations, split });
  await writeEncounters(context.output(ENCOUNTERS_FILE), totals.encounters);
  profile.closeSeconds += (performance.now() - closing) / 1000;
  context.progress(1);
  return evaluateSummary(context.slice, { generated, totals, split, guards, seconds: (performance.now() - started) / 1000 });
}

async function readInputs(context: StageContext<EvaluateSlice>): Promise<EvaluationInputs> {
  const { slice } = context;
  const { graph, jumpers } = await readGraphArtifact(context.input('graph'));
  const walks = await readIntMatrix(context.input('walks').file(walksFile('eval')), { idColumn: 'walk', listColumn: 'tokens' });
  // method.md section 5: one prompt per eval walk, its first token.
  const prompts = Int32Array.from({ length: walks.rows }, (_, i) => walks.values[i * walks.width]);
  const dims = modelDims(slice.model, { vocab: graph.n, context: slice.training.w });
  const weights = await readModelWeights(context.input('train'));
  checkWeights(dims, weights);
  context.log(`${prompts.length} prompts, model d=${dims.dModel} layers=${dims.layers} heads=${dims.heads}, protocol ${slice.evaluation.protocol}`);
  return { graph, table: jumperTable(graph.n, jumpers), prompts, weights, dims };
}

/**
 * Generation with the SVD pool fed from every full-window pass and the token rows streamed:
 * each batch of sequences is written (labels, metrics, row group) as soon as it is generated
 * and all its SVD jobs are delivered, so only a few batches of metric values are held.
 * Returns the generated tokens and what the other tables and the summary need.
 */
async function generateAndWrite(
  context: StageContext<EvaluateSlice>,
  inputs: EvaluationInputs,
  options: EvaluateStageOptions,
  profile: EvaluateProfile,
): Promise<{ generated: GeneratedSequences; totals: StreamTotals; guards: Map<string, number> }> {
  const { slice } = context;
  const { dims, prompts } = inputs;
  const w = slice.training.w;
  const maxLength = lengthPlan(w, inputs.table).maxLength;
  profile.maxLength = maxLength;
  const keys = metricKeys(dims.layers, dims.heads);
  const batchRows = options.batchRows ?? 64;
  const shape: EvaluateRunShape = { prompts: prompts.length, maxLength, batchRows, keys: keys.length };
  const resume = await startingPoint(context, shape);
  const generated = resume?.generated ?? emptySequences(prompts.length, maxLength);
  // Static per model: computed first, so each batch is complete when it is written.
  const statics = wvwoMetrics(wvwoProducts(dims, inputs.weights), dims.dModel);
  const lanes = options.lanes ?? (context.threads < 4 ? 1 : Math.floor(context.threads / 2));
  const svdThreads = options.svdThreads ?? Math.max(0, context.threads - lanes);
  Object.assign(profile, { lanes, svdThreads });
  context.log(`${lanes} generation lane(s), ${svdThreads} SVD worker(s); at most ${lanes + 2} batches of metric values held`);
  const writer = await TokenMetricsWriter.open(context.output(TOKEN_METRICS_FILE), keys, resume?.tokenMetrics);
  // `capture` reads the stream declared below; it runs only once batches are written.
  const checkpointer = new PeriodicCheckpoints<EvaluateResume>({
    capture: () => ({ stream: stream.state(), tokenMetrics: writer.state(), generated }),
    size: (state) => state.stream.sequences,
    save: (state) => saveEvaluateCheckpoint(context.checkpoint, shape, state),
    describe: (state) => `after ${state.stream.sequences} sequences`,
    intervalMs: 1000 * (options.checkpointSeconds ?? 60),
    log: (line) => context.log(line),
    resumedSize: resume?.stream.sequences ?? 0,
  });
  const stream = new TokenRowStream({
    writer,
    graph: inputs.graph,
    table: inputs.table,
    layers: dims.layers,
    heads: dims.heads,
    w,
    maxLength,
    sequences: prompts.length,
    statics,
    // The lanes' batches, plus two whose last SVD jobs or row writes are in flight.
    maxHeldBatches: lanes + 2,
    onWritten: (sequences) => {
      context.progress((0.95 * sequences) / Math.max(1, prompts.length), { sequences });
      checkpointer.due();
    },
    resume: resume?.stream,
  });
  let pool: SvdMetricPool | null = null;
  try {
    pool = createSvdMetricPool({
      threads: svdThreads,
      // Room for QUEUED_STEPS generation steps of jobs per lane, so the workers never run dry
      // while the next forward passes run (and generation does not wait while they have work).
      queueLimit: Math.max(2 * svdThreads, QUEUED_STEPS * lanes * 2 * dims.layers),
      onResult: (result) => stream.record(result),
      // Lanes waiting for room would otherwise wait for deliveries that never come.
      onFailure: (error) => stream.fail(error),
      signal: context.signal,
    });
    const sinks = { pool, stream, lanes, onnxThreads: options.onnxThreads ?? 1, batchRows };
    await generate(context, inputs, sinks, { done: resume?.stream.sequences ?? 0, into: generated }, profile);
    const draining = performance.now();
    await pool.close();
    profile.drainSeconds = (performance.now() - draining) / 1000;
    const finishing = performance.now();
    await stream.finish(() => checkpointer.settle(false));
    profile.closeSeconds = (performance.now() - finishing) / 1000;
    // The stream's counts cover exactly the written batches, resumed ones included.
    const guards = new Map([...stream.guardCounts, ...statics.guards]);
    return { generated, totals: stream.totals, guards };
  } catch (error) {
    // Stop the workers; an interruption keeps what is written in a checkpoint; drop the file.
    // The first error is the one to report.
    await pool?.close().catch(() => undefined);
    await stream.settle();
    await checkpointer.settle(context.signal.aborted);
    await stream.abort().catch(() => undefined);
    throw context.signal.aborted ? interruption(error, checkpointer.saved, prompts.length) : error;
  } finally {
    Object.assign(profile, { labelSeconds: stream.timings.labelSeconds, writeSeconds: stream.timings.writeSeconds, maxHeldSequences: stream.timings.maxHeldSequences });
  }
}

/** This run's checkpoint, when there is one of its shape (evaluate-checkpoint.ts); null to start from the first batch. */
async function startingPoint(context: StageContext<EvaluateSlice>, shape: EvaluateRunShape): Promise<EvaluateResume | null> {
  const resume = await loadEvaluateCheckpoint(context.checkpoint, shape, (why) => context.log(`${why}; starting over`));
  if (resume !== null) context.log(`resuming after ${resume.stream.sequences} of ${shape.prompts} sequences (checkpoint)`);
  return resume;
}

/** The error of an interrupted stage, saying where the next run starts. */
function interruption(cause: unknown, saved: number, prompts: number): Cancelled {
  const resumes = saved === 0 ? 'the next run starts from the beginning' : `the next run resumes after ${saved} of ${prompts} sequences`;
  return new Cancelled(`evaluation interrupted; ${resumes}`, { cause });
}

/** What {@link generate} feeds. */
interface GenerationSinks {
  pool: SvdMetricPool;
  stream: TokenRowStream;
  lanes: number;
  onnxThreads: number;
  batchRows: number;
}

/** Generation, each full-window pass submitted to the pool and each batch handed to the stream. */
async function generate(
  context: StageContext<EvaluateSlice>,
  inputs: EvaluationInputs,
  sinks: GenerationSinks,
  resume: { done: number; into: GeneratedSequences },
  profile: EvaluateProfile,
): Promise<GeneratedSequences> {
  const { slice } = context;
  const { pool, stream, lanes } = sinks;
  const callbacks = { seconds: 0 };
  const started = performance.now();
  const generated = await generateSequences({
    weights: inputs.weights,
    dims: inputs.dims,
    prompts: inputs.prompts,
    protocol: slice.evaluation.protocol,
    temperature: slice.evaluation.temperature,
    seed: slice.seed,
    w: slice.training.w,
    table: inputs.table,
    batchRows: sinks.batchRows,
    lanes,
    runtime: { device: slice.runtime.device, threads: sinks.onnxThreads },
    onBatchStart: timed(callbacks, async (range: BatchRange, halted: AbortSignal) => {
      const waited = performance.now();
      await stream.open(range, halted);
      profile.writeWaitSeconds += (performance.now() - waited) / 1000;
    }),
    onWindow: timed(callbacks, windowSubmitter(pool, inputs.dims, stream, profile)),
    onBatchEnd: (batch) => {
      // The batch's Grassmannian state is dropped after its last jobs (no id is reused).
      pool.finish(Array.from({ length: batch.count }, (_, i) => batch.first + i));
      stream.generated(batch);
    },
    signal: context.signal,
    resume,
  });
  // Lane-seconds: every lane generates from the start to about the end.
  profile.generationSeconds = (lanes * (performance.now() - started)) / 1000 - callbacks.seconds;
  return generated;
}

/** Generation steps of SVD jobs the pool may hold beyond the ones running. */
const QUEUED_STEPS = 2;

/** `callback`, with the time its calls take added to `into.seconds`. */
function timed<A extends unknown[]>(into: { seconds: number }, callback: (...args: A) => void | Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    const started = performance.now();
    try {
      await callback(...args);
    } finally {
      into.seconds += (performance.now() - started) / 1000;
    }
  };
}

/**
 * Submits the qkt and avwo blocks of every layer of a pass. The pass's arrays are reused by
 * the generator, so every block is copied (the copy owns its buffer and is transferred).
 */
function windowSubmitter(pool: SvdMetricPool, dims: ModelDims, stream: TokenRowStream, profile: EvaluateProfile): WindowCallback {
  const { context: w, dModel: d, heads } = dims;
  return async (pass) => {
    const sequences = pass.rows.slice();
    const rows = sequences.length;
    const submit = async (job: SvdJob): Promise<void> => {
      stream.submitted(sequences);
      const started = performance.now();
      await pool.submit(job);
      profile.svdWaitSeconds += (performance.now() - started) / 1000;
    };
    for (let layer = 0; layer < dims.layers; layer++) {
      await submit({ step: pass.step, sequences, layer, target: 'qkt', heads, rows, m: w, n: w, matrices: pass.qkt[layer].slice() });
      await submit({ step: pass.step, sequences, layer, target: 'avwo', heads, rows, m: w, n: d, matrices: pass.avwo[layer].slice() });
    }
  };
}

/**
 * Where the stage's time went and how much it held; {@link EvaluateStageOptions.profile}
 * receives it. Generation times are lane-seconds (summed over the lanes, which run at the
 * same time); the others are wall seconds.
 */
export interface EvaluateProfile {
  /** Generation without its callbacks: forward passes, token choice, contexts (lane-seconds). */
  generationSeconds: number;
  /** Generation waiting for room in the SVD queue: the workers were behind (lane-seconds). */
  svdWaitSeconds: number;
  /** Generation waiting before a batch for earlier batches' rows to be written (lane-seconds). */
  writeWaitSeconds: number;
  /** Waiting for the SVD pool to finish after generation ended. */
  drainSeconds: number;
  /** Behaviour labels (inside the row writes). */
  labelSeconds: number;
  /** Row writes: labels excluded, columns and row groups; they overlap generation. */
  writeSeconds: number;
  /** Closing token_metrics (the Parquet file is assembled) and writing the other two tables. */
  closeSeconds: number;
  /** Most sequences whose metric values were held at once. */
  maxHeldSequences: number;
  /** Generation lanes and SVD worker threads used. */
  lanes: number;
  svdThreads: number;
  /** The length plan's maxLength (metric blocks have maxLength - 1 step columns). */
  maxLength: number;
}

function resetProfile(profile: Partial<EvaluateProfile> = {}): EvaluateProfile {
  return Object.assign(profile, {
    generationSeconds: 0,
    svdWaitSeconds: 0,
    writeWaitSeconds: 0,
    drainSeconds: 0,
    labelSeconds: 0,
    writeSeconds: 0,
    closeSeconds: 0,
    maxHeldSequences: 0,
    maxLength: 0,
    lanes: 0,
    svdThreads: 0,
  });
}

/** Everything the summary is computed from. */
interface SummaryInputs {
  generated: GeneratedSequences;
  totals: StreamTotals;
  split: SplitAssignment;
  guards: Map<string, number>;
  seconds: number;
}

/** The stage's summary for result.json; every count agrees with the written tables. */
function evaluateSummary(slice: EvaluateSlice, inputs: SummaryInputs): Record<string, unknown> {
  const { generated, totals, split } = inputs;
  const n = generated.lengths.length;
  const keys = metricKeys(slice.model.n_layers, slice.model.n_heads);
  return {
    n_sequences: n,
    n_distinct_sequences: distinctSequences(generated),
    n_violation_sequences: totals.failureIndex.reduce((count, index) => count + (index >= 0 ? 1 : 0), 0),
    n_violations: totals.violations.reduce((sum, count) => sum + count, 0),
    n_encounters: totals.encounters.encounters.length,
    n_unresolved_encounters: totals.encounters.unresolved.length,
    n_token_rows: generated.lengths.reduce((total, length) => total + length - 1, 0),
    protocol: slice.evaluation.protocol,
    temperature: slice.evaluation.protocol === 'sampled' ? slice.evaluation.temperature : null,
    split_assignment: split.counts,
    guard_counts: Object.fromEntries(inputs.guards),
    metrics: Object.fromEntries(keys.map((key, i) => [key, totals.moments.moments(i)])),
    seconds: inputs.seconds,
  };
}

/** Number of distinct generated token sequences (the reference protocol repeats many). */
function distinctSequences(generated: GeneratedSequences): number {
  const seen = new Set<string>();
  for (let i = 0; i < generated.lengths.length; i++) {
    const start = i * generated.maxLength;
    seen.add(generated.tokens.subarray(start, start + generated.lengths[i]).join(','));
  }
  return seen.size;
}
