import { describe, expect, it } from 'vitest';
import {
  greedyPicker,
  pickerFor,
  sampleToken,
  sequenceRng,
  temperaturePicker,
} from '../../../src/evaluation/generation/samplers';
import { Rng } from '../../../src/random/rng';

/** softmax(logits / temperature) in float64. */
function softmax(logits: readonly number[], temperature: number): number[] {
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp((l - max) / temperature));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
}

describe('greedyPicker', () => {
  it('picks the arg-max and the lowest index on ties', () => {
    expect(greedyPicker(Float32Array.from([1, 3, 3, 0]), 0, 4, 0)).toBe(1);
    expect(greedyPicker(Float32Array.from([9, 9, -1, 2, 5, 2]), 2, 4, 0)).toBe(2);
    expect(greedyPicker(Float32Array.from([4, 4, 4]), 0, 3, 0)).toBe(0);
  });
});

describe('sampleToken', () => {
  it('draws tokens with the softmax frequencies (chi-square, 4 degrees of freedom)', () => {
    const logits = [0.5, -1, 2, 0, 1];
    const temperature = 1.5;
    const draws = 20000;
    const rng = Rng.derive(1, 'test-sampler');
    const counts = new Array<number>(logits.length).fill(0);
    for (let i = 0; i < draws; i++) counts[sampleToken(logits, 0, logits.length, temperature, rng)]++;
    const expected = softmax(logits, temperature).map((p) => p * draws);
    const chiSquare = counts.reduce((sum, c, v) => sum + (c - expected[v]) ** 2 / expected[v], 0);
    // 18.47 is the 0.999 quantile of chi-square with 4 degrees of freedom.
    expect(chiSquare).toBeLessThan(18.47);
  });

  it('reads the row at offset (returning an index within it) and never draws a -Infinity logit', () => {
    const logits = Float32Array.from([100, 100, 0, -Infinity, 0.3, -Infinity]);
    const rng = Rng.derive(2, 'test-sampler');
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(sampleToken(logits, 2, 4, 1, rng));
    expect([...seen].sort()).toEqual([0, 2]);
  });

  it('approaches greedy as the temperature goes to 0', () => {
    const rng = Rng.derive(3, 'test-sampler');
    const row = Rng.derive(4, 'test-logits');
    for (let trial = 0; trial < 200; trial++) {
      const logits = Float32Array.from({ length: 12 }, () => row.normal());
      expect(sampleToken(logits, 0, 12, 1e-4, rng)).toBe(greedyPicker(logits, 0, 12, 0));
    }
  });

  it('splits ties evenly at a tiny temperature', () => {
    const rng = Rng.derive(5, 'test-sampler');
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken([2, 0, 2], 0, 3, 1e-6, rng)]++;
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0] - counts[2])).toBeLessThan(300);
  });

  it('rejects a non-positive or non-finite temperature and NaN or infinite maxima', () => {
    const rng = Rng.derive(6, 'test-sampler');
    expect(() => sampleToken([0, 1], 0, 2, 0, rng)).toThrow(RangeError);
    expect(() => sampleToken([0, 1], 0, 2, Number.POSITIVE_INFINITY, rng)).toThrow(RangeError);
    expect(() => sampleToken([0, Number.NaN], 0, 2, 1, rng)).toThrow(RangeError);
    expect(() => sampleToken([0, Number.POSITIVE_INFINITY], 0, 2, 1, rng)).toThrow(RangeError);
    expect(() => sampleToken([-Infinity, -Infinity], 0, 2, 1, rng)).toThrow(RangeError);
  });
});

describe('temperaturePicker', () => {
  const logits = Float32Array.from([0.2, 1, -0.5, 0.7, 0]);

  it('keeps one stream per sequence, independent of the call interleaving', () => {
    const picker = temperaturePicker(42, 1);
    const interleaved: number[][] = [[], [], []];
    for (let step = 0; step < 30; step++) for (const row of [2, 0, 1]) interleaved[row].push(picker(logits, 0, 5, row));
    for (let row = 0; row < 3; row++) {
      const rng = sequenceRng(42, row);
      const alone = Array.from({ length: 30 }, () => sampleToken(logits, 0, 5, 1, rng));
      expect(interleaved[row]).toEqual(alone);
    }
  });

  it('uses the documented stream Rng.derive(seed, evaluate, sequence, i)', () => {
    expect(sequenceRng(7, 3).state()).toEqual(Rng.derive(7, 'evaluate', 'sequence', 3).state());
  });

  it('gives different draws for different seeds', () => {
    const draw = (seed: number) => {
      const picker = temperaturePicker(seed, 1);
      return Array.from({ length: 40 }, () => picker(logits, 0, 5, 0));
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('rejects a bad temperature up front', () => {
    expect(() => temperaturePicker(1, 0)).toThrow(RangeError);
    expect(() => temperaturePicker(1, -1)).toThrow(RangeError);
  });
});

describe('pickerFor', () => {
  it('is greedy for the reference protocol and sampling for the sampled protocol', () => {
    expect(pickerFor('reference', 1, 1)).toBe(greedyPicker);
    const sampled = pickerFor('sampled', 9, 1);
    const rng = sequenceRng(9, 4);
    const logits = Float32Array.from([0, 0, 0, 0]);
    const expected = Array.from({ length: 20 }, () => sampleToken(logits, 0, 4, 1, rng));
    expect(Array.from({ length: 20 }, () => sampled(logits, 0, 4, 4))).toEqual(expected);
  });
});
