/**
 * The contract between the training loop (src/training/) and a model implementation
 * (src/model/, onnxruntime). The loop owns data order, the learning-rate schedule, the gate,
 * checkpoints and progress; the backend owns the parameters, the optimizer state and the math.
 *
 * Token tensors are row-major Int32Arrays. A backend lives in one thread (onnxruntime's `run`
 * blocks the thread that calls it), so the loop that drives it runs in a worker thread.
 */
import type { ModelConfig } from '../config/schema';

/** Static shapes a backend is built for. */
export interface TrainerShape {
  /** Vocabulary size = graph.n. */
  vocab: number;
  /** Context length = training.w (the model's maximum sequence length). */
  context: number;
  /** Training batch size. */
  batch: number;
  /** Contexts per `nextLogits` call (generation batch). */
  generationBatch: number;
}

/** Execution settings recorded in result.json. */
export interface TrainerRuntime {
  /** Requested device; the backend falls back from cuda to cpu with a logged reason. */
  device: 'auto' | 'cpu' | 'cuda';
  threads: number;
}

/** Everything needed to continue training exactly: parameters, AdamW moments, step count. */
export interface TrainerState {
  /** Optimizer steps taken so far (AdamW bias correction depends on it). */
  step: number;
  /** Named float32 tensors: parameters and optimizer moments. Names are stable across versions of a graph. */
  tensors: Record<string, Float32Array>;
}

/** What the backend actually runs on, for result.json and cache keys. */
export interface TrainerIdentity {
  /** Execution provider in use: 'cpu' or 'cuda'. */
  provider: string;
  /** Why a requested provider was not used, when it was not. */
  fallbackReason: string | null;
  threads: number;
  precision: 'float32';
  onnxruntimeVersion: string;
}

export interface TrainerBackend {
  readonly identity: TrainerIdentity;
  readonly parameterCount: number;
  /**
   * One optimizer step: forward on `inputs` (batch x context), mean cross-entropy against
   * `targets` (batch x context), gradient, global-norm clipping at 1.0, AdamW at
   * `learningRate`. Returns the loss before the update.
   */
  step(inputs: Int32Array, targets: Int32Array, learningRate: number): Promise<number>;
  /**
   * Next-token logits for `count` <= generationBatch contexts: `contexts` is
   * generationBatch x context, row i holds `lengths[i]` (1..context) tokens left-aligned
   * (the rest is ignored). Returns count x vocab logits at position lengths[i] - 1.
   */
  nextLogits(contexts: Int32Array, lengths: Int32Array, count: number): Promise<Float32Array>;
  exportState(): Promise<TrainerState>;
  importState(state: TrainerState): Promise<void>;
  /** A self-contained ONNX inference model (weights included) with the current parameters. */
  exportInferenceModel(): Promise<Uint8Array>;
  release(): Promise<void>;
}

/** Creates a backend with freshly initialised parameters (reference initialisation, seeded). */
export type TrainerFactory = (
  model: ModelConfig,
  shape: TrainerShape,
  hyper: { weightDecay: number; beta1: number; beta2: number; epsilon: number; clipNorm: number },
  seed: number,
  runtime: TrainerRuntime,
) => Promise<TrainerBackend>;
