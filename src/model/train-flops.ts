/**
 * FLOP count of one training step of the reference model (reference-pipeline.md section 6):
 * the benchmark's GFLOP/s and % of peak (bench/train.ts), and pre-flight's training-time model
 * (src/ops/estimates-workload.ts).
 *
 * Convention (see docs/benchmarks.md): only matrix products are counted, at 2 FLOPs per
 * multiply-add. Per layer, with N = B*T tokens: the Q, K, V and O projections (4 * 2*N*d*d), the
 * attention scores Q*K^T and the product A*V over all heads (2 * 2*B*T*T*d, the causal triangle
 * counted as the full T x T that the kernels compute), and the two MLP linears (2 * 2*N*d*4d);
 * then the output head (2*N*d*vocab). The backward pass of every product costs two products of the
 * same size (gradient with respect to each operand), so a step is 3x the forward count.
 * Embedding lookups, LayerNorm, softmax, GELU, the loss, clipping and AdamW are not counted.
 */
/** The model and batch dimensions that determine the FLOP count (the heads split d: no effect). */
export interface FlopShape {
  vocab: number;
  context: number;
  dModel: number;
  layers: number;
  heads: number;
  batch: number;
}

/** Forward FLOPs of one decoder block (attention + MLP) for `shape`. */
export function blockForwardFlops(shape: FlopShape): number {
  const { dModel: d, context: t, batch: b, heads: h } = shape;
  const n = b * t;
  const dh = d / h;
  const projections = 4 * 2 * n * d * d;
  const attention = h * 2 * (2 * b * t * t * dh);
  const mlp = 2 * (2 * n * d * 4 * d);
  return projections + attention + mlp;
}

/** Forward FLOPs of the whole model: all blocks plus the output head. */
export function forwardFlops(shape: FlopShape): number {
  const head = 2 * shape.batch * shape.context * shape.dModel * shape.vocab;
  return shape.layers * blockForwardFlops(shape) + head;
}

/** FLOPs of one training step: forward plus backward, 3x the forward count. */
export function trainStepFlops(shape: FlopShape): number {
  return 3 * forwardFlops(shape);
}
