/**
 * Reverse-mode rules, one per ONNX op our graphs use. A rule receives the node, the gradients
 * of its outputs (null where an output does not reach the loss) and which inputs need a
 * gradient, and emits ordinary ONNX ops computing the input gradients.
 *
 * Shapes are static, so broadcasting is undone with ReduceSum over exactly the broadcast axes.
 */
import { StageError } from '../errors';
import { attr, type GraphBuilder, type GraphNode, type Value } from './graph-builder';
import { broadcastAxes, normAxis, sameShape, sizeOf, type Shape } from './shape';

/** Emits the gradients of a node's inputs; null for inputs that need none. */
export type GradientRule = (
  b: GraphBuilder,
  node: GraphNode,
  gy: readonly (Value | null)[],
  wants: readonly boolean[],
) => (Value | null)[];

/** Sums a broadcast gradient back to the operand's `shape`. */
export function unbroadcast(b: GraphBuilder, g: Value, shape: Shape): Value {
  if (sameShape(g.shape, shape)) return g;
  const axes = broadcastAxes(shape, g.shape);
  // Summing over leading axes only (a bias gradient): ones x g as LEADING_SUM_PARTS batched
  // [1, rows/parts] x [rows/parts, cols] products, then a sum of the few partial rows.
  // onnxruntime's ReduceSum over a leading axis runs on one thread, and a single [1, rows]
  // product splits poorly across threads; the batched one keeps every thread busy (2 threads,
  // in the training step: 5.0 ms -> 3.4 ms for the 21 bias gradients of the anchor model).
  const rows = sizeOf(g.shape.slice(0, axes.length));
  if (axes.length > 0 && axes.every((a, i) => a === i) && rows >= LEADING_SUM_MIN_ROWS && rows % LEADING_SUM_PARTS === 0) {
    const cols = sizeOf(g.shape) / rows;
    const ones = b.constant([LEADING_SUM_PARTS, 1, rows / LEADING_SUM_PARTS], new Array<number>(rows).fill(1), g.dtype);
    const partial = b.matmul(ones, b.reshape(g, [LEADING_SUM_PARTS, rows / LEADING_SUM_PARTS, cols]));
    return b.reshape(b.reduce('ReduceSum', partial, [0], false), shape);
  }
  const summed = axes.length > 0 ? b.reduce('ReduceSum', g, axes, true) : g;
  return b.reshape(summed, shape);
}

