/**
 * The whole training step as ONE ONNX graph: forward, mean cross-entropy, reverse-mode
 * gradient (autodiff.ts), global-norm clipping and AdamW. Parameters and moments are graph
 * inputs and their updated values are outputs, so the caller feeds each step's outputs into
 * the next step.
 */
import { gradients } from '../onnx/autodiff';
import type { FloatType } from '../onnx/dtype';
import { GraphBuilder } from '../onnx/graph-builder';
import { adamW, type AdamWHyper } from './adamw';
import { meanCrossEntropy } from './cross-entropy';
import { clipByGlobalNorm } from './grad-clip';
import { firstMomentInput, gradOutput, nextOutput, paramInput, secondMomentInput, TRAINING_IO } from './graph-names';
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
}

/**
 * Builds the training-step graph for `batch` windows. Inputs: `inputs`, `targets`
 * [batch, w] int32, `learning_rate` and `step` (the step count after this update, from 1)
 * scalars, then `param/…`, `adam_m/…`, `adam_v/…` per parameter. Outputs: `loss`,
 * `grad_norm`, then `next/<input>` for every state input.
 */
export function buildTrainingGraph(dims: ModelDims, batch: number, hyper: TrainingHyper, options: TrainingGraphOptions = {}): GraphBuilder {
  const b = new GraphBuilder(options.float ?? 'float32', 'training_step');
  const inputs = b.input(TRAINING_IO.inputs, [batch, dims.context], 'int32');
  const targets = b.input(TRAINING_IO.targets, [batch, dims.context], 'int32');
  const learningRate = options.lossOnly ? null : b.input(TRAINING_IO.learningRate, []);
  const step = options.lossOnly ? null : b.input(TRAINING_IO.step, []);
  const specs = parameterSpecs(dims);
  const params = specs.map((s) => b.input(paramInput(s.name), s.shape));
  const byName: ParameterValues = Object.fromEntries(specs.map((s, i) => [s.name, params[i]]));

  const logits = headLogits(b, byName, transformerTrunk(b, dims, byName, inputs));
  const loss = meanCrossEntropy(b, logits, b.reshape(targets, [batch * dims.context]));
  b.output(TRAINING_IO.loss, loss);
  if (learningRate === null || step === null) return b;

  const grads = gradients(b, loss, params);
  if (options.exposeGradients) grads.forEach((g, i) => b.output(gradOutput(specs[i].name), g));
  const clipped = clipByGlobalNorm(b, grads, hyper.clipNorm);
  b.output(TRAINING_IO.gradNorm, clipped.totalNorm);
  const slots = specs.map((s, i) => ({
    param: params[i],
    grad: clipped.grads[i],
    m: b.input(firstMomentInput(s.name), s.shape),
    v: b.input(secondMomentInput(s.name), s.shape),
  }));
  adamW(b, slots, learningRate, step, hyper).forEach((next, i) => {
    const name = specs[i].name;
    b.output(nextOutput(paramInput(name)), next.param);
    b.output(nextOutput(firstMomentInput(name)), next.m);
    b.output(nextOutput(secondMomentInput(name)), next.v);
  });
  return b;
}

/** Names of the state inputs (parameters then moments, per parameter) in graph order. */
export function stateInputNames(dims: ModelDims): string[] {
  return parameterSpecs(dims).flatMap((s) => [paramInput(s.name), firstMomentInput(s.name), secondMomentInput(s.name)]);
}

