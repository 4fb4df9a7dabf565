/**
 * The stage DAG: what each stage is, what it depends on and which config fields affect it.
 * Declarations only (no node built-ins, no I/O), so the planning code can later run inside
 * Temporal's deterministic workflow sandbox. Implementations live in `src/stages/`.
 */
import type { ExperimentConfig } from '../config/schema';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';

/**
 * Every stage of the full pipeline, in topological order (architecture.md). The report is not
 * a cached stage: the runners render report.html after the last stage, like result.json,
 * because it states this run's facts (cache hits, timings) that no artifact holds
 * (docs/design.md, "The report").
 */
export const PIPELINE_STAGES = ['graph', 'walks', 'train', 'evaluate', 'analyse', 'figures'] as const;
export type StageName = (typeof PIPELINE_STAGES)[number];

export interface StageResources {
  /** Which task queue / device class runs it. */
  kind: 'cpu' | 'gpu';
  /** Rough peak memory in MiB, for pre-flight checks. */
  memoryMiB: (config: ExperimentConfig) => number;
}

/** The declaration of one stage (its `run` lives in src/stages/<name>.ts). */
export interface StageDeclaration {
  name: StageName;
  /** Bump on a semantic change of the outputs: every cached artifact of the stage becomes a miss. */
  version: number;
  /** Upstream stages whose artifacts it reads. */
  inputs: readonly StageName[];
  /**
   * Exactly the config fields that affect the output, as an object that mirrors the config's
   * own paths, so a changed field is reported by its real name (`training.w`).
   */
  configSlice: (config: ExperimentConfig) => Record<string, unknown>;
  resources: StageResources;
  retry: RetryPolicy;
  /**
   * A reason to stop the pipeline after this stage, judged from its published summary (null to
   * go on). Pure, so both runners (and the Temporal workflow) apply it identically.
   */
  stopAfter?: (config: ExperimentConfig, summary: Record<string, unknown>) => string | null;
  /** True when its bytes depend on the execution provider (model math): the provider then enters the cache key. */
  usesExecutionProvider?: boolean;
  /**
   * Budget extension: the dotted path, inside the config slice, of a budget such that a run
   * with budget N is an exact prefix of a run with budget M > N when every other key input
   * (code, version, the rest of the slice, upstream digests, runtime) is equal. A missing
   * artifact then continues from the final state of the largest such shorter artifact in the
   * store (`StageContext.shorterRun`) instead of starting over. The key still holds the budget:
   * the N and M artifacts are different artifacts.
   */
  prefixBudget?: string;
  /** One line for plans and help. */
  description: string;
}

const graphStage: StageDeclaration = {
  name: 'graph',
  version: 1,
  inputs: [],
  configSlice: (config) => {
    const { n, K, p_in, p_out, n_jumpers_per_block, jumper_r_scales } = config.graph;
    // w sets the jumpers' rule lengths (the reference's cache ignored it: a stale-jumper bug).
    return { graph: { n, K, p_in, p_out, n_jumpers_per_block, jumper_r_scales }, training: { w: config.training.w }, seed: config.seed };
  },
  resources: { kind: 'cpu', memoryMiB: (config) => 64 + (config.graph.n * config.graph.n * 16) / 2 ** 20 },
  retry: DEFAULT_RETRY_POLICY,
  description: 'directed DCSBM graph, jumper designation with exact-k-step reachability',
};

const walksStage: StageDeclaration = {
  name: 'walks',
  version: 1,
  inputs: ['graph'],
  configSlice: (config) => ({
    training: { walk_length: config.training.walk_length, corpus_size: config.training.corpus_size },
    seed: config.seed,
  }),
  resources: {
    kind: 'cpu',
    memoryMiB: (config) => 128 + (config.training.corpus_size * (10 / 9) * config.training.walk_length * 4 * 3) / 2 ** 20,
  },
  retry: DEFAULT_RETRY_POLICY,
  description: 'train and eval random-walk corpora with 100% jumper-rule compliance',
};