/** Below this many rows a leading-axis sum stays a ReduceSum (tests' tiny graphs keep their ops). */
const LEADING_SUM_MIN_ROWS = 256;
/** Partial sums of a leading-axis sum, one batched product each (see {@link unbroadcast}). */
const LEADING_SUM_PARTS = 4;

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** Rules for differentiable ops (first output gradient only). */
const single: Record<string, (b: GraphBuilder, node: GraphNode, g: Value, wants: readonly boolean[]) => (Value | null)[]> = {
  Identity: (_b, _n, g) => [g],
  Neg: (b, _n, g) => [b.neg(g)],
  Add: (b, { inputs: [x, y] }, g, w) => [w[0] ? unbroadcast(b, g, x.shape) : null, w[1] ? unbroadcast(b, g, y.shape) : null],
  Sub: (b, { inputs: [x, y] }, g, w) => [
    w[0] ? unbroadcast(b, g, x.shape) : null,
    w[1] ? b.neg(unbroadcast(b, g, y.shape)) : null,
  ],
  Mul: (b, { inputs: [x, y] }, g, w) => [
    w[0] ? unbroadcast(b, b.mul(g, y), x.shape) : null,
    w[1] ? unbroadcast(b, b.mul(g, x), y.shape) : null,
  ],
  Div: (b, { inputs: [x, y], outputs: [z] }, g, w) => [
    w[0] ? unbroadcast(b, b.div(g, y), x.shape) : null,
    // d(x/y)/dy = -(x/y)/y
    w[1] ? b.neg(unbroadcast(b, b.div(b.mul(g, z), y), y.shape)) : null,
  ],
  Pow: (b, { inputs: [x, e], outputs: [z] }, g, w) => [
    w[0] ? unbroadcast(b, b.mul(b.mul(g, e), b.pow(x, b.sub(e, 1))), x.shape) : null,
    w[1] ? unbroadcast(b, b.mul(b.mul(g, z), b.unary('Log', x)), e.shape) : null,
  ],
  Sqrt: (b, { outputs: [z] }, g) => [b.div(b.mul(g, 0.5), z)],
  Exp: (b, { outputs: [z] }, g) => [b.mul(g, z)],
  Log: (b, { inputs: [x] }, g) => [b.div(g, x)],
  Reciprocal: (b, { outputs: [z] }, g) => [b.neg(b.mul(g, b.mul(z, z)))],
  Tanh: (b, { outputs: [z] }, g) => [b.mul(g, b.sub(1, b.mul(z, z)))],
  Abs: (b, { inputs: [x] }, g) => [b.mul(g, b.unary('Sign', x))],
  Erf: (b, { inputs: [x] }, g) => [b.mul(g, b.mul(b.unary('Exp', b.neg(b.mul(x, x))), TWO_OVER_SQRT_PI))],
  Where: (b, { inputs: [c, x, y] }, g, w) => [
    null,
    w[1] ? unbroadcast(b, b.where(c, g, 0), x.shape) : null,
    w[2] ? unbroadcast(b, b.where(c, 0, g), y.shape) : null,
  ],
  Cast: (b, { inputs: [x] }, g) => [b.cast(g, x.dtype)],
  MatMul: matmulGrad,
  Gemm: gemmGrad,
  Transpose: (b, node, g) => {
    const perm = (node.attributes.perm as { value: readonly number[] }).value;
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [b.transpose(g, inverse)];
  },
  Reshape: (b, { inputs: [x] }, g) => [b.reshape(g, x.shape), null],
  Expand: (b, { inputs: [x] }, g) => [unbroadcast(b, g, x.shape), null],
  Concat: (b, node, g) => {
    const axis = intAttr(node, 'axis');
    return b.split(g, node.inputs.map((x) => x.shape[axis]), axis);
  },
  Slice: (b, { inputs: [x, starts, ends, axes] }, g) => {
    const r = x.shape.length;
    const pads = new Array<number>(2 * r).fill(0);
    const e = b.constantInts(ends);
    b.constantInts(starts).forEach((s, i) => {
      const a = b.constantInts(axes)[i];
      pads[a] = s;
      pads[a + r] = x.shape[a] - e[i];
    });
    return [b.pad(g, pads), null, null, null];
  },
  Gather: (b, node, g) => {
    const [table, indices] = node.inputs;
    if (intAttr(node, 'axis') !== 0) throw new StageError('autodiff: Gather gradient supports axis 0 only');
    // d table = onehot(indices)ᵀ g, one Gemm. Not ScatterND with add reduction: onnxruntime
    // runs it on several threads without guarding repeated indices, so concurrent adds to
    // one row get lost (measured: errors of 0.5 on 2 threads; tests/onnx/gather-gradient).
    if (table.shape.length !== 2) throw new StageError('autodiff: Gather gradient supports a 2-D table only');
    const [rows, width] = table.shape;
    const count = sizeOf(indices.shape);
    return [b.gemm(oneHotRows(b, b.reshape(indices, [count]), rows, table.dtype), b.reshape(g, [count, width]), null), null];
  },
  GatherElements: (b, node, g) => {
    const [data, indices] = node.inputs;
    return [b.scatterElementsAdd(b.zeros(data.shape, data.dtype), indices, g, intAttr(node, 'axis')), null];
  },
  Softmax: (b, node, g) => {
    const y = node.outputs[0];
    const axis = intAttr(node, 'axis');
    return [b.mul(y, b.sub(g, b.reduce('ReduceSum', b.mul(g, y), [axis], true)))];
  },
  LogSoftmax: (b, node, g) => {
    const y = node.outputs[0];
    const axis = intAttr(node, 'axis');
    return [b.sub(g, b.mul(b.unary('Exp', y), b.reduce('ReduceSum', g, [axis], true)))];
  },
  ReduceSum: (b, node, g) => [b.expand(keepDims(b, node, g), node.inputs[0].shape), null],
  ReduceMean: (b, node, g) => {
    const x = node.inputs[0];
    const count = sizeOf(x.shape) / sizeOf(node.outputs[0].shape);
    return [b.expand(b.mul(keepDims(b, node, g), 1 / count), x.shape), null];
  },
  ReduceMax: (b, node, g) => {
    const x = node.inputs[0];
    const y = keepDims(b, node, node.outputs[0]);
    // Ties share nothing: every maximal element gets the full gradient (ties do not occur in
    // our graphs except in masked rows, which carry no gradient).
    return [b.mul(b.cast(b.equal(x, y), x.dtype), keepDims(b, node, g)), null];
  },
};

