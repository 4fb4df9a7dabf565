import { describe, expect, test } from 'vitest';
import { auroc } from '../../../src/analysis/stats/auroc';
import { jackknifeAurocs, poolForAuroc, pooledAuroc, weightedPairCount } from '../../../src/analysis/stats/auroc-resampling';
import { Rng } from '../../../src/random/rng';

/** Σ_i Σ_j wv_i·wc_j·([v_i > c_j] + ½[v_i = c_j]), pair by pair. */
function bruteForcePairs(v: Float64Array, wv: number[], c: Float64Array, wc: number[]): number {
  let pairs = 0;
  for (let i = 0; i < v.length; i++) {
    for (let j = 0; j < c.length; j++) pairs += wv[i] * wc[j] * (v[i] > c[j] ? 1 : v[i] === c[j] ? 0.5 : 0);
  }
  return pairs;
}

function samples(rng: Rng, tied: boolean): { v: Float64Array; c: Float64Array } {
  const draw = (n: number, shift: number) => Float64Array.from({ length: n }, () => (tied ? rng.int(6) + shift : rng.normal() + shift));
  return { v: draw(5 + rng.int(40), 1), c: draw(5 + rng.int(40), 0) };
}

describe('weightedPairCount', () => {
  for (const tied of [true, false]) {
    test(`equals brute-force weighted pair counting (${tied ? 'tied' : 'untied'} values, random multiplicities)`, () => {
      const rng = Rng.derive(5, 'pair-count', String(tied));
      for (let trial = 0; trial < 20; trial++) {
        const { v, c } = samples(rng, tied);
        const pool = poolForAuroc(v, c);
        const wv = Array.from(v, () => rng.int(4));
        const wc = Array.from(c, () => rng.int(4));
        const vw = new Int32Array(v.length + c.length);
        const cw = new Int32Array(v.length + c.length);
        wv.forEach((w, i) => (vw[pool.violationPosition[i]] = w));
        wc.forEach((w, j) => (cw[pool.controlPosition[j]] = w));
        expect(weightedPairCount(pool, vw, cw)).toBe(bruteForcePairs(v, wv, c, wc));
      }
    });
  }
});

describe('pooledAuroc', () => {
  test('is bit-identical to the rank-sum AUROC', () => {
    const rng = Rng.derive(6, 'pooled');
    for (let trial = 0; trial < 20; trial++) {
      const { v, c } = samples(rng, trial % 2 === 0);
      expect(pooledAuroc(poolForAuroc(v, c))).toBe(auroc(v, c));
    }
  });
});

describe('jackknifeAurocs', () => {
  test('equals the AUROC recomputed without each event in turn', () => {
    const rng = Rng.derive(7, 'jackknife');
    for (let trial = 0; trial < 10; trial++) {
      const { v, c } = samples(rng, trial % 2 === 0);
      const jackknife = jackknifeAurocs(poolForAuroc(v, c));
      const without = (values: Float64Array, i: number) => Float64Array.from([...values.subarray(0, i), ...values.subarray(i + 1)]);
      expect([...jackknife.violations]).toEqual(Array.from(v, (_, i) => auroc(without(v, i), c)));
      expect([...jackknife.controls]).toEqual(Array.from(c, (_, j) => auroc(v, without(c, j))));
    }
  });
});