/**
 * The train stage (src/stages/train.ts). The slice holds every field that changes the trained
 * bytes: the model, the training fields that shape the data order, the schedule, the gate and
 * the stopping rule, the requested device (float results depend on the execution provider) and
 * the seed. `checkpoint_interval` does not change the bytes (resuming is exact) but is in the
 * slice because a stage's context offers no other channel for settings.
 *
 * Key design for budget extension (docs/design.md): `training.schedule_steps` enters the slice
 * as the schedule's effective horizon (`schedule_steps ?? max_steps`), so the slice separates
 * the two things `max_steps` used to mean: where the learning-rate schedule ends (the horizon)
 * and where this run stops (`max_steps`). Two slices equal except for a smaller `max_steps`
 * are then a prefix and its extension: the shorter run's final state is exactly the longer
 * run's state at that step, which `prefixBudget` declares and the stage uses.
 */
export const trainStageDeclaration: StageDeclaration = {
  name: 'train',
  // 2: the artifact holds final_state/ and the slice the schedule horizon (budget extension).
  version: 2,
  inputs: ['graph', 'walks'],
  configSlice: (config) => {
    const { w, walk_length, learning_rate, batch_size, max_steps, schedule_steps, eval_interval, checkpoint_interval, max_epochs, early_stop } = config.training;
    return {
      model: { ...config.model },
      training: {
        w,
        walk_length,
        learning_rate,
        batch_size,
        max_steps,
        // The effective horizon: an unset schedule_steps and one equal to max_steps train the same bytes.
        schedule_steps: schedule_steps ?? max_steps,
        eval_interval,
        checkpoint_interval,
        max_epochs,
        early_stop,
      },
      runtime: { device: config.runtime.device },
      seed: config.seed,
    };
  },
  resources: { kind: 'gpu', memoryMiB: trainMemoryMiB },
  retry: DEFAULT_RETRY_POLICY,
  usesExecutionProvider: true,
  prefixBudget: 'training.max_steps',
  // require_gate is not in the slice: it decides whether the pipeline goes on, not what training produces.
  stopAfter: (config, summary) =>
    config.training.require_gate && summary.gate_passed === false
      ? `the sufficiency gate failed (${String(summary.failure_reason ?? 'see the train summary')}) and training.require_gate is true`
      : null,
  description: 'transformer training on walk windows with the sufficiency gate (worker thread, resumable, extendable)',
};

/**
 * Rough peak memory of training: parameters with gradients and two AdamW moments, the
 * training corpus, and activations (about 24 floats per token, layer and model dimension).
 */
function trainMemoryMiB(config: ExperimentConfig): number {
  const { d_model: d, n_layers: layers } = config.model;
  const { w, batch_size: batch, corpus_size: walks, walk_length: length } = config.training;
  const parameters = layers * 12 * d * d + 2 * config.graph.n * d + w * d;
  const activations = batch * w * (24 * d * layers + 2 * config.graph.n);
  return 256 + (16 * parameters + 4 * activations + 4 * walks * length) / 2 ** 20;
}

/**
 * The evaluate stage (src/stages/evaluate.ts). Exported but not yet in {@link STAGES}: the
 * runner registers it together with its runner tests. The slice holds every field that changes
 * the evaluation's bytes: the evaluation protocol and temperature, w (sequence length 4w and
 * the SVD window), the split seed, the master seed (per-sequence sampling streams), the model
 * dimensions (read back with the weights) and the requested device (float results depend on
 * the execution provider, as in training). `training.walk_length` is not in it: only the first
 * token of each eval walk is read, and the walks artifact's own key already covers its length.
 */
export const evaluateStageDeclaration: StageDeclaration = {
  name: 'evaluate',
  version: 1,
  inputs: ['graph', 'walks', 'train'],
  configSlice: (config) => ({
    model: { ...config.model },
    training: { w: config.training.w },
    evaluation: { ...config.evaluation },
    analysis: { split_seed: config.analysis.split_seed },
    runtime: { device: config.runtime.device },
    seed: config.seed,
  }),
  resources: { kind: 'gpu', memoryMiB: evaluateMemoryMiB },
  retry: DEFAULT_RETRY_POLICY,
  usesExecutionProvider: true,
  description: 'generation from eval-walk prompts, per-step SVD metrics of qkt/wvwo/avwo, behaviour labels and the split',
};

/**
 * Rough peak memory of evaluation (the eval corpus is about corpus_size / 9 walks): the metric
 * rows not yet written, the tokens, and the extraction outputs of one batch of 64 rows.
 */
