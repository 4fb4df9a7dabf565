import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { modelDims } from '../../src/model/model-dims';
import { initialParameters, parameterCount, parameterSpecs } from '../../src/model/parameters';

const ANCHOR = { vocab: 500, context: 64, dModel: 128, layers: 4, heads: 1 };

describe('model parameters', () => {
  it('the anchor model has 927,488 parameters by formula and by tensor shapes', () => {
    expect(parameterCount(ANCHOR)).toBe(927_488);
    const summed = parameterSpecs(ANCHOR).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    expect(summed).toBe(927_488);
  });

  it('initialises as the reference: N(0, 0.02), depth-scaled Wo and fc2, zero biases, unit LN scales', () => {
    const dims = { ...ANCHOR, vocab: 100, layers: 2 };
    const params = initialParameters(dims, 42);
    const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(std(params.get('token_embedding.weight')!)).toBeCloseTo(0.02, 3);
    expect(std(params.get('blocks.0.mlp.fc1.weight')!)).toBeCloseTo(0.02, 3);
    expect(std(params.get('blocks.1.attn.o.weight')!)).toBeCloseTo(0.01, 3);
    expect(std(params.get('blocks.1.mlp.fc2.weight')!)).toBeCloseTo(0.01, 3);
    expect(params.get('blocks.0.mlp.fc1.bias')!.every((v) => v === 0)).toBe(true);
    expect(params.get('ln_f.weight')!.every((v) => v === 1)).toBe(true);
  });

  it('initialisation is a function of the seed only', () => {
    const small = { vocab: 11, context: 4, dModel: 8, layers: 1, heads: 1 };
    const a = initialParameters(small, 7).get('head.weight')!;
    expect(initialParameters(small, 7).get('head.weight')).toEqual(a);
    expect(initialParameters(small, 8).get('head.weight')).not.toEqual(a);
  });

  it('BAD CALL - dropout above 0 is a ConfigError naming model.dropout', () => {
    const call = () => modelDims({ d_model: 16, n_layers: 1, n_heads: 2, dropout: 0.1 }, { vocab: 5, context: 4 });
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(/model\.dropout = 0\.1 is not supported/);
  });
});
