import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import type { ModelDims } from '../../src/model/model-dims';
import { wvwoProducts } from '../../src/model/wvwo';
import { randomParameters } from './fixtures';
import { matmul } from './reference-forward';

const DIMS: ModelDims = { vocab: 11, context: 5, dModel: 8, layers: 2, heads: 2 };

function weightsFor(dims: ModelDims): Map<string, Float32Array> {
  return new Map([...randomParameters(dims, 29)].map(([name, data]) => [name, Float32Array.from(data)]));
}

/** The transpose of a row-major [n, m] matrix. */
function transpose(a: ArrayLike<number>, n: number, m: number): Float64Array {
  return Float64Array.from({ length: n * m }, (_, i) => a[(i % n) * m + Math.floor(i / n)]);
}

/** Wv_h (rows h·dh … of Wv, dh × d) and Wo_h (columns h·dh … of Wo, d × dh), sliced explicitly. */
function headSlices(wv: Float32Array, wo: Float32Array, d: number, dh: number, h: number) {
  const wvH = Float64Array.from(wv.subarray(h * dh * d, (h + 1) * dh * d));
  const woH = Float64Array.from({ length: d * dh }, (_, i) => wo[Math.floor(i / dh) * d + h * dh + (i % dh)]);
  return { wvH, woH };
}

function expectNear(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-12));
}

describe('wvwoProducts', () => {
  it.each([1, 2, 4])('equals Wv_hᵀ Wo_hᵀ per layer and head (H = %i)', (heads) => {
    const dims = { ...DIMS, heads };
    const { dModel: d } = dims;
    const dh = d / heads;
    const weights = weightsFor(dims);
    const products = wvwoProducts(dims, weights);
    expect(products).toHaveLength(dims.layers);
    for (let l = 0; l < dims.layers; l++) {
      expect(products[l]).toHaveLength(heads);
      const wv = weights.get(`blocks.${l}.attn.v.weight`)!;
      const wo = weights.get(`blocks.${l}.attn.o.weight`)!;
      for (let h = 0; h < heads; h++) {
        const { wvH, woH } = headSlices(wv, wo, d, dh, h);
        expectNear(products[l][h], matmul(transpose(wvH, dh, d), transpose(woH, d, dh), d, dh, d));
      }
    }
  });

  it('with one head is the whole Wvᵀ Woᵀ, and the heads of a split model sum to it', () => {
    const { dModel: d } = DIMS;
    const weights = weightsFor(DIMS);
    const [wv, wo] = [weights.get('blocks.1.attn.v.weight')!, weights.get('blocks.1.attn.o.weight')!];
    const whole = matmul(transpose(wv, d, d), transpose(wo, d, d), d, d, d);
    expectNear(wvwoProducts({ ...DIMS, heads: 1 }, weights)[1][0], whole);
    const [h0, h1] = wvwoProducts(DIMS, weights)[1];
    expectNear(h0.map((v, i) => v + h1[i]), whole);
  });

  it('is computed in float64 from the float32 weights', () => {
    const weights = weightsFor(DIMS);
    const product = wvwoProducts(DIMS, weights)[0][0];
    expect(product).toBeInstanceOf(Float64Array);
    // A float64 product of float32 values is generally not a float32 value.
    expect(Array.from(product).some((v) => Math.fround(v) !== v)).toBe(true);
  });

  it('rejects weights of another model', () => {
    const weights = weightsFor(DIMS);
    weights.set('blocks.0.attn.o.weight', new Float32Array(3));
    expect(() => wvwoProducts(DIMS, weights)).toThrow(InputError);
    expect(() => wvwoProducts(DIMS, weights)).toThrow('blocks.0.attn.o.weight has 3 values, expected 64 for [8,8]');
  });
});
