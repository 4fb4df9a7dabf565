/**
 * Mean cross-entropy over all predicted positions (no label smoothing, nothing ignored), as
 * PyTorch's `F.cross_entropy(logits.view(-1, V), targets.view(-1))`.
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';

/**
 * Mean of -log softmax(logits)[target] over the rows of `logits` [N, V]; `targets` holds N
 * ints. A composite whose gradient is (softmax - onehot(target)) * g / N: three passes over
 * [N, V] instead of five for generic autodiff of LogSoftmax and GatherElements.
 */
export function meanCrossEntropy(b: GraphBuilder, logits: Value, targets: Value): Value {
  const rows = logits.shape[0];
  const index = b.reshape(targets, [rows, 1]);
  return b.composite('SoftmaxCrossEntropy', [logits], () => {
    const logProbabilities = b.logSoftmax(logits, 1);
    const picked = b.gatherElements(logProbabilities, index, 1);
    const output = b.neg(b.reduce('ReduceMean', picked, [0, 1], false));
    const gradient = (g: GraphBuilder, gy: Value) => {
      const scale = g.div(gy, rows);
      const probabilities = g.mul(g.unary('Exp', logProbabilities), scale);
      const minusScale = g.expand(g.reshape(g.neg(scale), [1, 1]), [rows, 1]);
      return [g.scatterElementsAdd(probabilities, index, minusScale, 1)];
    };
    return { output, gradient };
  });
}
