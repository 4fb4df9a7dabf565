/**
 * The onnxruntime training backend: a {@link TrainerBackend} whose every step runs the
 * single training-step graph (training-graph.ts). Parameters and AdamW moments live in three
 * flat Float32Arrays (the graph's `flatState` layout), double-buffered: each step reads one
 * set and onnxruntime writes the next values straight into the other (pre-allocated
 * outputs), so a step allocates and copies no state.
 */
import * as ort from 'onnxruntime-node';
import { InputError } from '../errors';
import { createSession, onnxruntimeVersion } from '../onnx/session';
import type { TrainerBackend, TrainerFactory, TrainerIdentity, TrainerShape, TrainerState } from '../training/trainer-backend';
import { FLAT_STATE, firstMomentInput, INFERENCE_IO, nextOutput, paramInput, secondMomentInput, TRAINING_IO } from './graph-names';
import { buildInferenceGraph } from './inference-graph';
import { modelDims, type ModelDims } from './model-dims';
import { initialParameters, parameterCount, parameterSpecs } from './parameters';
import { buildTrainingGraph } from './training-graph';

/** Creates an onnxruntime backend with freshly initialised parameters; see {@link TrainerFactory}. */
export const createOnnxTrainer: TrainerFactory = async (model, shape, hyper, seed, runtime) => {
  const dims = modelDims(model, shape);
  const threads = runtime.threads;
  const training = await createSession(buildTrainingGraph(dims, shape.batch, hyper, { flatState: true }).toBytes(), { device: runtime.device, threads });
  const inference = await createSession(buildInferenceGraph(dims, shape.generationBatch).toBytes(), { device: runtime.device, threads });
  const identity: TrainerIdentity = {
    provider: training.identity.provider,
    fallbackReason: training.identity.fallbackReason,
    threads,
    precision: 'float32',
    onnxruntimeVersion: onnxruntimeVersion(),
  };
  const state = freshState(dims, seed);
  return new OnnxTrainer(dims, shape, identity, training.session, inference.session, state);
};

/** Parameters and moments as Float32Arrays, keyed by graph input name. */
function freshState(dims: ModelDims, seed: number): Map<string, Float32Array> {
  const state = new Map<string, Float32Array>();
  for (const [name, data] of initialParameters(dims, seed)) {
    state.set(paramInput(name), data);
    state.set(firstMomentInput(name), new Float32Array(data.length));
    state.set(secondMomentInput(name), new Float32Array(data.length));
  }
  return state;
}

/** The three flat state vectors and tensors over them. */
interface FlatState {
  param: Float32Array;
  m: Float32Array;
  v: Float32Array;
  tensors: { param: ort.Tensor; m: ort.Tensor; v: ort.Tensor };
  /** `param/<name>` -> a tensor viewing that parameter's slice of `param` (no copy). */
  paramViews: Record<string, ort.Tensor>;
}

function flatState(size: number, slices: readonly Slice[]): FlatState {
  const [param, m, v] = [0, 1, 2].map(() => new Float32Array(size));
  const tensor = (data: Float32Array) => new ort.Tensor('float32', data, [size]);
  const paramViews = Object.fromEntries(
    slices.map(({ name, shape, offset, size: length }) => [paramInput(name), new ort.Tensor('float32', param.subarray(offset, offset + length), [...shape])]),
  );
  return { param, m, v, tensors: { param: tensor(param), m: tensor(m), v: tensor(v) }, paramViews };
}

/** Where one parameter tensor lives in the flat vectors. */
interface Slice {
  name: string;
  shape: readonly number[];
  offset: number;
  size: number;
}

class OnnxTrainer implements TrainerBackend {
  readonly identity: TrainerIdentity;
  readonly parameterCount: number;
  readonly #dims: ModelDims;
  readonly #shape: TrainerShape;
  readonly #training: ort.InferenceSession;
  readonly #inference: ort.InferenceSession;
  /** State input name (`param/…`, `adam_m/…`, `adam_v/…`) -> shape, in checkpoint order. */
  #shapes = new Map<string, readonly number[]>();
  readonly #slices: Slice[] = [];
  /** The live state, and the buffers the next step writes. */
  #state: FlatState;
  #spare: FlatState;
  #step = 0;

