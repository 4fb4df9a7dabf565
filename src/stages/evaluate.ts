/**
 * The evaluate stage (method.md section 5): the first token of every eval walk is a prompt;
 * the trained model (the train artifact's `model_weights.bin`) extends each to 4w tokens (more
 * for late jumpers) under the configured protocol. Every full-window step's per-layer qkt and
 * avwo go to the SVD metric pool while generation goes on; the static wvwo metrics are computed
 * once. Then the behaviour labels and the exploratory/confirmatory split, and three tables:
 * `token_metrics.parquet`, `sequences.parquet`, `encounters.parquet`.
 */
import { generateSequences, type GeneratedSequences, type WindowCallback } from '../evaluation/generation/generate';
import { jumperTable, type JumperTable } from '../evaluation/labels/jumper-table';
import { lengthPlan } from '../evaluation/labels/sequence-length';
import { allocateLabelBuffers, labelBatch, RuleOutcome, type BatchLabels, type LabelBuffers } from '../evaluation/labels/behaviour';
import { assignSplit, type SplitAssignment } from '../evaluation/split';
import { createSvdMetricPool, type SvdMetricPool } from '../evaluation/svd-pool';
import { readIntMatrix } from '../artifacts/parquet';
import type { ModelConfig } from '../config/schema';
import type { DcsbmGraph } from '../graph/graph';
import { modelDims, type ModelDims } from '../model/model-dims';
import { checkWeights, type ModelWeights } from '../model/model-weights';
import { wvwoProducts } from '../model/wvwo';
import { evaluateStageDeclaration } from '../pipeline/dag';
import type { StageContext, StageImplementation } from '../pipeline/stage';
import { writeEncounters, writeSequences, writeTokenMetrics, ENCOUNTERS_FILE, SEQUENCES_FILE, TOKEN_METRICS_FILE } from './evaluate-outputs';
import { MetricTable, metricMoments, wvwoMetrics, type StaticMetrics } from './evaluate-metrics';
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
   * SVD worker threads; 0 computes on the main thread between generation steps.
   * @default context.threads - 1 (one thread is left to onnxruntime)
   */
  svdThreads?: number;
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
  const inputs = await readInputs(context);
  const { generated, metrics, guards } = await generateWithMetrics(context, inputs, options);
  const labels = allocateLabelBuffers(inputs.prompts.length, generated.maxLength);
  const encounters = labelBatch({ values: generated.tokens, rows: inputs.prompts.length, width: generated.maxLength, lengths: generated.lengths }, inputs.graph, inputs.table, labels);
  const split = assignSplit(labels.failureIndex, context.slice.analysis.split_seed);
  const rows = { generated, labels, metrics, split };
  await writeTokenMetrics(context.output(TOKEN_METRICS_FILE), rows);
  await writeSequences(context.output(SEQUENCES_FILE), rows);
  await writeEncounters(context.output(ENCOUNTERS_FILE), encounters);
  context.progress(1);
  return evaluateSummary(context.slice, { generated, labels, encounters, split, metrics, guards, seconds: (performance.now() - started) / 1000 });
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

/** Generation with the SVD pool fed from every full-window pass, and the static wvwo metrics. */
async function generateWithMetrics(
  context: StageContext<EvaluateSlice>,
  inputs: EvaluationInputs,
  options: EvaluateStageOptions,
): Promise<{ generated: GeneratedSequences; metrics: MetricTable; guards: Map<string, number> }> {
  const { slice } = context;
  const { dims, prompts } = inputs;
  const w = slice.training.w;
  const metrics = new MetricTable(dims.layers, dims.heads, prompts.length, lengthPlan(w, inputs.table).maxLength - 1);
  const pool = createSvdMetricPool({
    threads: options.svdThreads ?? Math.max(0, context.threads - 1),
    onResult: (result) => metrics.record(result),
    signal: context.signal,
  });
  const tracker = new SequenceTracker(pool, prompts.length, (fraction) => context.progress(0.95 * fraction, { sequences: Math.round(fraction * prompts.length) }));
  let generated: GeneratedSequences;
  try {
    generated = await generateSequences({
      weights: inputs.weights,
      dims,
      prompts,
      protocol: slice.evaluation.protocol,
      temperature: slice.evaluation.temperature,
      seed: slice.seed,
      w,
      table: inputs.table,
      batchRows: options.batchRows ?? 64,
      runtime: { device: slice.runtime.device, threads: context.threads },
      onWindow: windowSubmitter(pool, dims, tracker),
      signal: context.signal,
    });
    tracker.finishAll();
  } catch (error) {
    // Stop the workers; the generation error is the one to report, not a follow-up of close().
    await pool.close().catch(() => undefined);
    throw error;
  }
  await pool.close();
  const staticMetrics = wvwoMetrics(wvwoProducts(dims, inputs.weights), dims.dModel);
  fillStaticMetrics(metrics, staticMetrics, generated, w);
  const guards = new Map([...pool.guardCounts(), ...staticMetrics.guards]);
  return { generated, metrics, guards };
}

