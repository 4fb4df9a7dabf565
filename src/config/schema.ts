/**
 * The experiment configuration: the original research layout (`graph`, `model`, `training`,
 * `sweep`, `seed`, `description`, `tags`) accepted unchanged, plus this project's sections
 * (`evaluation`, `analysis`, `runtime`) whose every field has a default, so old files stay
 * valid. Unknown keys are rejected at every level. Cross-field rules live in `rules.ts`.
 */
import { z } from 'zod';

const positiveInt = () => z.int().min(1);
const probability = () => z.number().min(0).max(1);

/** The reference's rule-length scale factors of w (reference-pipeline.md section 4.1). */
export const DEFAULT_JUMPER_R_SCALES = [0.5, 0.7, 0.9, 1.0, 1.1, 1.3, 1.5, 2.0] as const;

export const graphSchema = z.strictObject({
  /** Vertices, which are also the vocabulary. */
  n: z.int().min(2).default(500),
  /** Blocks; must divide n. */
  K: positiveInt().default(4),
  /** Within-block base edge probability. */
  p_in: probability().default(0.25),
  /** Between-block base edge probability. */
  p_out: probability().default(0.03),
  /** Jumper vertices per block (an absolute count). */
  n_jumpers_per_block: z.int().min(0).default(2),
  /** Rule lengths are max(1, round-half-even(scale * w)) for these scales. */
  jumper_r_scales: z
    .array(z.number().gt(0))
    .min(1)
    .default([...DEFAULT_JUMPER_R_SCALES]),
});

export const modelSchema = z.strictObject({
  d_model: positiveInt().default(128),
  n_layers: positiveInt().default(4),
  n_heads: z.literal([1, 2, 4]).default(1),
  dropout: z.number().min(0).lt(1).default(0.0),
});

export const trainingSchema = z.strictObject({
  /** Context length. */
  w: positiveInt().default(64),
  walk_length: positiveInt().default(256),
  /** Training walks; the eval corpus has max(1, floor(corpus_size / 9)). */
  corpus_size: positiveInt().default(200000),
  /** A label only (experiment id) and a validation bound: it sets no jumper's rule length. */
  r: positiveInt().default(57),
  learning_rate: z.number().gt(0).default(3e-4),
  batch_size: positiveInt().default(64),
  max_steps: positiveInt().default(50000),
  /**
   * Horizon of the learning-rate schedule (warm-up and cosine) in steps; null = max_steps.
   * Runs that differ only in max_steps and share this horizon are prefixes of each other, so
   * a longer run continues a shorter one (budget extension; the halving search sets it).
   */
  schedule_steps: positiveInt().nullable().default(null),
  eval_interval: positiveInt().default(1000),
  checkpoint_interval: positiveInt().default(5000),
  /** Optional cap on epochs in addition to max_steps. */
  max_epochs: positiveInt().nullable().default(null),
  /** Stop training as soon as the sufficiency gate passes. */
  early_stop: z.boolean().default(true),
  /** Stop the pipeline after training when the gate fails. */
  require_gate: z.boolean().default(false),
});

/** The original (never executed) sweep block; accepted so original files load. */
export const sweepSchema = z.strictObject({
  n_values: z.array(positiveInt()).default([500]),
  w_values: z.array(positiveInt()).default([64]),
  r_scale_values: z.array(z.number().gt(0)).default([0.9]),
  d_model_values: z.array(positiveInt()).default([128]),
  n_layers_values: z.array(positiveInt()).default([4]),
  K_values: z.array(positiveInt()).default([4]),
  p_in_values: z.array(probability()).default([0.25]),
  p_out_values: z.array(probability()).default([0.03]),
  seeds: z.array(z.int()).default([42, 123, 7]),
});

export const evaluationSchema = z.strictObject({
  /** `sampled`: tokens sampled at `temperature`; `reference`: greedy, as the original. */
  protocol: z.enum(['sampled', 'reference']).default('sampled'),
  temperature: z.number().gt(0).default(1.0),
});

export const analysisSchema = z.strictObject({
  n_permutations: z.int().min(0).default(10000),
  n_bootstrap: z.int().min(0).default(10000),
  horizon_threshold: z.number().gt(0.5).lt(1).default(0.75),
  alpha: z.number().gt(0).lt(1).default(0.05),
  min_events_per_class: positiveInt().default(5),
  split_seed: z.int().default(2026),
  /** Analyse each distinct sequence once; null = true under the reference protocol. */
  dedupe: z.boolean().nullable().default(null),
});

export const runtimeSchema = z.strictObject({
  /** Execution provider: auto picks CUDA when it loads, else CPU. */
  device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  /** Threads for numeric work; null = all cores. */
  threads: positiveInt().nullable().default(null),
});

export const experimentConfigSchema = z.strictObject({
  graph: graphSchema.prefault({}),
  model: modelSchema.prefault({}),
  training: trainingSchema.prefault({}),
  sweep: sweepSchema.nullable().default(null),
  seed: z.int().min(0).max(2 ** 31 - 1).default(42),
  description: z.string().default(''),
  tags: z.array(z.string()).default([]),
  evaluation: evaluationSchema.prefault({}),
  analysis: analysisSchema.prefault({}),
  runtime: runtimeSchema.prefault({}),
});

/** A fully normalised configuration: every default filled in. */
export type ExperimentConfig = z.output<typeof experimentConfigSchema>;
export type GraphConfig = ExperimentConfig['graph'];
export type ModelConfig = ExperimentConfig['model'];
export type TrainingConfig = ExperimentConfig['training'];

/**
 * JSON paths whose values are floats in the reference's typed config. Canonical JSON writes
 * them the Python way (`0.0`, `1e-05`) so hashes match the original implementation.
 * `[]` marks every element of an array.
 */
export const FLOAT_PATHS: ReadonlySet<string> = new Set([
  'graph.p_in',
  'graph.p_out',
  'graph.jumper_r_scales[]',
  'model.dropout',
  'training.learning_rate',
  'sweep.r_scale_values[]',
  'sweep.p_in_values[]',
  'sweep.p_out_values[]',
  'evaluation.temperature',
  'analysis.horizon_threshold',
  'analysis.alpha',
]);

/**
 * Sections and fields this project added to the original layout. In the hashed form of a
 * config they are left out while they hold their defaults, so an original file hashes
 * exactly as in the reference implementation and adding a field never changes old ids.
 * `runtime` is never hashed: it says where and how to compute, not what.
 */
export const EXTENSION_PATHS = [
  'graph.jumper_r_scales',
  'training.max_epochs',
  'training.schedule_steps',
  'training.early_stop',
  'training.require_gate',
  'evaluation',
  'analysis',
] as const;