  constructor(
    dims: ModelDims,
    shape: TrainerShape,
    identity: TrainerIdentity,
    training: ort.InferenceSession,
    inference: ort.InferenceSession,
    state: Map<string, Float32Array>,
  ) {
    this.#dims = dims;
    this.#shape = shape;
    this.identity = identity;
    this.parameterCount = parameterCount(dims);
    this.#training = training;
    this.#inference = inference;
    let offset = 0;
    for (const spec of parameterSpecs(dims)) {
      for (const name of [paramInput(spec.name), firstMomentInput(spec.name), secondMomentInput(spec.name)]) {
        this.#shapes.set(name, spec.shape);
      }
      const size = spec.shape.reduce((a, b) => a * b, 1);
      this.#slices.push({ name: spec.name, shape: spec.shape, offset, size });
      offset += size;
    }
    this.#state = flatState(offset, this.#slices);
    this.#spare = flatState(offset, this.#slices);
    this.#load(state);
  }

  async step(inputs: Int32Array, targets: Int32Array, learningRate: number): Promise<number> {
    const { batch, context } = this.#shape;
    checkLength('inputs', inputs, batch * context);
    checkLength('targets', targets, batch * context);
    checkTokens('inputs', inputs, this.#dims.vocab);
    checkTokens('targets', targets, this.#dims.vocab);
    const feeds: Record<string, ort.Tensor> = {
      [TRAINING_IO.inputs]: new ort.Tensor('int32', inputs, [batch, context]),
      [TRAINING_IO.targets]: new ort.Tensor('int32', targets, [batch, context]),
      [TRAINING_IO.learningRate]: new ort.Tensor('float32', Float32Array.of(learningRate), []),
      [TRAINING_IO.step]: new ort.Tensor('float32', Float32Array.of(this.#step + 1), []),
    };
    Object.assign(feeds, this.#state.paramViews);
    const [live, next] = [this.#state.tensors, this.#spare.tensors];
    feeds[FLAT_STATE.param] = live.param;
    feeds[FLAT_STATE.firstMoment] = live.m;
    feeds[FLAT_STATE.secondMoment] = live.v;
    const fetches: Record<string, ort.Tensor | null> = {
      [TRAINING_IO.loss]: null,
      [TRAINING_IO.gradNorm]: null,
      [nextOutput(FLAT_STATE.param)]: next.param,
      [nextOutput(FLAT_STATE.firstMoment)]: next.m,
      [nextOutput(FLAT_STATE.secondMoment)]: next.v,
    };
    const out = await this.#training.run(feeds, fetches);
    [this.#state, this.#spare] = [this.#spare, this.#state];
    this.#step += 1;
    return Number(out[TRAINING_IO.loss].data[0]);
  }

  async nextLogits(contexts: Int32Array, lengths: Int32Array, count: number): Promise<Float32Array> {
    const { generationBatch: rows, context } = this.#shape;
    if (!(Number.isInteger(count) && count >= 1 && count <= rows)) {
      throw new InputError(`nextLogits: count must be an integer in 1..${rows}, got ${count}`);
    }
    checkLength('contexts', contexts, rows * context);
    if (lengths.length < count) throw new InputError(`nextLogits: lengths has ${lengths.length} entries, need ${count}`);
    // Rows past `count` are padding: give them length 1 so their gather index stays valid.
    const fullLengths = new Int32Array(rows).fill(1);
    for (let i = 0; i < count; i++) {
      if (!(lengths[i] >= 1 && lengths[i] <= context)) throw new InputError(`nextLogits: lengths[${i}] = ${lengths[i]} is outside 1..${context}`);
      fullLengths[i] = lengths[i];
    }
    const used = contexts.subarray(0, count * context);
    checkTokens('contexts', used, this.#dims.vocab, lengths, context);
    const feeds: Record<string, ort.Tensor> = {
      [INFERENCE_IO.tokens]: new ort.Tensor('int32', sanitise(contexts, fullLengths, context), [rows, context]),
      [INFERENCE_IO.lengths]: new ort.Tensor('int32', fullLengths, [rows]),
    };
    for (const { name, shape, offset, size } of this.#slices) {
      feeds[paramInput(name)] = new ort.Tensor('float32', this.#state.param.subarray(offset, offset + size), [...shape]);
    }
    const out = await this.#inference.run(feeds);
    return (out[INFERENCE_IO.logits].data as Float32Array).slice(0, count * this.#dims.vocab);
  }

  async exportState(): Promise<TrainerState> {
    const tensors: Record<string, Float32Array> = {};
    const { param, m, v } = this.#state;
    for (const { name, offset, size } of this.#slices) {
      tensors[paramInput(name)] = param.slice(offset, offset + size);
      tensors[firstMomentInput(name)] = m.slice(offset, offset + size);
      tensors[secondMomentInput(name)] = v.slice(offset, offset + size);
    }
    return { step: this.#step, tensors };
  }

  async importState(state: TrainerState): Promise<void> {
    if (!(Number.isInteger(state.step) && state.step >= 0)) throw new InputError(`importState: step must be a non-negative integer, got ${state.step}`);
    const expected = [...this.#shapes.keys()];
    const missing = expected.filter((n) => !(n in state.tensors));
    const extra = Object.keys(state.tensors).filter((n) => !this.#shapes.has(n));
    if (missing.length > 0 || extra.length > 0) {
      throw new InputError(`importState: tensor names do not match this model (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`);
    }
    this.#load(new Map(Object.entries(state.tensors)));
    this.#step = state.step;
  }

  async exportInferenceModel(): Promise<Uint8Array> {
    const weights = new Map<string, Float32Array>();
    for (const { name, offset, size } of this.#slices) weights.set(name, this.#state.param.slice(offset, offset + size));
    return buildInferenceGraph(this.#dims, this.#shape.generationBatch, weights).toBytes();
  }

  async release(): Promise<void> {
    await this.#training.release();
    await this.#inference.release();
  }

  #load(state: ReadonlyMap<string, Float32Array>): void {
    for (const { name, size } of this.#slices) {
      for (const input of [paramInput(name), firstMomentInput(name), secondMomentInput(name)]) checkLength(input, state.get(input) as Float32Array, size);
    }
    // Copied in, so the caller's arrays stay theirs.
    const { param, m, v } = this.#state;
    for (const { name, offset } of this.#slices) {
      param.set(state.get(paramInput(name)) as Float32Array, offset);
      m.set(state.get(firstMomentInput(name)) as Float32Array, offset);
      v.set(state.get(secondMomentInput(name)) as Float32Array, offset);
    }
  }
}

function checkLength(what: string, data: ArrayLike<number>, expected: number): void {
  if (data.length !== expected) throw new InputError(`onnx trainer: ${what} has ${data.length} values, expected ${expected}`);
}

/** Rejects out-of-vocabulary tokens (onnxruntime's Gather would fail with a less useful message). */
function checkTokens(what: string, tokens: Int32Array, vocab: number, lengths?: Int32Array, context?: number): void {
  for (let i = 0; i < tokens.length; i++) {
    if (lengths && context && i % context >= lengths[Math.floor(i / context)]) continue;
    if (!(tokens[i] >= 0 && tokens[i] < vocab)) throw new InputError(`onnx trainer: ${what}[${i}] = ${tokens[i]} is not a token id in 0..${vocab - 1}`);
  }
}

/** The contexts with ignored positions (past each row's length) set to token 0. */
function sanitise(contexts: Int32Array, lengths: Int32Array, context: number): Int32Array {
  const out = Int32Array.from(contexts);
  for (let i = 0; i < out.length; i++) if (i % context >= lengths[Math.floor(i / context)]) out[i] = 0;
  return out;
}