/**
 * Submits the qkt and avwo blocks of every layer of a pass. The pass's arrays are reused by
 * the generator, so every block is copied (the copy owns its buffer and is transferred).
 */
function windowSubmitter(pool: SvdMetricPool, dims: ModelDims, tracker: SequenceTracker): WindowCallback {
  const { context: w, dModel: d, heads } = dims;
  return async (pass) => {
    tracker.observe(pass.rows);
    const sequences = pass.rows.slice();
    const rows = sequences.length;
    for (let layer = 0; layer < dims.layers; layer++) {
      await pool.submit({ step: pass.step, sequences, layer, target: 'qkt', heads, rows, m: w, n: w, matrices: pass.qkt[layer].slice() });
      await pool.submit({ step: pass.step, sequences, layer, target: 'avwo', heads, rows, m: w, n: d, matrices: pass.avwo[layer].slice() });
    }
  };
}

/**
 * Tells the pool which sequences stopped, so their Grassmannian state is dropped: a sequence
 * that was in the previous full-window pass but is not in this one has reached its length (a
 * sequence's passes are consecutive steps, and a new batch never shares rows with the last).
 */
class SequenceTracker {
  #previous: Int32Array = new Int32Array(0);
  #finished = 0;

  constructor(
    private readonly pool: SvdMetricPool,
    private readonly total: number,
    private readonly onProgress: (fraction: number) => void,
  ) {}

  observe(rows: Int32Array): void {
    const current = new Set(rows);
    const stopped = this.#previous.filter((sequence) => !current.has(sequence));
    this.#finish(stopped);
    this.#previous = rows.slice();
  }

  finishAll(): void {
    this.#finish(this.#previous);
    this.#previous = new Int32Array(0);
  }

  #finish(sequences: Int32Array): void {
    if (sequences.length === 0) return;
    this.pool.finish(sequences);
    this.#finished += sequences.length;
    this.onProgress(this.#finished / Math.max(1, this.total));
  }
}

/**
 * The wvwo metrics are constant per sequence and step; as in the reference they are written at
 * every step that had a full-window pass, w - 1 .. length - 2.
 */
function fillStaticMetrics(table: MetricTable, statics: StaticMetrics, generated: GeneratedSequences, w: number): void {
  for (let sequence = 0; sequence < generated.lengths.length; sequence++) {
    const end = generated.lengths[sequence] - 1;
    if (end <= w - 1) continue;
    statics.metrics.forEach((heads, layer) => heads.forEach((metrics, head) => table.fill('wvwo', layer, head, metrics, sequence, w - 1, end)));
  }
}

/** Everything the summary is computed from. */
interface SummaryInputs {
  generated: GeneratedSequences;
  labels: LabelBuffers;
  encounters: BatchLabels;
  split: SplitAssignment;
  metrics: MetricTable;
  guards: Map<string, number>;
  seconds: number;
}

/** The stage's summary for result.json; every count agrees with the written tables. */
function evaluateSummary(slice: EvaluateSlice, inputs: SummaryInputs): Record<string, unknown> {
  const { generated, labels, encounters, split, metrics } = inputs;
  const n = generated.lengths.length;
  let violations = 0;
  for (const outcome of labels.ruleOutcome) if (outcome === RuleOutcome.Violated) violations++;
  return {
    n_sequences: n,
    n_distinct_sequences: distinctSequences(generated),
    n_violation_sequences: labels.failureIndex.reduce((count, index) => count + (index >= 0 ? 1 : 0), 0),
    n_violations: violations,
    n_encounters: encounters.encounters.length,
    n_unresolved_encounters: encounters.unresolved.length,
    n_token_rows: generated.lengths.reduce((total, length) => total + length - 1, 0),
    protocol: slice.evaluation.protocol,
    temperature: slice.evaluation.protocol === 'sampled' ? slice.evaluation.temperature : null,
    split_assignment: split.counts,
    guard_counts: Object.fromEntries(inputs.guards),
    metrics: Object.fromEntries(metrics.keys.map((key, i) => [key, metricMoments(metrics.values[i])])),
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
