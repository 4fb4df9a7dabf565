/**
 * The static dimensions of the transformer (reference-pipeline.md section 6) and their
 * validation against what the onnxruntime backend supports.
 */
import type { ModelConfig } from '../config/schema';
import { ConfigError } from '../errors';

/** Static model dimensions. */
export interface ModelDims {
  /** Vocabulary size n (graph vertices). */
  vocab: number;
  /** Maximum sequence length w (= position table rows = training context). */
  context: number;
  dModel: number;
  layers: number;
  heads: number;
}

/**
 * Dimensions from the model config and the data shape. Throws ConfigError for dropout > 0
 * (the backend builds deterministic graphs without dropout) and for a width the heads do
 * not divide.
 */
export function modelDims(model: ModelConfig, shape: { vocab: number; context: number }): ModelDims {
  const problems: string[] = [];
  if (model.dropout !== 0) {
    problems.push(`model.dropout = ${model.dropout} is not supported by the onnxruntime backend: its graphs have no dropout, so set model.dropout to 0`);
  }
  if (model.d_model % model.n_heads !== 0) {
    problems.push(`model.d_model = ${model.d_model} must be divisible by model.n_heads = ${model.n_heads}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { vocab: shape.vocab, context: shape.context, dModel: model.d_model, layers: model.n_layers, heads: model.n_heads };
}
