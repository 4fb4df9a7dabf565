/**
 * Test helper: compares autodiff gradients with central finite differences, running both
 * in onnxruntime.
 */
import * as ort from 'onnxruntime-node';
import { gradients } from '../../src/onnx/autodiff';
import type { FloatType } from '../../src/onnx/dtype';
import { GraphBuilder, type Value } from '../../src/onnx/graph-builder';
import { sizeOf, type Shape } from '../../src/onnx/shape';
import { createSession } from '../../src/onnx/session';
import { Rng } from '../../src/random/rng';

/** A differentiable graph input with its value. */
export interface CheckInput {
  name: string;
  shape: Shape;
  data: Float64Array;
}

/** Result of one check: the worst norm-wise relative error over the inputs. */
export interface CheckResult {
  maxRelativeError: number;
  perInput: Record<string, number>;
}

/** Uniform values in [lo, hi) from a named stream. */
export function randomData(shape: Shape, stream: string, lo = -1, hi = 1): Float64Array {
  const rng = Rng.derive(7, 'gradient-check', stream);
  return Float64Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * rng.float());
}

/**
 * Builds `f` on the inputs, reduces it to sum(f * R) with a fixed random R (so every output
 * element gets a distinct upstream gradient), and checks d loss / d input.
 * `maxCoords` caps the finite-difference coordinates per input (sampled evenly).
 */
export async function checkGradient(
  inputs: readonly CheckInput[],
  f: (b: GraphBuilder, xs: Value[]) => Value,
  options: { float?: FloatType; step?: number; maxCoords?: number } = {},
): Promise<CheckResult> {
  const float = options.float ?? 'float64';
  const step = options.step ?? 1e-5;
  const b = new GraphBuilder(float);
  const xs = inputs.map((i) => b.input(i.name, i.shape));
  const y = f(b, xs);
  const weights = b.constant(y.shape, randomData(y.shape, 'weights'));
  const loss = b.reduce('ReduceSum', b.mul(y, weights), [...y.shape.keys()], false);
  b.output('loss', loss);
  gradients(b, loss, xs).forEach((g, i) => b.output(`grad_${i}`, g));
  const { session } = await createSession(b.toBytes(), { device: 'cpu', threads: 1 });

  const feeds = (override?: { input: number; index: number; delta: number }) =>
    Object.fromEntries(
      inputs.map((input, k) => {
        const data = float === 'float64' ? Float64Array.from(input.data) : Float32Array.from(input.data);
        if (override && override.input === k) data[override.index] += override.delta;
        return [input.name, new ort.Tensor(float, data, [...input.shape])];
      }),
    );
  const analytic = await session.run(feeds());
  const lossAt = async (input: number, index: number, delta: number) =>
    Number((await session.run(feeds({ input, index, delta }), ['loss'])).loss.data[0]);

  const perInput: Record<string, number> = {};
  for (const [k, input] of inputs.entries()) {
    const grad = analytic[`grad_${k}`].data as Float64Array | Float32Array;
    const n = input.data.length;
    const stride = Math.max(1, Math.floor(n / (options.maxCoords ?? n)));
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < n; i += stride) {
      const numeric = ((await lossAt(k, i, step)) - (await lossAt(k, i, -step))) / (2 * step);
      diff += (grad[i] - numeric) ** 2;
      norm += Math.max(grad[i] ** 2, numeric ** 2);
    }
    perInput[input.name] = norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
  }
  await session.release();
  return { maxRelativeError: Math.max(...Object.values(perInput)), perInput };
}

/** Shorthand for a random input. */
export function input(name: string, shape: Shape, lo = -1, hi = 1): CheckInput {
  return { name, shape, data: randomData(shape, name, lo, hi) };
}
