/**
 * The next-token inference graph: `tokens` [G, w] int32 windows whose row i holds
 * `lengths[i]` tokens left-aligned, and `lengths` [G] int32; output `logits` [G, vocab] at
 * position lengths[i] - 1. Causality makes the padding after a row's length irrelevant.
 *
 * Parameters are either graph inputs (`param/<name>`, fed from the trainer's live tensors)
 * or initializers (a self-contained exported model).
 */
import { GraphBuilder } from '../onnx/graph-builder';
import { INFERENCE_IO, paramInput } from './graph-names';
import type { ModelDims } from './model-dims';
import { parameterSpecs } from './parameters';
import { headLogits, transformerTrunk, type ParameterValues } from './transformer';

/** Builds the inference graph for `rows` windows; `weights` bakes parameters in as initializers. */
export function buildInferenceGraph(dims: ModelDims, rows: number, weights?: ReadonlyMap<string, Float32Array>): GraphBuilder {
  const b = new GraphBuilder('float32', 'next_logits');
  const tokens = b.input(INFERENCE_IO.tokens, [rows, dims.context], 'int32');
  const lengths = b.input(INFERENCE_IO.lengths, [rows], 'int32');
  const p: ParameterValues = Object.fromEntries(
    parameterSpecs(dims).map((s) => {
      const data = weights?.get(s.name);
      return [s.name, data ? b.initializer(s.name, s.shape, data) : b.input(paramInput(s.name), s.shape)];
    }),
  );
  // Row i's last position is flat row i·w + lengths[i] - 1 of the [rows·w, d] stream; the
  // last block's MLP, the final LayerNorm and the head run on those rows only.
  const rowStarts = b.constant([rows], Array.from({ length: rows }, (_, i) => i * dims.context - 1), 'int32');
  const last = transformerTrunk(b, dims, p, tokens, {}, b.add(lengths, rowStarts));
  b.output(INFERENCE_IO.logits, headLogits(b, p, last));
  return b;
}
