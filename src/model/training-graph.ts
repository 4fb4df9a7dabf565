/**
 * The whole training step as ONE ONNX graph: forward, mean cross-entropy, reverse-mode
 * gradient (autodiff.ts), global-norm clipping and AdamW. Parameters and moments are graph
 * inputs and their updated values are outputs, so the caller feeds each step's outputs into
 * the next step.
 */
import { gradients } from '../onnx/autodiff';
import type { FloatType } from '../onnx/dtype';
import { GraphBuilder, type Value } from '../onnx/graph-builder';
import { sizeOf } from '../onnx/shape';
import { adamW, type AdamWHyper } from './adamw';
import { meanCrossEntropy } from './cross-entropy';
import { globalNormClip } from './grad-clip';
import { FLAT_STATE, firstMomentInput, gradOutput, nextOutput, paramInput, secondMomentInput, TRAINING_IO } from './graph-names';
import type { ModelDims } from './model-dims';
import { parameterSpecs } from './parameters';
import { headLogits, transformerTrunk, type ParameterValues } from './transformer';

/** Optimiser settings baked into the graph (the learning rate is an input). */
export interface TrainingHyper extends AdamWHyper {
  clipNorm: number;
}

/** Options of {@link buildTrainingGraph}. */
export interface TrainingGraphOptions {
  /** Float type of the graph (float64 only for checks). */
  float?: FloatType;
  /** Also output every raw gradient as `grad/<name>` (checks). */
  exposeGradients?: boolean;
  /** Build only the loss (no gradient or update): for finite differences. */
  lossOnly?: boolean;
  /**
   * Feed and return the state as three flat tensors (`FLAT_STATE`: every parameter, then
   * every first moment, then every second moment, each the parameters' values concatenated
   * in {@link parameterSpecs} order) instead of one input and output per tensor. The forward
   * pass still reads each parameter from its own `param/<name>` input: the caller feeds views
   * of the flat parameter vector there (onnxruntime reads input buffers in place), which
   * spares the graph a Split that would copy every parameter each step.
   */
  flatState?: boolean;
}

/**
 * Builds the training-step graph for `batch` windows. Inputs: `inputs`, `targets`
 * [batch, w] int32, `learning_rate` and `step` (the step count after this update, from 1)
 * scalars, then `param/…`, `adam_m/…`, `adam_v/…` per parameter (with `flatState`: `param/…`
 * and the three {@link FLAT_STATE} vectors, see the option). Outputs: `loss`, `grad_norm`, then
 * `next/<input>` for every state input.
 */
export function buildTrainingGraph(dims: ModelDims, batch: number, hyper: TrainingHyper, options: TrainingGraphOptions = {}): GraphBuilder {
  const b = new GraphBuilder(options.float ?? 'float32', 'training_step');
  const inputs = b.input(TRAINING_IO.inputs, [batch, dims.context], 'int32');
  const targets = b.input(TRAINING_IO.targets, [batch, dims.context], 'int32');
  const learningRate = options.lossOnly ? null : b.input(TRAINING_IO.learningRate, []);
  const step = options.lossOnly ? null : b.input(TRAINING_IO.step, []);
  const specs = parameterSpecs(dims);
  const sizes = specs.map((s) => sizeOf(s.shape));
  const total = sizes.reduce((a, n) => a + n, 0);
  const flatInput = (name: string) => b.input(name, [total]);
  const params = specs.map((s) => b.input(paramInput(s.name), s.shape));
  const flatParams = options.flatState && !options.lossOnly ? flatInput(FLAT_STATE.param) : null;
  const byName: ParameterValues = Object.fromEntries(specs.map((s, i) => [s.name, params[i]]));

  const logits = headLogits(b, byName, transformerTrunk(b, dims, byName, inputs));
  const loss = meanCrossEntropy(b, logits, b.reshape(targets, [batch * dims.context]));
  b.output(TRAINING_IO.loss, loss);
  if (learningRate === null || step === null) return b;

  const grads = gradients(b, loss, params);
  if (options.exposeGradients) grads.forEach((g, i) => b.output(gradOutput(specs[i].name), g));
  // Clipping and AdamW run on the concatenation of all tensors: a handful of ops over one
  // long vector instead of ~18 small ops per parameter tensor (elementwise, so the same
  // values; only the clipping norm's summation order differs).
  const flatten = (values: readonly Value[]) => b.concat(values.map((v) => b.reshape(v, [sizeOf(v.shape)])), 0);
  const grad = flatten(grads);
  const clip = globalNormClip(b, grad, hyper.clipNorm);
  b.output(TRAINING_IO.gradNorm, clip.totalNorm);
  const state = (flat: string, perTensor: (name: string) => string) =>
    options.flatState ? flatInput(flat) : flatten(specs.map((s) => b.input(perTensor(s.name), s.shape)));
  const slot = {
    param: flatParams ?? flatten(params),
    grad,
    m: state(FLAT_STATE.firstMoment, firstMomentInput),
    v: state(FLAT_STATE.secondMoment, secondMomentInput),
  };
  const next = adamW(b, slot, clip, learningRate, step, hyper);
  if (options.flatState) {
    b.output(nextOutput(FLAT_STATE.param), next.param);
    b.output(nextOutput(FLAT_STATE.firstMoment), next.m);
    b.output(nextOutput(FLAT_STATE.secondMoment), next.v);
    return b;
  }
  const [ps, ms, vs] = [next.param, next.m, next.v].map((flat) => b.split(flat, sizes, 0).map((t, i) => b.reshape(t, specs[i].shape)));
  specs.forEach(({ name }, i) => {
    b.output(nextOutput(paramInput(name)), ps[i]);
    b.output(nextOutput(firstMomentInput(name)), ms[i]);
    b.output(nextOutput(secondMomentInput(name)), vs[i]);
  });
  return b;
}

/** Names of the state inputs (parameters then moments, per parameter) in graph order. */
export function stateInputNames(dims: ModelDims): string[] {
  return parameterSpecs(dims).flatMap((s) => [paramInput(s.name), firstMomentInput(s.name), secondMomentInput(s.name)]);
}