/** Ops whose outputs are piecewise constant (or integer-valued): zero gradient. */
const NON_DIFFERENTIABLE = new Set(['Sign', 'Equal', 'Greater', 'Less', 'Shape', 'ConstantOfShape']);

/** The gradient rule for `opType`; throws for ops autodiff does not support. */
export function gradientRule(opType: string): GradientRule {
  if (NON_DIFFERENTIABLE.has(opType)) return (_b, node) => node.inputs.map(() => null);
  if (opType === 'Split') return splitGrad;
  if (opType === 'LayerNormalization') return layerNormGrad;
  const rule = single[opType];
  if (rule === undefined) throw new StageError(`autodiff: no gradient rule for ONNX op ${opType}`);
  return (b, node, gy, wants) => {
    if (gy.slice(1).some((g) => g !== null)) throw new StageError(`autodiff: ${opType} has a gradient on a secondary output`);
    return rule(b, node, gy[0] as Value, wants);
  };
}

/**
 * [rows, n] with 1 where row == ids[j] (0 <= ids < rows), else 0: the one-hot matrix
 * already transposed, so the product with the gradient needs no transposed operand. float32
 * uses the OneHot op (one pass); onnxruntime has no float64 OneHot kernel, so float64 graphs
 * compare against the row numbers instead.
 */
function oneHotRows(b: GraphBuilder, ids: Value, rows: number, dtype: Value['dtype']): Value {
  const n = ids.shape[0];
  if (dtype === 'float32') {
    const depthAndValues = [b.constant([1], [rows], 'int64'), b.constant([2], [0, 1], dtype)];
    // int64 ids with int64 depth and float values is one of the kernel's registered type sets.
    return b.apply('OneHot', [b.cast(ids, 'int64'), ...depthAndValues], [{ dtype, shape: [rows, n] }], { axis: attr.int(0) })[0];
  }
  const rowNumbers = b.constant([rows, 1], Array.from({ length: rows }, (_, i) => i), ids.dtype);
  return b.cast(b.equal(rowNumbers, b.reshape(ids, [1, n])), dtype);
}

function matmulGrad(b: GraphBuilder, node: GraphNode, g: Value, wants: readonly boolean[]): (Value | null)[] {
  const [x, y] = node.inputs;
  const gx = wants[0] ? unbroadcast(b, b.matmul(g, transposeLast2(b, y)), x.shape) : null;
  let gy: Value | null = null;
  if (wants[1] && y.shape.length === 2 && x.shape.length > 2) {
    // A shared weight matrix: fold the batch axes into one 2-D product instead of a batched
    // product followed by a sum.
    const k = x.shape[x.shape.length - 1];
    const n = y.shape[1];
    gy = b.gemm(b.reshape(x, [-1, k]), b.reshape(g, [-1, n]), null, { transA: true });
  } else if (wants[1]) {
    gy = unbroadcast(b, b.matmul(transposeLast2(b, x), g), y.shape);
  }
  return [gx, gy];
}

