import { describe, expect, it } from 'vitest';
import { permutationControl } from '../../../src/analysis/permutation';
import { auroc } from '../../../src/analysis/stats/auroc';
import { mean, percentile } from '../../../src/analysis/stats/percentile';
import { Cancelled } from '../../../src/errors';
import { Rng } from '../../../src/random/rng';
import { referencePermutationControl } from './reference';

interface Scenario {
  name: string;
  n: number;
  r: number;
  nViolations: number;
  /** Distinct value levels per lookback: few levels make many ties. */
  levels: number;
  /** Fraction of values set to NaN. */
  missing: number;
  nPermutations: number;
}

/** Random labels with exactly nViolations ones, and r columns of tied, partly missing values. */
function scenarioData(s: Scenario, seed: number): { values: Float64Array[]; isViolation: Uint8Array } {
  const rng = Rng.derive(seed, 'permutation-test-data', s.name);
  const isViolation = new Uint8Array(s.n);
  for (const e of rng.sampleWithoutReplacement(s.n, s.nViolations)) isViolation[e] = 1;
  const values = Array.from({ length: s.r }, (_, j) =>
    Float64Array.from({ length: s.n }, (_, e) => {
      if (rng.float() < s.missing) return Number.NaN;
      // A mild effect in some lookbacks so observed maxima differ from the nulls' bulk.
      return rng.int(s.levels) + (j % 2 === 0 ? 0.3 * isViolation[e] * rng.int(3) : 0);
    }),
  );
  return { values, isViolation };
}

const SCENARIOS: Scenario[] = [
  { name: 'violations the smaller class, coin-flip subsets', n: 40, r: 5, nViolations: 15, levels: 6, missing: 0.1, nPermutations: 300 },
  { name: 'violations the larger class, Floyd subsets of controls', n: 50, r: 4, nViolations: 35, levels: 20, missing: 0.05, nPermutations: 300 },
  { name: 'few violations', n: 33, r: 6, nViolations: 5, levels: 4, missing: 0.2, nPermutations: 300 },
  { name: 'exactly half', n: 64, r: 3, nViolations: 32, levels: 1000, missing: 0, nPermutations: 300 },
  { name: 'two-digit ranks', n: 200, r: 8, nViolations: 120, levels: 30, missing: 0.1, nPermutations: 150 },
  { name: 'binary values, many nulls tie the observed', n: 10, r: 2, nViolations: 4, levels: 2, missing: 0, nPermutations: 500 },
  { name: 'three-digit ranks', n: 9000, r: 2, nViolations: 3000, levels: 500, missing: 0.02, nPermutations: 12 },
];

