/**
 * The extraction graph of the evaluation stage (reference-pipeline.md sections 6 and 8.3):
 * the inference forward pass over `rows` FULL windows of w tokens that also returns, per
 * layer, the SVD targets computed on the device:
 *
 * - `qkt_l` [rows, H, w, w]: scaled scores Q_h K_hᵀ / sqrt(dh) with the future (upper)
 *   triangle exactly 0 (the reference's masked_fill(0), not -inf);
 * - `avwo_l` [rows, H, w, d]: (A_h V_h) Wo_hᵀ, with Wo_h the head's column slice of Wo.
 *
 * Only full windows: SVD metrics exist only for steps whose context holds w tokens; shorter
 * contexts need logits only, which the inference graph (inference-graph.ts) gives.
 * The forward pass is the trunk of transformer.ts, observed rather than rebuilt.
 */
import { GraphBuilder, type Value } from '../onnx/graph-builder';
import type { AttentionIntermediates } from './attention';
import { EXTRACTION_IO } from './graph-names';
import type { ModelDims } from './model-dims';
import { checkWeights, type ModelWeights } from './model-weights';
import { parameterSpecs } from './parameters';
import { headLogits, transformerTrunk, type ParameterValues } from './transformer';

/**
 * Builds the extraction graph for `rows` windows with `weights` baked in as initializers.
 * Input: `tokens` [rows, w] int32. Outputs: `logits` [rows, vocab] at the last position,
 * then `qkt_l` and `avwo_l` for every layer l (see the module comment and EXTRACTION_IO).
 */
export function buildExtractionGraph(dims: ModelDims, rows: number, weights: ModelWeights): GraphBuilder {
  checkWeights(dims, weights);
  const b = new GraphBuilder('float32', 'extraction');
  const tokens = b.input(EXTRACTION_IO.tokens, [rows, dims.context], 'int32');
  const p: ParameterValues = Object.fromEntries(parameterSpecs(dims).map((s) => [s.name, b.initializer(s.name, s.shape, weights.get(s.name) as Float32Array)]));
  const taps: AttentionIntermediates[] = [];
  const observer = { attention: (layer: number, intermediates: AttentionIntermediates) => (taps[layer] = intermediates) };
  const last = transformerTrunk(b, dims, p, tokens, observer, lastPositions(b, rows, dims.context));
  b.output(EXTRACTION_IO.logits, headLogits(b, p, last));
  taps.forEach((tap, l) => {
    b.output(EXTRACTION_IO.qkt(l), zeroMaskedScores(b, tap.scores));
    b.output(EXTRACTION_IO.avwo(l), perHeadOutputProjection(b, tap.headOutputs, p[`blocks.${l}.attn.o.weight`]));
  });
  return b;
}

/** Rows i·w + w - 1 of the [rows·w, d] stream: each window's last position. */
function lastPositions(b: GraphBuilder, rows: number, context: number): Value {
  return b.constant([rows], Array.from({ length: rows }, (_, i) => i * context + context - 1), 'int32');
}

/**
 * `scores` [B, H, T, T] with every future entry (key > query) replaced by +0. A Where rather
 * than a product with a 0/1 mask: the product would give -0 for negative scores and NaN for
 * infinite ones, while the reference's masked_fill gives 0 whatever the score.
 */
function zeroMaskedScores(b: GraphBuilder, scores: Value): Value {
  const time = scores.shape[scores.shape.length - 1];
  const causal = Array.from({ length: time * time }, (_, i) => (i % time <= Math.floor(i / time) ? 1 : 0));
  return b.where(b.constant([time, time], causal, 'bool'), scores, 0);
}

/**
 * (A_h V_h) Wo_hᵀ for every head at once: `headOutputs` [B, H, T, dh] times Wo viewed as
 * [H, dh, d], where entry [h, j, i] is Wo[i, h·dh + j] (Wo is stored [out, in], so head h's
 * input columns h·dh … (h+1)·dh - 1 form Wo_h). Returns [B, H, T, d].
 */
function perHeadOutputProjection(b: GraphBuilder, headOutputs: Value, wo: Value): Value {
  const [, heads, , dh] = headOutputs.shape;
  const d = wo.shape[0];
  const woHeads = b.transpose(b.reshape(wo, [d, heads, dh]), [1, 2, 0]);
  return b.matmul(headOutputs, woHeads);
}
