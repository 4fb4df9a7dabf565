/**
 * Shared tiny model shapes and helpers for the model tests.
 */
import * as ort from 'onnxruntime-node';
import type { ModelDims } from '../../src/model/model-dims';
import { parameterSpecs } from '../../src/model/parameters';
import { Rng } from '../../src/random/rng';

/** A model small enough for finite differences, with 2 layers and 2 heads. */
export const TINY_DIMS: ModelDims = { vocab: 7, context: 4, dModel: 8, layers: 2, heads: 2 };

/** The reference AdamW/clipping settings. */
export const HYPER = { weightDecay: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 1 };

/**
 * Parameters with O(1) random values (not the 0.02 initialisation), so every nonlinearity
 * is exercised by the gradient checks.
 */
export function randomParameters(dims: ModelDims, seed: number): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const spec of parameterSpecs(dims)) {
    const rng = Rng.derive(seed, 'test-params', spec.name);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const isScale = spec.name.endsWith('ln1.weight') || spec.name.endsWith('ln2.weight') || spec.name === 'ln_f.weight';
    out.set(spec.name, Float64Array.from({ length: size }, () => (isScale ? 1 : 0) + 0.4 * rng.normal()));
  }
  return out;
}

/** Random token windows [rows, context]. */
export function randomTokens(dims: ModelDims, rows: number, stream: string): Int32Array {
  const rng = Rng.derive(3, 'test-tokens', stream);
  return Int32Array.from({ length: rows * dims.context }, () => rng.int(dims.vocab));
}

/** An int32 tensor of token windows. */
export function tokenTensor(tokens: Int32Array, rows: number, context: number): ort.Tensor {
  return new ort.Tensor('int32', tokens, [rows, context]);
}
