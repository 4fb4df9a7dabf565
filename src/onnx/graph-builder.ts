/**
 * A typed builder for static-shape ONNX graphs. Every op method checks its operands, infers
 * the exact output shape and records the node, so autodiff (autodiff.ts) can walk the same
 * node list backwards and emit gradient ops into the same graph.
 *
 * The graph's floating-point type is fixed at construction: float32 for training and
 * inference, float64 for finite-difference gradient checks.
 */
import { StageError } from '../errors';
import { ONNX_DTYPE_CODE, typedArrayOf, type DType, type FloatType, type TensorData } from './dtype';
import { encodeModel, type Attribute, type ModelDef, type NodeDef, type TensorDef, type ValueInfoDef } from './model-proto';
import { broadcastShapes, normAxis, resolveReshape, sameShape, sizeOf, type Shape } from './shape';

/** A tensor flowing through the graph, with its static type and shape. */
export interface Value {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

/** A recorded operator application. */
export interface GraphNode {
  readonly opType: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly attributes: Readonly<Record<string, Attribute>>;
  /**
   * Set on the marker node of a composite (see {@link GraphBuilder.composite}): emits the
   * input gradients from the output gradient. Marker nodes are not written to the model.
   */
  readonly gradient?: (b: GraphBuilder, gy: Value) => (Value | null)[];
  /** True for nodes inside a composite: autodiff skips them in favour of the marker. */
  readonly interior?: boolean;
}

/** Output type and shape of an op, before a name is assigned. */
export interface OutputSpec {
  dtype: DType;
  shape: Shape;
}

/** Either a graph value or a number promoted to a scalar constant of the other operand's type. */
export type Operand = Value | number;

/** Attribute constructors: `attr.int(1)`, `attr.ints([0, 2, 1])`, ... */
export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
};

/** Builds one graph; see the module comment. */
export class GraphBuilder {
  /** Floating-point type of the graph's float values. */
  readonly float: FloatType;
  /** Nodes in topological (creation) order. */
  readonly nodes: GraphNode[] = [];
  readonly #name: string;
  readonly #inputs: ValueInfoDef[] = [];
  readonly #outputs: ValueInfoDef[] = [];
  readonly #initializers: TensorDef[] = [];
  readonly #names = new Set<string>();
  readonly #constCache = new Map<string, Value>();
  readonly #constData = new Map<string, TensorData>();
  /** Node-produced value name -> graph output name it is written under (see output()). */
  readonly #aliases = new Map<string, string>();
  readonly #produced = new Set<string>();
  #counter = 0;

  constructor(float: FloatType, name = 'graph') {
    this.float = float;
    this.#name = name;
  }

  // ---------------------------------------------------------------- graph interface

  /** Declares a graph input. */
  input(name: string, shape: Shape, dtype: DType = this.float): Value {
    const value = this.#claim(name, dtype, shape);
    this.#inputs.push({ name, dtype, shape });
    return value;
  }

  /** Adds a named initializer (weights baked into the model). */
  initializer(name: string, shape: Shape, data: TensorData, dtype: DType = this.float): Value {
    if (data.length !== sizeOf(shape)) {
      throw new StageError(`onnx: initializer ${name} has ${data.length} values for shape [${shape}]`);
    }
    const value = this.#claim(name, dtype, shape);
    this.#initializers.push({ name, dtype, shape, data });
    this.#constData.set(name, data);
    return value;
  }

  /** The data of an initializer or constant (e.g. the axes input of a Reduce node). */
  constantData(value: Value): TensorData {
    const data = this.#constData.get(value.name);
    if (data === undefined) throw new StageError(`onnx: ${value.name} is not a constant`);
    return data;
  }

  /** The integer values of an int64/int32 constant. */
  constantInts(value: Value): number[] {
    return Array.from(this.constantData(value) as ArrayLike<number | bigint>, Number);
  }

