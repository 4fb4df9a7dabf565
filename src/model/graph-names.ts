/**
 * Names of graph inputs and outputs shared by the training and inference graphs, and the
 * tensor names of a saved trainer state.
 */

/** Graph input holding parameter `name`. */
export const paramInput = (name: string): string => `param/${name}`;
/** Graph input holding the first AdamW moment of `name`. */
export const firstMomentInput = (name: string): string => `adam_m/${name}`;
/** Graph input holding the second AdamW moment of `name`. */
export const secondMomentInput = (name: string): string => `adam_v/${name}`;
/** Graph output carrying the next value of the state input `input`. */
export const nextOutput = (input: string): string => `next/${input}`;
/** Graph output carrying the (unclipped) gradient of parameter `name` (check builds only). */
export const gradOutput = (name: string): string => `grad/${name}`;

/**
 * Graph inputs of the flat-state training graph (training-graph.ts `flatState`): all
 * parameters, first moments and second moments, each concatenated in parameter order.
 */
export const FLAT_STATE = {
  param: 'flat/param',
  firstMoment: 'flat/adam_m',
  secondMoment: 'flat/adam_v',
} as const;

/** Names of the fixed training-graph inputs and outputs. */
export const TRAINING_IO = {
  inputs: 'inputs',
  targets: 'targets',
  learningRate: 'learning_rate',
  step: 'step',
  loss: 'loss',
  gradNorm: 'grad_norm',
} as const;

/** Names of the inference-graph inputs and output. */
export const INFERENCE_IO = {
  tokens: 'tokens',
  lengths: 'lengths',
  logits: 'logits',
} as const;

/**
 * Names of the extraction-graph input and outputs (extraction-graph.ts): full token windows
 * in, last-position logits and the per-layer SVD targets out.
 */
export const EXTRACTION_IO = {
  tokens: 'tokens',
  logits: 'logits',
  /** Zero-masked scaled scores of layer `layer`, [rows, H, w, w]. */
  qkt: (layer: number): string => `qkt_${layer}`,
  /** Per-head (A_h V_h) Wo_hᵀ of layer `layer`, [rows, H, w, d]. */
  avwo: (layer: number): string => `avwo_${layer}`,
} as const;
