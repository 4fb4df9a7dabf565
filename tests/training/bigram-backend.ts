/**
 * A small real TrainerBackend for the training tests: a bigram logit table (the next-token
 * logits depend on the current token only), trained with the contract's math (mean
 * cross-entropy, global-norm clipping, AdamW with decoupled weight decay as in PyTorch) in
 * plain typed arrays. It genuinely learns, is deterministic, and its state round-trips exactly.
 *
 * `model.d_model` is unused; `model.n_layers` > 1 slows every step by that many milliseconds
 * of busy waiting, so cancellation tests have steps that take time.
 */
import type { ModelConfig } from '../../src/config/schema';
import { Rng } from '../../src/random/rng';
import type { TrainerBackend, TrainerFactory, TrainerIdentity, TrainerRuntime, TrainerShape, TrainerState } from '../../src/training/trainer-backend';

type Hyper = Parameters<TrainerFactory>[2];

class BigramTrainer implements TrainerBackend {
  readonly identity: TrainerIdentity;
  readonly parameterCount: number;
  readonly #table: Float32Array;
  readonly #m: Float32Array;
  readonly #v: Float32Array;
  #step = 0;

  constructor(
    private readonly shape: TrainerShape,
    private readonly hyper: Hyper,
    private readonly delayMs: number,
    seed: number,
    runtime: TrainerRuntime,
  ) {
    const size = shape.vocab * shape.vocab;
    this.parameterCount = size;
    this.#table = new Float32Array(size);
    const rng = Rng.derive(seed, 'bigram-test-backend', 'init');
    for (let i = 0; i < size; i++) this.#table[i] = 0.02 * rng.normal();
    this.#m = new Float32Array(size);
    this.#v = new Float32Array(size);
    this.identity = { provider: 'cpu', fallbackReason: null, threads: runtime.threads, precision: 'float32', onnxruntimeVersion: 'none (bigram test backend)' };
  }

  async step(inputs: Int32Array, targets: Int32Array, learningRate: number): Promise<number> {
    busyWait(this.delayMs);
    const { gradient, loss } = this.#lossAndGradient(inputs, targets);
    clip(gradient, this.hyper.clipNorm);
    this.#adamW(gradient, learningRate);
    return loss;
  }

  async nextLogits(contexts: Int32Array, lengths: Int32Array, count: number): Promise<Float32Array> {
    const { vocab, context } = this.shape;
    const logits = new Float32Array(count * vocab);
    for (let i = 0; i < count; i++) {
      const last = contexts[i * context + lengths[i] - 1];
      logits.set(this.#table.subarray(last * vocab, (last + 1) * vocab), i * vocab);
    }
    return logits;
  }

  async exportState(): Promise<TrainerState> {
    return { step: this.#step, tensors: { table: this.#table.slice(), 'adam.m': this.#m.slice(), 'adam.v': this.#v.slice() } };
  }

  async importState(state: TrainerState): Promise<void> {
    for (const [name, target] of [['table', this.#table], ['adam.m', this.#m], ['adam.v', this.#v]] as const) {
      const source = state.tensors[name];
      if (source?.length !== target.length) throw new RangeError(`bigram backend: tensor ${name} has ${source?.length} values, expected ${target.length}`);
      target.set(source);
    }
    this.#step = state.step;
  }

  async exportInferenceModel(): Promise<Uint8Array> {
    return new Uint8Array(this.#table.slice().buffer);
  }

  async release(): Promise<void> {}

  #lossAndGradient(inputs: Int32Array, targets: Int32Array): { gradient: Float64Array; loss: number } {
    const V = this.shape.vocab;
    const gradient = new Float64Array(V * V);
    const probabilities = new Float64Array(V);
    let loss = 0;
    const N = inputs.length;
    for (let p = 0; p < N; p++) {
      const row = inputs[p] * V;
      let max = -Infinity;
      for (let j = 0; j < V; j++) max = Math.max(max, this.#table[row + j]);
      let sum = 0;
      for (let j = 0; j < V; j++) sum += probabilities[j] = Math.exp(this.#table[row + j] - max);
      loss -= Math.log(probabilities[targets[p]] / sum);
      for (let j = 0; j < V; j++) gradient[row + j] += probabilities[j] / sum / N;
      gradient[row + targets[p]] -= 1 / N;
    }
    return { gradient, loss: loss / N };
  }

  #adamW(gradient: Float64Array, lr: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.hyper;
    this.#step++;
    const c1 = 1 - beta1 ** this.#step;
    const c2 = 1 - beta2 ** this.#step;
    for (let i = 0; i < gradient.length; i++) {
      this.#table[i] *= 1 - lr * weightDecay;
      this.#m[i] = beta1 * this.#m[i] + (1 - beta1) * gradient[i];
      this.#v[i] = beta2 * this.#v[i] + (1 - beta2) * gradient[i] * gradient[i];
      this.#table[i] -= (lr * (this.#m[i] / c1)) / (Math.sqrt(this.#v[i] / c2) + epsilon);
    }
  }
}

function clip(gradient: Float64Array, maxNorm: number): void {
  let squares = 0;
  for (const g of gradient) squares += g * g;
  const norm = Math.sqrt(squares);
  // PyTorch's clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1.
  const scale = maxNorm / (norm + 1e-6);
  if (scale < 1) for (let i = 0; i < gradient.length; i++) gradient[i] *= scale;
}

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // deliberately blocking, like onnxruntime's run
  }
}

/** The bigram test backend's factory (a {@link TrainerFactory}). */
export const createBigramTrainer: TrainerFactory = async (model: ModelConfig, shape, hyper, seed, runtime) =>
  new BigramTrainer(shape, hyper, model.n_layers > 1 ? model.n_layers : 0, seed, runtime);

/** A factory whose backend fails on its third step, for error-propagation tests. */
export const createFailingTrainer: TrainerFactory = async (model, shape, hyper, seed, runtime) => {
  const backend = new BigramTrainer(shape, hyper, 0, seed, runtime);
  let steps = 0;
  const step = backend.step.bind(backend);
  backend.step = async (inputs, targets, lr) => {
    if (++steps === 3) throw new Error('bigram backend: simulated failure in step 3');
    return step(inputs, targets, lr);
  };
  return backend;
};