  /** A constant tensor; identical constants are shared. */
  constant(shape: Shape, values: ArrayLike<number>, dtype: DType = this.float): Value {
    const key = `${dtype}|${shape.join(',')}|${Array.from(values).join(',')}`;
    const cached = this.#constCache.get(key);
    if (cached) return cached;
    const value = this.initializer(this.#fresh('const'), shape, typedArrayOf(dtype, values), dtype);
    this.#constCache.set(key, value);
    return value;
  }

  /** A scalar constant. */
  scalar(value: number, dtype: DType = this.float): Value {
    return this.constant([], [value], dtype);
  }

  /** A 1-D int64 constant (shapes, axes, starts for the ops that take them as inputs). */
  int64s(values: readonly number[]): Value {
    return this.constant([values.length], values, 'int64');
  }

  /**
   * Exposes `value` as a graph output called `name`. A node-produced value is renamed at
   * serialisation time rather than copied through an Identity node (a copy of every
   * parameter and moment per training step otherwise).
   */
  output(name: string, value: Value): void {
    if (this.#produced.has(value.name) && !this.#aliases.has(value.name)) {
      this.#claim(name, value.dtype, value.shape);
      this.#aliases.set(value.name, name);
      this.#outputs.push({ name, dtype: value.dtype, shape: value.shape });
      return;
    }
    const named = this.apply('Identity', [value], [value], {}, name)[0];
    this.#outputs.push({ name: named.name, dtype: named.dtype, shape: named.shape });
  }

  /** The graph's inputs, in declaration order. */
  get inputs(): readonly ValueInfoDef[] {
    return this.#inputs;
  }

  /** The graph's outputs, in declaration order. */
  get outputs(): readonly ValueInfoDef[] {
    return this.#outputs;
  }

  /** The model as a plain definition (for inspection). */
  toModelDef(): ModelDef {
    const nodes: NodeDef[] = this.nodes.filter((n) => n.gradient === undefined).map((n, i) => ({
      opType: n.opType,
      name: `n${i}_${n.opType}`,
      inputs: n.inputs.map((v) => this.#aliases.get(v.name) ?? v.name),
      outputs: n.outputs.map((v) => this.#aliases.get(v.name) ?? v.name),
      attributes: n.attributes,
    }));
    return { name: this.#name, nodes, initializers: this.#initializers, inputs: this.#inputs, outputs: this.#outputs };
  }

  /** Serialised ONNX model bytes. */
  toBytes(): Uint8Array {
    return encodeModel(this.toModelDef());
  }

  /**
   * Records a node with explicit output specs. The typed op methods below call this; it is
   * public for ops they do not wrap. `outputName` names a single-output node's value.
   */
  apply(
    opType: string,
    inputs: readonly Value[],
    outputs: readonly OutputSpec[],
    attributes: Record<string, Attribute> = {},
    outputName?: string,
  ): Value[] {
    const values = outputs.map((o) => this.#claim(outputName ?? this.#fresh(opType), o.dtype, o.shape));
    for (const v of values) this.#produced.add(v.name);
    this.nodes.push({ opType, inputs, outputs: values, attributes });
    return values;
  }

  /**
   * Records `forward(inputs)` as one differentiable unit whose gradient is `gradient`
   * instead of the generic rules of its ops: used where a hand-derived backward pass needs
   * fewer elementwise passes (GELU, cross-entropy) or reuses forward intermediates.
   */
  composite(
    opType: string,
    inputs: readonly Value[],
    forward: () => { output: Value; gradient: (b: GraphBuilder, gy: Value) => (Value | null)[] },
  ): Value {
    const first = this.nodes.length;
    const { output, gradient } = forward();
    for (let i = first; i < this.nodes.length; i++) this.nodes[i] = { ...this.nodes[i], interior: true };
    this.nodes.push({ opType, inputs, outputs: [output], attributes: {}, gradient });
    return output;
  }

  // ---------------------------------------------------------------- elementwise

  /** Elementwise a + b with broadcasting. */
  add(a: Operand, b: Operand): Value {
    return this.#binary('Add', a, b);
  }

  /** Elementwise a - b with broadcasting. */
  sub(a: Operand, b: Operand): Value {
    return this.#binary('Sub', a, b);
  }

  /** Elementwise a * b with broadcasting. */
  mul(a: Operand, b: Operand): Value {
    return this.#binary('Mul', a, b);
  }

  /** Elementwise a / b with broadcasting. */
  div(a: Operand, b: Operand): Value {
    return this.#binary('Div', a, b);
  }

  /** Elementwise a ** b with broadcasting. */
  pow(a: Operand, b: Operand): Value {
    return this.#binary('Pow', a, b);
  }

  /** Elementwise a == b (bool). */
  equal(a: Operand, b: Operand): Value {
    return this.#binary('Equal', a, b, 'bool');
  }

  /** Elementwise a > b (bool). */
  greater(a: Operand, b: Operand): Value {
    return this.#binary('Greater', a, b, 'bool');
  }

  /** Unary elementwise op (Neg, Sqrt, Exp, Log, Erf, Tanh, Abs, Sign, Reciprocal, Identity). */
  unary(opType: 'Neg' | 'Sqrt' | 'Exp' | 'Log' | 'Erf' | 'Tanh' | 'Abs' | 'Sign' | 'Reciprocal' | 'Identity', x: Value): Value {
    return this.apply(opType, [x], [x])[0];
  }

  /** -x. */
  neg(x: Value): Value {
    return this.unary('Neg', x);
  }

  /** Selects a where cond is true, else b, with broadcasting. */
  where(cond: Value, a: Operand, b: Operand): Value {
    const [va, vb] = this.#promote(a, b);
    const shape = broadcastShapes(cond.shape, va.shape, vb.shape);
    return this.apply('Where', [cond, va, vb], [{ dtype: va.dtype, shape }])[0];
  }

  /** Converts the element type. */
  cast(x: Value, dtype: DType): Value {
    if (x.dtype === dtype) return x;
    return this.apply('Cast', [x], [{ dtype, shape: x.shape }], { to: attr.int(ONNX_DTYPE_CODE[dtype]) })[0];
  }

  // ---------------------------------------------------------------- linear algebra

  /** Batched matrix product with numpy batch broadcasting (both operands rank >= 2). */
  matmul(a: Value, b: Value): Value {
    if (a.shape.length < 2 || b.shape.length < 2) throw new StageError('onnx: MatMul operands must have rank >= 2');
    const [m, k] = a.shape.slice(-2);
    const [k2, n] = b.shape.slice(-2);
    if (k !== k2) throw new StageError(`onnx: MatMul inner dimensions differ: [${a.shape}] x [${b.shape}]`);
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return this.apply('MatMul', [a, b], [{ dtype: a.dtype, shape: [...batch, m, n] }])[0];
  }

  /** alpha * op(A) op(B) + beta * C for 2-D A and B (op = optional transpose). */
  gemm(
    a: Value,
    b: Value,
    c: Value | null,
    options: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {},
  ): Value {
    const { transA = false, transB = false, alpha = 1, beta = 1 } = options;
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new StageError('onnx: Gemm operands must be 2-D');
    const [m, k] = transA ? [a.shape[1], a.shape[0]] : a.shape;
    const [k2, n] = transB ? [b.shape[1], b.shape[0]] : b.shape;
    if (k !== k2) throw new StageError(`onnx: Gemm inner dimensions differ: [${a.shape}] x [${b.shape}]`);
    if (c) broadcastShapes(c.shape, [m, n]);
    const attributes: Record<string, Attribute> = { transA: attr.int(transA ? 1 : 0), transB: attr.int(transB ? 1 : 0) };
    if (alpha !== 1) attributes.alpha = attr.float(alpha);
    if (beta !== 1) attributes.beta = attr.float(beta);
    return this.apply('Gemm', c ? [a, b, c] : [a, b], [{ dtype: a.dtype, shape: [m, n] }], attributes)[0];
  }

  // ---------------------------------------------------------------- layout

  /**
   * Permutes axes. A permutation that only moves size-1 axes is emitted as a Reshape, which
   * costs no copy (e.g. splitting a single attention head).
   */
  transpose(x: Value, perm: readonly number[]): Value {
    const shape = perm.map((p) => x.shape[p]);
    const moved = perm.filter((p) => x.shape[p] !== 1);
    if (moved.every((p, i) => i === 0 || moved[i - 1] < p)) return this.reshape(x, shape);
    return this.apply('Transpose', [x], [{ dtype: x.dtype, shape }], { perm: attr.ints(perm) })[0];
  }

  /** Reshapes (one -1 allowed); a no-op when the shape is unchanged. */
  reshape(x: Value, shape: Shape): Value {
    const resolved = resolveReshape(shape, sizeOf(x.shape));
    if (sameShape(resolved, x.shape)) return x;
    return this.apply('Reshape', [x, this.int64s(resolved)], [{ dtype: x.dtype, shape: resolved }])[0];
  }

  /** Broadcasts to `shape`. */
  expand(x: Value, shape: Shape): Value {
    if (sameShape(x.shape, shape)) return x;
    const out = broadcastShapes(x.shape, shape);
    return this.apply('Expand', [x, this.int64s(shape)], [{ dtype: x.dtype, shape: out }])[0];
  }

  /** Concatenates along `axis`. */
  concat(xs: readonly Value[], axis: number): Value {
    const ax = normAxis(axis, xs[0].shape.length);
    const shape = [...xs[0].shape];
    shape[ax] = xs.reduce((s, x) => s + x.shape[ax], 0);
    return this.apply('Concat', xs, [{ dtype: xs[0].dtype, shape }], { axis: attr.int(ax) })[0];
  }

  /** Splits along `axis` into pieces of the given sizes. */
  split(x: Value, sizes: readonly number[], axis: number): Value[] {
    const ax = normAxis(axis, x.shape.length);
    const outputs = sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === ax ? s : d)) }));
    return this.apply('Split', [x, this.int64s(sizes)], outputs, { axis: attr.int(ax) });
  }

