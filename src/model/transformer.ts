/**
 * The decoder-only transformer of reference-pipeline.md section 6 as graph-building
 * functions: embeddings, L pre-norm blocks, final LayerNorm and the untied head.
 */
import { StageError } from '../errors';
import type { GraphBuilder, Value } from '../onnx/graph-builder';
import { causalSelfAttention, type AttentionIntermediates } from './attention';
import { normalizedInput, normalizedLinear } from './layer-norm';
import { mlp } from './mlp';
import type { ModelDims } from './model-dims';

/** Parameter values by name (see parameters.ts for the names). */
export type ParameterValues = Readonly<Record<string, Value>>;

/**
 * Taps into the trunk for extraction graphs (extraction-graph.ts). Observers only read values
 * the forward pass builds anyway, so a trunk built with or without them has the same nodes.
 */
export interface TrunkObserver {
  /** Called once per layer `layer` (0-based) with that layer's attention intermediates. */
  attention?: (layer: number, intermediates: AttentionIntermediates) => void;
}

/**
 * The residual stream after the last block, [rows·w, d], for `tokens` [rows, w] (int32).
 * Positions are 0..w-1 of the window, so the whole position table is added.
 *
 * With `outputRows` (int32 indices into the [rows·w] stream), only those rows of the stream
 * are returned, [count, d], and the last block's work after its attention (the output
 * projection, the residual, LayerNorm and MLP) runs on those rows alone: generation needs
 * one position per window. The last block's attention itself still sees every position, so
 * its observed intermediates are those of the full pass.
 */
export function transformerTrunk(
  b: GraphBuilder,
  dims: ModelDims,
  p: ParameterValues,
  tokens: Value,
  observer: TrunkObserver = {},
  outputRows?: Value,
): Value {
  const [rows, time] = tokens.shape;
  if (time !== dims.context) throw new StageError(`model: token windows must have length ${dims.context}, got ${time}`);
  const embedded = b.add(b.gather(p['token_embedding.weight'], tokens), p['position_embedding.weight']);
  let h = b.reshape(embedded, [rows * time, dims.dModel]);
  for (let l = 0; l < dims.layers; l++) {
    const q = (name: string) => p[`blocks.${l}.${name}`];
    const a = normalizedInput(b, h, q('ln1.weight'), q('ln1.bias'));
    const weights = { q: q('attn.q.weight'), k: q('attn.k.weight'), v: q('attn.v.weight'), o: q('attn.o.weight') };
    const observe = observer.attention && ((i: AttentionIntermediates) => observer.attention?.(l, i));
    const keep = l === dims.layers - 1 ? outputRows : undefined;
    const attended = causalSelfAttention(b, a, weights, { batch: rows, time, heads: dims.heads }, observe, keep);
    h = b.add(keep ? b.gather(h, keep) : h, attended);
    const m = normalizedInput(b, h, q('ln2.weight'), q('ln2.bias'));
    h = b.add(h, mlp(b, m, { fc1: q('mlp.fc1.weight'), fc1Bias: q('mlp.fc1.bias'), fc2: q('mlp.fc2.weight'), fc2Bias: q('mlp.fc2.bias') }));
  }
  return h;
}

/** Logits [N, vocab] from residual-stream rows `h` [N, d]: final LayerNorm, then the head. */
export function headLogits(b: GraphBuilder, p: ParameterValues, h: Value): Value {
  const normed = normalizedInput(b, h, p['ln_f.weight'], p['ln_f.bias']);
  return normalizedLinear(b, normed, p['head.weight'], null);
}
