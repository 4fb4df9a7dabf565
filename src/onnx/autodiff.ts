/**
 * Reverse-mode automatic differentiation over a {@link GraphBuilder}: walks the recorded
 * nodes backwards from a scalar loss and emits the gradient computation as ordinary ONNX ops
 * into the same graph (onnxruntime has no training API in the Node package).
 */
import { StageError } from '../errors';
import { isFloat } from './dtype';
import type { GraphBuilder, Value } from './graph-builder';
import { gradientRule } from './gradient-rules';
import { sameShape, sizeOf } from './shape';

/**
 * Gradients of `loss` (a one-element float value) with respect to each of `wrt`, in order.
 * Values the loss does not depend on get a zero gradient.
 */
export function gradients(b: GraphBuilder, loss: Value, wrt: readonly Value[]): Value[] {
  if (sizeOf(loss.shape) !== 1 || !isFloat(loss.dtype)) {
    throw new StageError(`autodiff: loss must be a one-element float, got ${loss.dtype} [${loss.shape}]`);
  }
  const nodes = b.nodes.slice();
  const live = dependents(nodes, wrt);
  const grads = new Map<string, Value>([[loss.name, b.constant(loss.shape, [1], loss.dtype)]]);

  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (node.interior) continue;
    const gy = node.outputs.map((o) => grads.get(o.name) ?? null);
    if (gy.every((g) => g === null)) continue;
    const wants = node.inputs.map((v) => live.has(v.name) && isFloat(v.dtype));
    if (!wants.some(Boolean)) continue;
    const gx = node.gradient ? node.gradient(b, gy[0] as Value) : gradientRule(node.opType)(b, node, gy, wants);
    node.inputs.forEach((input, k) => {
      const g = gx[k];
      if (!wants[k] || g === null || g === undefined) return;
      if (!sameShape(g.shape, input.shape)) {
        throw new StageError(`autodiff: ${node.opType} gradient for ${input.name} has shape [${g.shape}], expected [${input.shape}]`);
      }
      const previous = grads.get(input.name);
      grads.set(input.name, previous ? b.add(previous, g) : g);
    });
  }
  return wrt.map((v) => grads.get(v.name) ?? b.zeros(v.shape, v.dtype));
}

/** Names of the values that depend on any of `wrt` (so need a gradient). */
function dependents(nodes: GraphBuilder['nodes'], wrt: readonly Value[]): Set<string> {
  const live = new Set(wrt.map((v) => v.name));
  for (const node of nodes) {
    if (node.inputs.some((v) => live.has(v.name))) {
      for (const out of node.outputs) if (isFloat(out.dtype)) live.add(out.name);
    }
  }
  return live;
}