describe('permutationControl', () => {
  for (const scenario of SCENARIOS) {
    it(`equals the direct implementation exactly: ${scenario.name}`, async () => {
      const { values, isViolation } = scenarioData(scenario, 1);
      const fast = await permutationControl({ values, isViolation, nPermutations: scenario.nPermutations, seed: 99 });
      const slow = referencePermutationControl(values, isViolation, scenario.nPermutations, 99);
      expect(fast.observed).toBe(slow.observed);
      expect(Array.from(fast.nullMax)).toEqual(Array.from(slow.nullMax));
      expect(fast.pValue).toBe(slow.pValue);
      expect(fast.nullMean).toBe(mean(slow.nullMax));
      expect(fast.nullP95).toBe(percentile(slow.nullMax, 95));
      expect(fast.nFinite).toBe(slow.nullMax.filter(Number.isFinite).length);
    });
  }

  it('counts nulls that equal the observed statistic exactly (ties are frequent with binary values)', async () => {
    const scenario = SCENARIOS.find((s) => s.levels === 2) as Scenario;
    const { values, isViolation } = scenarioData(scenario, 1);
    const result = await permutationControl({ values, isViolation, nPermutations: scenario.nPermutations, seed: 99 });
    const equal = result.nullMax.filter((x) => x === result.observed).length;
    expect(equal).toBeGreaterThan(10);
    const atLeast = result.nullMax.filter((x) => x >= result.observed).length;
    expect(result.pValue).toBe((1 + atLeast) / (1 + scenario.nPermutations));
  });

  it('observed statistic is the maximum over lookbacks of the stage AUROC', async () => {
    const { values, isViolation } = scenarioData(SCENARIOS[0], 1);
    const perLookback = values.map((column) => {
      const v = column.filter((_, e) => isViolation[e] === 1);
      const c = column.filter((_, e) => isViolation[e] === 0);
      return auroc(v, c);
    });
    const result = await permutationControl({ values, isViolation, nPermutations: 1, seed: 1 });
    expect(result.observed).toBe(Math.max(...perLookback.filter(Number.isFinite)));
  });

  it('skips lookbacks with fewer than 2 valid events of a class, and is NaN when none is left', async () => {
    const n = 30;
    const isViolation = Uint8Array.from({ length: n }, (_, e) => (e < 10 ? 1 : 0));
    const rng = Rng.derive(3, 'sparse');
    const dense = Float64Array.from({ length: n }, () => rng.float());
    const oneViolation = Float64Array.from({ length: n }, (_, e) => (e === 0 || e >= 10 ? rng.float() : Number.NaN));
    const empty = new Float64Array(n).fill(Number.NaN);
    const withDense = await permutationControl({ values: [oneViolation, dense, empty], isViolation, nPermutations: 200, seed: 5 });
    const slow = referencePermutationControl([oneViolation, dense, empty], isViolation, 200, 5);
    expect(Array.from(withDense.nullMax)).toEqual(Array.from(slow.nullMax));
    expect(withDense.pValue).toBe(slow.pValue);

    const none = await permutationControl({ values: [empty, empty], isViolation, nPermutations: 50, seed: 5 });
    expect(none.observed).toBeNaN();
    expect(none.pValue).toBeNaN();
    expect(none.nFinite).toBe(0);
    expect(none.nullMean).toBeNaN();
    expect(none.nullP95).toBeNaN();
  });

  it('is all NaN with fewer than 2 events of a class', async () => {
    const values = [Float64Array.from({ length: 12 }, (_, e) => e)];
    const isViolation = Uint8Array.from({ length: 12 }, (_, e) => (e === 3 ? 1 : 0));
    const result = await permutationControl({ values, isViolation, nPermutations: 20, seed: 1 });
    expect(result.observed).toBeNaN();
    expect(result.pValue).toBeNaN();
    expect(result.nFinite).toBe(0);
    expect(result.nullMax.every(Number.isNaN)).toBe(true);
  });

  it('gives the same nulls whatever the batch size', async () => {
    const { values, isViolation } = scenarioData(SCENARIOS[1], 2);
    const runs = await Promise.all([1, 7, 64, 1000].map((batchSize) => permutationControl({ values, isViolation, nPermutations: 100, seed: 4, batchSize })));
    for (const run of runs.slice(1)) {
      expect(Array.from(run.nullMax)).toEqual(Array.from(runs[0].nullMax));
      expect(run.pValue).toBe(runs[0].pValue);
    }
  });

  it('is deterministic for a seed and stream, and changes with either', async () => {
    const { values, isViolation } = scenarioData(SCENARIOS[0], 3);
    const run = (seed: number, stream?: string[]) => permutationControl({ values, isViolation, nPermutations: 100, seed, stream });
    const [a, b, c, d] = await Promise.all([run(11), run(11), run(12), run(11, ['other'])]);
    expect(Array.from(a.nullMax)).toEqual(Array.from(b.nullMax));
    expect(Array.from(a.nullMax)).not.toEqual(Array.from(c.nullMax));
    expect(Array.from(a.nullMax)).not.toEqual(Array.from(d.nullMax));
  });

  it('gives p = 1/(N + 1) for a perfect separation', async () => {
    const n = 80;
    const isViolation = Uint8Array.from({ length: n }, (_, e) => (e % 3 === 0 ? 1 : 0));
    const rng = Rng.derive(8, 'strong');
    const values = Array.from({ length: 4 }, () => Float64Array.from(isViolation, (label) => label * 10 + rng.float()));
    const result = await permutationControl({ values, isViolation, nPermutations: 500, seed: 8 });
    expect(result.observed).toBe(1);
    expect(result.pValue).toBe(1 / 501);
    expect(result.nullP95).toBeLessThan(0.8);
  });

  it('keeps p-values within [1/(N + 1), 1] and roughly uniform when labels carry no information', async () => {
    const nPermutations = 99;
    const pValues: number[] = [];
    for (let dataset = 0; dataset < 40; dataset++) {
      const rng = Rng.derive(21, 'null-datasets', dataset);
      const n = 40;
      const isViolation = new Uint8Array(n);
      for (const e of rng.sampleWithoutReplacement(n, 16)) isViolation[e] = 1;
      const values = Array.from({ length: 3 }, () => Float64Array.from({ length: n }, () => rng.normal()));
      const result = await permutationControl({ values, isViolation, nPermutations, seed: dataset });
      expect(result.pValue).toBeGreaterThanOrEqual(1 / (nPermutations + 1));
      expect(result.pValue).toBeLessThanOrEqual(1);
      pValues.push(result.pValue);
    }
    // Under the null, p is (close to) uniform: mean 0.5, about 10% at or below 0.1.
    const average = pValues.reduce((s, p) => s + p, 0) / pValues.length;
    expect(average).toBeGreaterThan(0.35);
    expect(average).toBeLessThan(0.65);
    expect(pValues.filter((p) => p <= 0.1).length).toBeLessThanOrEqual(10);
  });

  it('BAD CALL - rejects a column whose length differs from the labels', async () => {
    const call = permutationControl({ values: [new Float64Array(5), new Float64Array(4)], isViolation: new Uint8Array(5), seed: 1 });
    await expect(call).rejects.toThrow(RangeError);
    await expect(call).rejects.toThrow(/values\[1\] has 4 events, isViolation has 5/);
  });

  it('BAD CALL - rejects labels other than 0 and 1', async () => {
    const call = permutationControl({ values: [new Float64Array(3)], isViolation: Uint8Array.of(0, 2, 1), seed: 1 });
    await expect(call).rejects.toThrow(/isViolation\[1\] must be 0 or 1, got 2/);
  });

  it('BAD CALL - rejects a fractional permutation count', async () => {
    const call = permutationControl({ values: [new Float64Array(3)], isViolation: new Uint8Array(3), seed: 1, nPermutations: 2.5 });
    await expect(call).rejects.toThrow(/nPermutations must be a non-negative integer, got 2.5/);
  });

  it('EXPECTED FAILURE - stops with Cancelled when the signal is aborted', async () => {
    const { values, isViolation } = scenarioData(SCENARIOS[0], 1);
    const controller = new AbortController();
    controller.abort();
    const call = permutationControl({ values, isViolation, seed: 1, nPermutations: 10, signal: controller.signal });
    await expect(call).rejects.toThrow(Cancelled);
  });
});