function gemmGrad(b: GraphBuilder, node: GraphNode, g: Value, wants: readonly boolean[]): (Value | null)[] {
  const [x, y, c] = node.inputs;
  const tA = intAttr(node, 'transA', 0) === 1;
  const tB = intAttr(node, 'transB', 0) === 1;
  const alpha = floatAttr(node, 'alpha', 1);
  const beta = floatAttr(node, 'beta', 1);
  // With op(A) op(B) = Y: dop(A) = g op(B)^T and dop(B) = op(A)^T g, transposed back where
  // the operand was stored transposed.
  const gx = !wants[0] ? null : tA ? b.gemm(y, g, null, { transA: tB, transB: true, alpha }) : b.gemm(g, y, null, { transB: !tB, alpha });
  const gy = !wants[1] ? null : tB ? b.gemm(g, x, null, { transA: true, transB: tA, alpha }) : b.gemm(x, g, null, { transA: !tA, alpha });
  let gc: Value | null = null;
  if (c !== undefined && wants[2]) {
    gc = unbroadcast(b, g, c.shape);
    if (beta !== 1) gc = b.mul(gc, beta);
  }
  return c === undefined ? [gx, gy] : [gx, gy, gc];
}

const splitGrad: GradientRule = (b, node, gy) => {
  const axis = intAttr(node, 'axis');
  const parts = node.outputs.map((out, i) => gy[i] ?? b.zeros(out.shape, out.dtype));
  return [b.concat(parts, axis), null];
};

const layerNormGrad: GradientRule = (b, node, gy, wants) => {
  if (gy[1] !== null || gy[2] !== null) throw new StageError('autodiff: LayerNormalization mean/invStdDev must not reach the loss');
  const g = gy[0] as Value;
  const [x, scale, bias] = node.inputs;
  const [y, mean, invStd] = node.outputs;
  // With a constant unit scale and zero bias (a LayerNorm whose affine is folded into the
  // next Linear) the output is x̂ itself and g is already the gradient of x̂.
  const plain = isConstantFill(b, scale, 1) && isConstantFill(b, bias, 0);
  const xhat = plain ? y : b.mul(b.sub(x, mean), invStd);
  const gxhat = plain ? g : b.mul(g, scale);
  let gx: Value | null = null;
  if (wants[0]) {
    // dx = invStd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat)), means over the last axis.
    const m1 = b.reduce('ReduceMean', gxhat, [-1], true);
    const m2 = b.reduce('ReduceMean', b.mul(gxhat, xhat), [-1], true);
    gx = b.mul(invStd, b.sub(b.sub(gxhat, m1), b.mul(xhat, m2)));
  }
  return [
    gx,
    wants[1] ? unbroadcast(b, b.mul(g, xhat), scale.shape) : null,
    wants[2] ? unbroadcast(b, g, bias.shape) : null,
  ];
};

/** True when `v` is a constant whose every element equals `fill`. */
function isConstantFill(b: GraphBuilder, v: Value, fill: number): boolean {
  let data: ArrayLike<number | bigint>;
  try {
    data = b.constantData(v);
  } catch {
    return false;
  }
  return Array.from(data).every((x) => x === fill);
}

function keepDims(b: GraphBuilder, node: GraphNode, v: Value): Value {
  const x = node.inputs[0];
  const axes = b.constantInts(node.inputs[1]).map((a) => normAxis(a, x.shape.length));
  return b.reshape(v, x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
}

function transposeLast2(b: GraphBuilder, v: Value): Value {
  const r = v.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return b.transpose(v, perm);
}

function intAttr(node: GraphNode, name: string, fallback?: number): number {
  const a = node.attributes[name];
  if (a === undefined && fallback !== undefined) return fallback;
  if (a?.kind !== 'int') throw new StageError(`autodiff: ${node.opType} lacks int attribute ${name}`);
  return a.value;
}

function floatAttr(node: GraphNode, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.kind === 'float' ? a.value : fallback;
}