function evaluateMemoryMiB(config: ExperimentConfig): number {
  const { d_model: d, n_layers: layers, n_heads: heads } = config.model;
  const { w, corpus_size: walks } = config.training;
  const sequences = walks / 9;
  const steps = 5 * w;
  const keys = 3 * layers * heads * 9;
  const extraction = 64 * layers * heads * w * (w + d);
  // token_metrics is streamed: metric values of at most (lanes + 2) x 64 sequences are held
  // (two lanes assumed), plus every sequence's tokens and the extraction outputs of a batch.
  const heldMetrics = 2 * 3 * 64 * steps * keys * 8;
  return 512 + (heldMetrics + sequences * steps * 4 + 4 * 4 * extraction) / 2 ** 20;
}

/**
 * The analyse stage (src/stages/analyse.ts): events, AUROC by lookback, horizons, permutation
 * and bootstrap controls, Holm-Bonferroni, redundancy (method.md section 6). Its slice is the
 * analysis settings, the protocol (which decides the dedupe default) and the master seed (the
 * permutation and bootstrap streams); `split_seed` already shaped the evaluate artifact.
 */
export const analyseStageDeclaration: StageDeclaration = {
  name: 'analyse',
  version: 1,
  inputs: ['evaluate'],
  configSlice: (config) => {
    // min_events_per_class is recorded in the config but, as in the reference, decides
    // nothing (the tiers have fixed bounds): it stays out of the key.
    const { split_seed: _decidedUpstream, min_events_per_class: _recordedOnly, ...analysis } = config.analysis;
    return { analysis, evaluation: { protocol: config.evaluation.protocol }, seed: config.seed };
  },
  resources: { kind: 'cpu', memoryMiB: analyseMemoryMiB },
  retry: DEFAULT_RETRY_POLICY,
  description: 'rule events, AUROC predictive horizons, permutation/bootstrap controls, Holm-Bonferroni, redundancy',
};

/**
 * Rough peak memory of the analysis: one metric column of token_metrics at a time (float64 per
 * sequence and step) plus the lookback matrices of the largest r group (events x r).
 */
function analyseMemoryMiB(config: ExperimentConfig): number {
  const { w, corpus_size: walks } = config.training;
  const rows = (walks / 9) * 5 * w;
  const maxR = Math.max(...config.graph.jumper_r_scales) * w;
  const events = (walks / 9) * 10;
  return 384 + (8 * 3 * rows + 8 * 4 * events * maxR) / 2 ** 20;
}

/**
 * The figures stage (src/stages/figures.ts): SVG and PNG figures of training, behaviour and
 * the analysis. Everything it draws comes from its upstream artifacts, so its slice is empty.
 */
export const figuresStageDeclaration: StageDeclaration = {
  name: 'figures',
  version: 1,
  inputs: ['train', 'evaluate', 'analyse'],
  configSlice: () => ({}),
  resources: { kind: 'cpu', memoryMiB: (config) => 512 + (8 * (config.training.corpus_size / 9) * 5 * config.training.w) / 2 ** 20 },
  retry: DEFAULT_RETRY_POLICY,
  description: 'figures (SVG and PNG): training, behaviour, AUROC by lookback, horizons, trajectories, permutation null',
};

/** The stages implemented so far, in topological order. */
export const STAGES: readonly StageDeclaration[] = [
  graphStage,
  walksStage,
  trainStageDeclaration,
  evaluateStageDeclaration,
  analyseStageDeclaration,
  figuresStageDeclaration,
];

/** Stages of the full pipeline that are not implemented yet (reported plainly, never faked). */
export const UNAVAILABLE_STAGES: readonly StageName[] = PIPELINE_STAGES.filter(
  (name) => !STAGES.some((stage) => stage.name === name),
);

/** The declaration of `name`; throws on an unknown or unavailable stage. */
export function stageDeclaration(name: string): StageDeclaration {
  const stage = STAGES.find((candidate) => candidate.name === name);
  if (stage === undefined) {
    const known = STAGES.map((s) => s.name).join(', ');
    throw new RangeError(`unknown stage '${name}': the available stages are ${known}`);
  }
  return stage;
}

/** The stages needed to produce `until` (itself and its transitive inputs), in topological order. */
export function stagesUpTo(until?: StageName): StageDeclaration[] {
  if (until === undefined) return [...STAGES];
  const needed = new Set<StageName>();
  const visit = (name: StageName) => {
    if (needed.has(name)) return;
    needed.add(name);
    stageDeclaration(name).inputs.forEach(visit);
  };
  visit(until);
  return STAGES.filter((stage) => needed.has(stage.name));
}