  /** Step-1 slice: `starts`/`ends` per listed axis (non-negative, ends exclusive). */
  slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[]): Value {
    const shape = [...x.shape];
    axes.forEach((a, i) => (shape[normAxis(a, x.shape.length)] = ends[i] - starts[i]));
    const inputs = [x, this.int64s(starts), this.int64s(ends), this.int64s(axes.map((a) => normAxis(a, x.shape.length)))];
    return this.apply('Slice', inputs, [{ dtype: x.dtype, shape }])[0];
  }

  /** Zero padding: `pads` = [begin_0..begin_r-1, end_0..end_r-1]. */
  pad(x: Value, pads: readonly number[]): Value {
    const r = x.shape.length;
    const shape = x.shape.map((d, i) => d + pads[i] + pads[i + r]);
    return this.apply('Pad', [x, this.int64s(pads)], [{ dtype: x.dtype, shape }])[0];
  }

  /** A tensor of zeros (ConstantOfShape, folded at session creation). */
  zeros(shape: Shape, dtype: DType = this.float): Value {
    const value: TensorDef = { name: 'value', dtype, shape: [1], data: typedArrayOf(dtype, [0]) };
    return this.apply('ConstantOfShape', [this.int64s(shape)], [{ dtype, shape }], { value: { kind: 'tensor', value } })[0];
  }

  // ---------------------------------------------------------------- indexing

  /** Gathers slices of `data` along `axis` at integer `indices`. */
  gather(data: Value, indices: Value, axis = 0): Value {
    const ax = normAxis(axis, data.shape.length);
    const shape = [...data.shape.slice(0, ax), ...indices.shape, ...data.shape.slice(ax + 1)];
    return this.apply('Gather', [data, indices], [{ dtype: data.dtype, shape }], { axis: attr.int(ax) })[0];
  }

  /** Elementwise gather along `axis` (output has the indices' shape). */
  gatherElements(data: Value, indices: Value, axis: number): Value {
    const ax = normAxis(axis, data.shape.length);
    return this.apply('GatherElements', [data, indices], [{ dtype: data.dtype, shape: indices.shape }], { axis: attr.int(ax) })[0];
  }

  /** Scatters `updates` into a copy of `data` along `axis`, adding on collisions. */
  scatterElementsAdd(data: Value, indices: Value, updates: Value, axis: number): Value {
    const attributes = { axis: attr.int(normAxis(axis, data.shape.length)), reduction: attr.string('add') };
    return this.apply('ScatterElements', [data, indices, updates], [data], attributes)[0];
  }

  /** Adds `updates` into a copy of `data` at int64 `indices` (last axis indexes data). */
  scatterNDAdd(data: Value, indices: Value, updates: Value): Value {
    return this.apply('ScatterND', [data, indices, updates], [data], { reduction: attr.string('add') })[0];
  }

  // ---------------------------------------------------------------- reductions and normalisation

  /** ReduceSum / ReduceMean / ReduceMax over `axes`. */
  reduce(opType: 'ReduceSum' | 'ReduceMean' | 'ReduceMax', x: Value, axes: readonly number[], keepdims: boolean): Value {
    const norm = axes.map((a) => normAxis(a, x.shape.length));
    const shape = keepdims ? x.shape.map((d, i) => (norm.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !norm.includes(i));
    const attributes = { keepdims: attr.int(keepdims ? 1 : 0) };
    return this.apply(opType, [x, this.int64s(norm)], [{ dtype: x.dtype, shape }], attributes)[0];
  }

  /** Softmax along `axis`. */
  softmax(x: Value, axis = -1): Value {
    return this.apply('Softmax', [x], [x], { axis: attr.int(normAxis(axis, x.shape.length)) })[0];
  }

  /** Log-softmax along `axis`. */
  logSoftmax(x: Value, axis = -1): Value {
    return this.apply('LogSoftmax', [x], [x], { axis: attr.int(normAxis(axis, x.shape.length)) })[0];
  }

  /**
   * The fused LayerNormalization op over the last axis; also returns its saved mean and
   * inverse standard deviation (used by its gradient). float32 only: onnxruntime has no
   * float64 kernel.
   */
  layerNormalization(x: Value, scale: Value, bias: Value, epsilon: number): { y: Value; mean: Value; invStdDev: Value } {
    const stats = { dtype: x.dtype, shape: [...x.shape.slice(0, -1), 1] };
    const attributes = { axis: attr.int(-1), epsilon: attr.float(epsilon) };
    const [y, mean, invStdDev] = this.apply('LayerNormalization', [x, scale, bias], [x, stats, stats], attributes);
    return { y, mean, invStdDev };
  }

  // ---------------------------------------------------------------- internals

  #binary(opType: string, a: Operand, b: Operand, dtype?: DType): Value {
    const [va, vb] = this.#promote(a, b);
    const shape = broadcastShapes(va.shape, vb.shape);
    return this.apply(opType, [va, vb], [{ dtype: dtype ?? va.dtype, shape }])[0];
  }

  #promote(a: Operand, b: Operand): [Value, Value] {
    if (typeof a === 'number' && typeof b === 'number') throw new StageError('onnx: at least one operand must be a Value');
    const va = typeof a === 'number' ? this.scalar(a, (b as Value).dtype) : a;
    const vb = typeof b === 'number' ? this.scalar(b, va.dtype) : b;
    return [va, vb];
  }

  #fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.#counter++}`;
    while (this.#names.has(name));
    return name;
  }

  #claim(name: string, dtype: DType, shape: Shape): Value {
    if (this.#names.has(name)) throw new StageError(`onnx: duplicate value name ${name}`);
    this.#names.add(name);
    return { name, dtype, shape: [...shape] };
  }
}
