import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gradients } from '../../src/onnx/autodiff';
import { GraphBuilder } from '../../src/onnx/graph-builder';
import { createSession } from '../../src/onnx/session';
import { erfSeries, gelu, scaledGelu } from '../../src/model/gelu';
import { layerNorm, normalize, normalizedInput, normalizedLinear } from '../../src/model/layer-norm';
import { meanCrossEntropy } from '../../src/model/cross-entropy';
import { StageError } from '../../src/errors';
import { checkGradient, input, randomData } from './gradient-check';

const TOLERANCE = 1e-6;

describe('autodiff gradients match central finite differences in float64', () => {
  const cases: [string, () => Promise<{ maxRelativeError: number }>][] = [
    ['Add with broadcasting', () => checkGradient([input('a', [2, 3, 4]), input('b', [3, 1])], (b, [x, y]) => b.add(x, y))],
    ['Add of a bias over many rows (leading-axis sum as a product with ones)', () => checkGradient([input('a', [300, 2]), input('b', [2])], (b, [x, y]) => b.mul(b.add(x, y), x))],
    ['Sub with broadcasting', () => checkGradient([input('a', [4]), input('b', [2, 3, 4])], (b, [x, y]) => b.sub(x, y))],
    ['Mul with broadcasting', () => checkGradient([input('a', [2, 1, 4]), input('b', [3, 1])], (b, [x, y]) => b.mul(x, y))],
    ['Div with broadcasting', () => checkGradient([input('a', [2, 3]), input('b', [3], 0.5, 2)], (b, [x, y]) => b.div(x, y))],
    ['Pow (base and exponent)', () => checkGradient([input('a', [2, 3], 0.5, 2), input('e', [3], 1, 3)], (b, [x, e]) => b.pow(x, e))],
    ['Neg', () => checkGradient([input('a', [2, 3])], (b, [x]) => b.neg(x))],
    ['Sqrt', () => checkGradient([input('a', [2, 3], 0.5, 2)], (b, [x]) => b.unary('Sqrt', x))],
    ['Exp', () => checkGradient([input('a', [2, 3])], (b, [x]) => b.unary('Exp', x))],
    ['Log', () => checkGradient([input('a', [2, 3], 0.5, 2)], (b, [x]) => b.unary('Log', x))],
    ['Tanh', () => checkGradient([input('a', [2, 3])], (b, [x]) => b.unary('Tanh', x))],
    ['Reciprocal and Abs', () => checkGradient([input('a', [2, 3], 0.5, 2)], (b, [x]) => b.unary('Reciprocal', b.unary('Abs', b.neg(x))))],
    ['Cast (float to float)', () => checkGradient([input('a', [2, 3])], (b, [x]) => b.apply('Cast', [x], [x], { to: { kind: 'int', value: 11 } })[0])],
    ['MatMul batched with a shared matrix', () => checkGradient([input('a', [2, 3, 4]), input('b', [4, 5])], (b, [x, y]) => b.matmul(x, y))],
    ['MatMul with broadcast batch axes', () => checkGradient([input('a', [2, 1, 3, 4]), input('b', [3, 4, 2])], (b, [x, y]) => b.matmul(x, y))],
    ...[false, true].flatMap((transA) =>
      [false, true].map((transB): [string, () => Promise<{ maxRelativeError: number }>] => [
        `Gemm transA=${transA} transB=${transB} with bias, alpha and beta`,
        () =>
          checkGradient(
            [input('a', transA ? [4, 3] : [3, 4]), input('b', transB ? [5, 4] : [4, 5]), input('c', [5])],
            (b, [x, y, c]) => b.gemm(x, y, c, { transA, transB, alpha: 0.7, beta: 1.3 }),
          ),
      ]),
    ),
    [
      'Add of a bias broadcast over 512 rows (leading-axis sum as batched products)',
      () => checkGradient([input('a', [512, 3]), input('c', [3])], (b, [x, c]) => b.add(x, c), { maxCoords: 12 }),
    ],
    ['Transpose', () => checkGradient([input('a', [2, 3, 4])], (b, [x]) => b.transpose(x, [2, 0, 1]))],
    ['Reshape', () => checkGradient([input('a', [2, 3, 4])], (b, [x]) => b.reshape(x, [6, -1]))],
    ['Expand', () => checkGradient([input('a', [3, 1])], (b, [x]) => b.expand(x, [2, 3, 4]))],
    [
      'Gather with repeated indices',
      () => checkGradient([input('t', [5, 3])], (b, [t]) => b.gather(t, b.constant([2, 3], [0, 4, 4, 1, 0, 0], 'int32'))),
    ],
    [
      'GatherElements',
      () => checkGradient([input('a', [4, 3])], (b, [x]) => b.gatherElements(x, b.constant([4, 2], [0, 2, 1, 1, 2, 0, 0, 0], 'int32'), 1)),
    ],
    ['Softmax', () => checkGradient([input('a', [2, 3, 4])], (b, [x]) => b.softmax(x, -1))],
    ['LogSoftmax', () => checkGradient([input('a', [3, 5])], (b, [x]) => b.logSoftmax(x, 1))],
    ['ReduceSum keepdims', () => checkGradient([input('a', [2, 3, 4])], (b, [x]) => b.reduce('ReduceSum', x, [0, 2], true))],
    ['ReduceMean without keepdims', () => checkGradient([input('a', [2, 3, 4])], (b, [x]) => b.reduce('ReduceMean', x, [1], false))],
    ['ReduceMax', () => checkGradient([input('a', [2, 3, 4])], (b, [x]) => b.reduce('ReduceMax', x, [-1], false))],
    [
      'Where with a causal mask',
      () =>
        checkGradient([input('a', [2, 3, 3]), input('f', [3, 3])], (b, [x, f]) =>
          b.where(b.constant([3, 3], [1, 0, 0, 1, 1, 0, 1, 1, 1], 'bool'), x, f),
        ),
    ],
    ['Concat', () => checkGradient([input('a', [2, 3]), input('b', [2, 2])], (b, [x, y]) => b.concat([x, y], 1))],
    ['Split (one part unused)', () => checkGradient([input('a', [2, 5])], (b, [x]) => { const [p, , r] = b.split(x, [1, 2, 2], 1); return b.mul(p, r); })],
    ['Slice', () => checkGradient([input('a', [3, 5])], (b, [x]) => b.slice(x, [1, 1], [3, 4], [0, 1]))],
    ['erf series (float64 GELU building block)', () => checkGradient([input('a', [2, 4], -3, 3)], (b, [x]) => erfSeries(b, x))],
    ['GELU (float64 decomposition)', () => checkGradient([input('a', [2, 4], -3, 3)], (b, [x]) => gelu(b, x))],
    ['scaled GELU s(1 + erf s) (float64 decomposition)', () => checkGradient([input('a', [2, 4], -3, 3)], (b, [x]) => scaledGelu(b, x))],
    [
      'LayerNorm folded into a Linear with bias (a column against ones) and an output scale',
      () =>
        checkGradient([input('a', [3, 4]), input('s', [4]), input('h', [4]), input('w', [5, 4]), input('c', [5])], (b, [x, s, h, w, c]) =>
          normalizedLinear(b, normalizedInput(b, x, s, h, false), w, c, 0.7),
        ),
    ],
    [
      'cross-entropy composite (hand-written softmax - onehot gradient)',
      () => checkGradient([input('a', [5, 4], -2, 2)], (b, [x]) => b.mul(meanCrossEntropy(b, x, b.constant([5], [0, 3, 3, 1, 2], 'int32')), b.constant([1], [1]))),
    ],
    [
      'LayerNorm decomposition',
      () => checkGradient([input('a', [3, 4]), input('s', [4]), input('h', [4])], (b, [x, s, h]) => layerNorm(b, x, s, h, false)),
    ],
  ];
  for (const [name, run] of cases) {
    it(name, async () => {
      expect((await run()).maxRelativeError).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

describe('float32-only kernels', () => {
  it('Erf gradient matches finite differences at float32 precision', async () => {
    const result = await checkGradient([input('a', [2, 4], -2, 2)], (b, [x]) => b.unary('Erf', x), { float: 'float32', step: 1e-2 });
    expect(result.maxRelativeError).toBeLessThan(2e-3);
  });

  it('fused LayerNormalization gradient (float32) agrees with the float64 decomposition', async () => {
    const shapes = { x: [3, 8], s: [8], h: [8] } as const;
    const grads = async (float: 'float32' | 'float64', fused: boolean) => {
      const b = new GraphBuilder(float);
      const [x, s, h] = (['x', 's', 'h'] as const).map((n) => b.input(n, shapes[n]));
      const y = layerNorm(b, x, s, h, fused);
      const loss = b.reduce('ReduceSum', b.mul(y, b.constant(y.shape, randomData(y.shape, 'w'))), [0, 1], false);
      gradients(b, loss, [x, s, h]).forEach((g, i) => b.output(`g${i}`, g));
      const { session } = await createSession(b.toBytes(), { device: 'cpu', threads: 1 });
      const feeds = Object.fromEntries(
        (['x', 's', 'h'] as const).map((n) => {
          const data = randomData(shapes[n], n, n === 's' ? 0.5 : -1, n === 's' ? 1.5 : 1);
          return [n, new ort.Tensor(float, float === 'float32' ? Float32Array.from(data) : data, [...shapes[n]])];
        }),
      );
      const out = await session.run(feeds);
      return [0, 1, 2].map((i) => Array.from(out[`g${i}`].data as Float32Array | Float64Array));
    };
    const fused = await grads('float32', true);
    const exact = await grads('float64', false);
    for (let i = 0; i < 3; i++) {
      const err = Math.max(...fused[i].map((v, k) => Math.abs(v - exact[i][k])));
      const scale = Math.max(...exact[i].map(Math.abs));
      expect(err / scale).toBeLessThan(1e-5);
    }
  });

  it('GELU composite gradient (float32) agrees with the float64 decomposition', async () => {
    const values = randomData([4, 6], 'gelu', -4, 4);
    const grad = async (float: 'float32' | 'float64') => {
      const b = new GraphBuilder(float);
      const x = b.input('x', [4, 6]);
      const y = gelu(b, x);
      const loss = b.reduce('ReduceSum', b.mul(y, b.constant(y.shape, randomData(y.shape, 'w'))), [0, 1], false);
      b.output('g', gradients(b, loss, [x])[0]);
      const { session } = await createSession(b.toBytes(), { device: 'cpu', threads: 1 });
      const data = float === 'float32' ? Float32Array.from(values) : Float64Array.from(Float32Array.from(values));
      return Array.from((await session.run({ x: new ort.Tensor(float, data, [4, 6]) })).g.data as Float32Array);
    };
    const [f32, f64] = [await grad('float32'), await grad('float64')];
    f32.forEach((v, i) => expect(Math.abs(v - f64[i])).toBeLessThan(2e-6));
  });

  it('scaled GELU composite gradient (float32) agrees with the float64 decomposition', async () => {
    const values = randomData([4, 6], 'scaled-gelu', -3, 3);
    const grad = async (float: 'float32' | 'float64') => {
      const b = new GraphBuilder(float);
      const x = b.input('x', [4, 6]);
      const y = scaledGelu(b, x);
      const loss = b.reduce('ReduceSum', b.mul(y, b.constant(y.shape, randomData(y.shape, 'w'))), [0, 1], false);
      b.output('y', y);
      b.output('g', gradients(b, loss, [x])[0]);
      const { session } = await createSession(b.toBytes(), { device: 'cpu', threads: 1 });
      const data = float === 'float32' ? Float32Array.from(values) : Float64Array.from(Float32Array.from(values));
      const out = await session.run({ x: new ort.Tensor(float, data, [4, 6]) });
      return [Array.from(out.y.data as Float32Array), Array.from(out.g.data as Float32Array)];
    };
    const [f32, f64] = [await grad('float32'), await grad('float64')];
    for (let k = 0; k < 2; k++) f32[k].forEach((v, i) => expect(Math.abs(v - f64[k][i])).toBeLessThan(5e-6));
  });

  it('fused normalisation folded into a Linear (float32) agrees with the float64 decomposition', async () => {
    const shapes = { x: [3, 8], s: [8], h: [8], w: [5, 8], c: [5] } as const;
    const names = ['x', 's', 'h', 'w', 'c'] as const;
    const grads = async (float: 'float32' | 'float64') => {
      const b = new GraphBuilder(float);
      const [x, s, h, w, c] = names.map((n) => b.input(n, shapes[n]));
      const y = normalizedLinear(b, normalizedInput(b, x, s, h, float === 'float32'), w, c, 0.7);
      const loss = b.reduce('ReduceSum', b.mul(y, b.constant(y.shape, randomData(y.shape, 'w'))), [0, 1], false);
      gradients(b, loss, [x, s, h, w, c]).forEach((g, i) => b.output(`g${i}`, g));
      const { session } = await createSession(b.toBytes(), { device: 'cpu', threads: 1 });
      const feeds = Object.fromEntries(
        names.map((n) => {
          const data = randomData(shapes[n], n, n === 's' ? 0.5 : -1, n === 's' ? 1.5 : 1);
          return [n, new ort.Tensor(float, float === 'float32' ? Float32Array.from(data) : data, [...shapes[n]])];
        }),
      );
      const out = await session.run(feeds);
      return names.map((_, i) => Array.from(out[`g${i}`].data as Float32Array | Float64Array));
    };
    const fused = await grads('float32');
    const exact = await grads('float64');
    for (let i = 0; i < names.length; i++) {
      const err = Math.max(...fused[i].map((v, k) => Math.abs(v - exact[i][k])));
      const scale = Math.max(...exact[i].map(Math.abs));
      expect(err / scale).toBeLessThan(1e-5);
    }
  });

  it('erf series equals the float32 Erf kernel to float32 rounding', async () => {
    const values = randomData([64], 'erf', -7, 7);
    const run = async (float: 'float32' | 'float64') => {
      const b = new GraphBuilder(float);
      const x = b.input('x', [64]);
      b.output('y', float === 'float32' ? b.unary('Erf', x) : erfSeries(b, x));
      const { session } = await createSession(b.toBytes(), { device: 'cpu', threads: 1 });
      const data = float === 'float32' ? Float32Array.from(values) : Float64Array.from(Float32Array.from(values));
      return Array.from((await session.run({ x: new ort.Tensor(float, data, [64]) })).y.data as Float32Array);
    };
    const [f32, f64] = [await run('float32'), await run('float64')];
    f32.forEach((v, i) => expect(Math.abs(v - f64[i])).toBeLessThan(3e-7));
  });
});

describe('autodiff errors', () => {
  it('BAD CALL - a non-scalar loss is rejected', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    expect(() => gradients(b, x, [x])).toThrow(StageError);
    expect(() => gradients(b, x, [x])).toThrow(/loss must be a one-element float/);
  });

  it('EXPECTED FAILURE - an op without a rule names the op', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    const y = b.apply('Softplus', [x], [x])[0];
    expect(() => gradients(b, b.reduce('ReduceSum', y, [0], false), [x])).toThrow(/no gradient rule for ONNX op Softplus/);
  });

  it('values the loss does not depend on get zero gradients', async () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    const unused = b.input('u', [3]);
    const [, gu] = gradients(b, b.reduce('ReduceSum', b.mul(x, x), [0], false), [x, unused]);
    b.output('gu', gu);
    const { session } = await createSession(b.toBytes(), { device: 'cpu', threads: 1 });
    const out = await session.run({ x: new ort.Tensor('float64', Float64Array.from([1, 2]), [2]), u: new ort.Tensor('float64', new Float64Array(3), [3]) });
    expect(Array.from(out.gu.data as Float64Array)).toEqual([0, 0, 0]);
  });
});
