import { describe, expect, test } from 'vitest';
import { auroc } from '../../../src/analysis/stats/auroc';
import { jackknifeAurocs, poolForAuroc } from '../../../src/analysis/stats/auroc-resampling';
import { acceleration, bcaLevels, biasCorrection } from '../../../src/analysis/stats/bca';
import { aurocBootstrapDistribution, bcaBootstrapAuroc, type BootstrapCi } from '../../../src/analysis/stats/bootstrap-bca';
import { normalCdf, normalQuantile } from '../../../src/analysis/stats/normal';
import { addResampleCounts } from '../../../src/analysis/stats/resample-counts';
import { Rng } from '../../../src/random/rng';

// ---------------------------------------------------------------------------------------------
// A direct, slow BCa: the same draws, but every resample materialised and re-sorted, every
// jackknife value recomputed, and every formula written out here (as in Efron & Tibshirani and
// SciPy's _bca_interval), sharing only the index draws and Φ / Φ⁻¹ with the code under test.

/** Rank-sum AUROC by sorting (value, class) pairs and assigning mid-ranks. */
function sortedRankAuroc(v: number[], c: number[]): number {
  const pooled = [...v.map((x) => ({ x, violation: true })), ...c.map((x) => ({ x, violation: false }))];
  pooled.sort((a, b) => a.x - b.x);
  let rankSum = 0;
  for (let start = 0; start < pooled.length; ) {
    let end = start;
    while (end < pooled.length && pooled[end].x === pooled[start].x) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) if (pooled[k].violation) rankSum += rank;
    start = end;
  }
  return (rankSum - (v.length * (v.length + 1)) / 2) / (v.length * c.length);
}

/** Draws one resample of `values` exactly as the bootstrap does, and materialises it. */
function materialisedResample(rng: Rng, values: number[]): number[] {
  const counts = new Int32Array(values.length);
  addResampleCounts(rng, Uint32Array.from(values, (_, i) => i), counts);
  return values.flatMap((x, i) => new Array<number>(counts[i]).fill(x));
}

/** numpy.quantile(sorted, p), method 'linear'. */
function numpyQuantile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = h - lo;
  const d = sorted[hi] - sorted[lo];
  return t >= 0.5 ? sorted[hi] - d * (1 - t) : sorted[lo] + d * t;
}

function slowBca(v: number[], c: number[], nResamples: number, rng: Rng, confidence: number): { ci: BootstrapCi; distribution: number[] } {
  const distribution: number[] = [];
  for (let b = 0; b < nResamples; b++) {
    const rv = materialisedResample(rng, v);
    const rc = materialisedResample(rng, c);
    distribution.push(sortedRankAuroc(rv, rc));
  }
  const estimate = sortedRankAuroc(v, c);
  const below = distribution.filter((t) => t < estimate).length + distribution.filter((t) => t <= estimate).length;
  const z0 = normalQuantile(below / (2 * nResamples));
  const jackknife = [v.map((_, i) => sortedRankAuroc(v.filter((__, k) => k !== i), c)), c.map((_, j) => sortedRankAuroc(v, c.filter((__, k) => k !== j)))];
  let num = 0;
  let den = 0;
  for (const values of jackknife) {
    const n = values.length;
    const mean = values.reduce((s, x) => s + x, 0) / n;
    const u = values.map((x) => (n - 1) * (mean - x));
    num += u.reduce((s, x) => s + x ** 3, 0) / n ** 3;
    den += u.reduce((s, x) => s + x ** 2, 0) / n ** 2;
  }
  const a = ((1 / 6) * num) / den ** 1.5;
  const alpha = (1 - confidence) / 2;
  const level = (z: number) => normalCdf(z0 + (z0 + z) / (1 - a * (z0 + z)));
  const sorted = [...distribution].sort((x, y) => x - y);
  const levels = [level(normalQuantile(alpha)), level(-normalQuantile(alpha))];
  const ci: BootstrapCi = levels.every(Number.isFinite)
    ? { low: numpyQuantile(sorted, levels[0]), high: numpyQuantile(sorted, levels[1]), method: 'bca', nResamples }
    : { low: numpyQuantile(sorted, alpha), high: numpyQuantile(sorted, 1 - alpha), method: 'percentile', nResamples };
  return { ci, distribution };
}

// ---------------------------------------------------------------------------------------------

/** Integer-pattern samples, exact in any language (used to get SciPy's numbers). */
function patternSamples(nv: number, nc: number, shift: number): { v: Float64Array; c: Float64Array } {
  return {
    v: Float64Array.from({ length: nv }, (_, i) => ((i * 37 + 11) % 23) / 4 + shift),
    c: Float64Array.from({ length: nc }, (_, i) => ((i * 29 + 5) % 19) / 4),
  };
}

function expectSameInterval(actual: BootstrapCi, expected: BootstrapCi): void {
  expect(actual.method).toBe(expected.method);
  expect(actual.nResamples).toBe(expected.nResamples);
  expect(Math.abs(actual.low - expected.low)).toBeLessThanOrEqual(1e-12);
  expect(Math.abs(actual.high - expected.high)).toBeLessThanOrEqual(1e-12);
}

describe('bcaBootstrapAuroc against a direct slow implementation', () => {
  const cases: Array<[string, () => { v: Float64Array; c: Float64Array }, number]> = [
    ['tied integer values', () => {
      const rng = Rng.derive(21, 'tied');
      return { v: Float64Array.from({ length: 23 }, () => rng.int(7) + 1), c: Float64Array.from({ length: 31 }, () => rng.int(7)) };
    }, 0.95],
    ['continuous values, unequal classes, 80 % confidence', () => {
      const rng = Rng.derive(22, 'continuous');
      return { v: Float64Array.from({ length: 17 }, () => rng.normal() + 0.7), c: Float64Array.from({ length: 12 }, () => rng.normal()) };
    }, 0.8],
  ];
  for (const [label, data, confidence] of cases) {
    test(`gives the same resampled AUROCs and the same bounds (${label})`, () => {
      const { v, c } = data();
      const nResamples = 400;
      const slow = slowBca([...v], [...c], nResamples, Rng.derive(9, label), confidence);
      const distribution = aurocBootstrapDistribution(poolForAuroc(v, c), nResamples, Rng.derive(9, label));
      expect([...distribution]).toEqual(slow.distribution);
      const ci = bcaBootstrapAuroc(v, c, { nResamples, confidence, rng: Rng.derive(9, label) });
      expectSameInterval(ci, slow.ci);
      expect(ci.method).toBe('bca');
    });
  }

  test('falls back to the percentile interval where the acceleration is undefined (perfect separation)', () => {
    const v = Float64Array.from([5, 6, 7, 8]);
    const c = Float64Array.from([1, 2, 3]);
    const ci = bcaBootstrapAuroc(v, c, { nResamples: 200, rng: Rng.derive(3, 'separated') });
    expectSameInterval(ci, slowBca([...v], [...c], 200, Rng.derive(3, 'separated'), 0.95).ci);
    expect(ci).toEqual({ low: 1, high: 1, method: 'percentile', nResamples: 200 });
  });
});

describe('bcaBootstrapAuroc against SciPy', () => {
  // Data: patternSamples(40, 55, 1); resamples: our aurocBootstrapDistribution(pool, 2000,
  // Rng.derive(2024, 'scipy-check')) dumped to JSON and passed to SciPy 1.17.1's
  // scipy.stats._resampling._bca_interval with statistic mannwhitneyu(x, y).statistic/(nx·ny),
  // then scipy.stats.quantile / numpy.percentile at the returned levels.
  const { v, c } = patternSamples(40, 55, 1);
  const rng = () => Rng.derive(2024, 'scipy-check');

  test('reproduces the estimate, z0, acceleration and levels of scipy _bca_interval', () => {
    const pool = poolForAuroc(v, c);
    const distribution = aurocBootstrapDistribution(pool, 2000, rng());
    expect(auroc(v, c)).toBe(0.7381818181818182);
    const z0 = biasCorrection(distribution, auroc(v, c));
    expect(z0).toBeCloseTo(-0.044507341634084804, 14);
    const jackknife = jackknifeAurocs(pool);
    const a = acceleration([jackknife.violations, jackknife.controls]);
    expect(Math.abs(a / -0.008623304291538098 - 1)).toBeLessThan(1e-12);
    const [low, high] = bcaLevels(z0, a, 0.95);
    expect(low).toBeCloseTo(0.018569365926116774, 14);
    expect(high).toBeCloseTo(0.9671030127393662, 14);
  });

  test('gives SciPy\'s BCa bounds at 95 % and 90 % confidence', () => {
    const ci95 = bcaBootstrapAuroc(v, c, { nResamples: 2000, rng: rng() });
    expect(ci95.method).toBe('bca');
    expect(ci95.low).toBeCloseTo(0.6299092755526221, 12);
    expect(ci95.high).toBeCloseTo(0.826590909090909, 12);
    const ci90 = bcaBootstrapAuroc(v, c, { nResamples: 2000, rng: rng(), confidence: 0.9 });
    expect(ci90.low).toBeCloseTo(0.6464226880432018, 12);
    expect(ci90.high).toBeCloseTo(0.8127272727272727, 12);
  });

  test('agrees with scipy.stats.bootstrap(method="BCa") within Monte Carlo error, and not with the percentile method', () => {
    // scipy.stats.bootstrap((v, c), auroc, n_resamples=10000, rng=default_rng(seed)) over seeds
    // 0..19: BCa (0.85952 ± 0.00092, 0.94790 ± 0.00056); percentile (0.86562, 0.95118).
    const data = patternSamples(60, 90, 2.5);
    const ci = bcaBootstrapAuroc(data.v, data.c);
    expect(ci.method).toBe('bca');
    expect(Math.abs(ci.low - 0.85952)).toBeLessThan(0.003);
    expect(Math.abs(ci.high - 0.9479)).toBeLessThan(0.002);
    expect(Math.abs(ci.low - 0.85952)).toBeLessThan(Math.abs(ci.low - 0.86562));
  });
});

describe('bcaBootstrapAuroc', () => {
  test('contains the estimate for a clear effect and 0.5 for no effect', () => {
    const rng = Rng.derive(4, 'effect');
    const draw = (n: number, shift: number) => Float64Array.from({ length: n }, () => rng.normal() + shift);
    const v = draw(200, 1);
    const c = draw(300, 0);
    const ci = bcaBootstrapAuroc(v, c, { nResamples: 2000 });
    const estimate = auroc(v, c);
    expect(ci.low).toBeLessThan(estimate);
    expect(ci.high).toBeGreaterThan(estimate);
    expect(ci.low).toBeGreaterThan(0.7); // AUROC of a 1-SD shift is Φ(1/√2) ≈ 0.76
    expect(ci.high).toBeLessThanOrEqual(1);
    const nullCi = bcaBootstrapAuroc(draw(150, 0), draw(150, 0), { nResamples: 2000 });
    expect(nullCi.low).toBeLessThan(0.5);
    expect(nullCi.high).toBeGreaterThan(0.5);
  });

  test('drops non-finite values first', () => {
    const { v, c } = patternSamples(20, 25, 1);
    const withGaps = (x: Float64Array) => Float64Array.from([Number.NaN, ...x, Number.POSITIVE_INFINITY]);
    const options = () => ({ nResamples: 300, rng: Rng.derive(8, 'gaps') });
    expect(bcaBootstrapAuroc(withGaps(v), withGaps(c), options())).toEqual(bcaBootstrapAuroc(v, c, options()));
  });

  test('is NaN with method "none" when a class has fewer than 3 finite values', () => {
    const ci = bcaBootstrapAuroc(Float64Array.from([1, 2, Number.NaN]), Float64Array.from([0, 1, 2, 3]), { nResamples: 10 });
    expect(ci.method).toBe('none');
    expect(ci.low).toBeNaN();
    expect(ci.high).toBeNaN();
    expect(ci.nResamples).toBe(10);
  });

  test('is reproducible: the default stream (seed 42) gives the same interval every time', () => {
    const { v, c } = patternSamples(30, 30, 1);
    expect(bcaBootstrapAuroc(v, c, { nResamples: 500 })).toEqual(bcaBootstrapAuroc(v, c, { nResamples: 500 }));
    expect(bcaBootstrapAuroc(v, c, { nResamples: 500 })).not.toEqual(bcaBootstrapAuroc(v, c, { nResamples: 500, rng: Rng.derive(43, 'bootstrap-bca') }));
  });

  test('BAD CALL - rejects a confidence outside (0, 1) or a non-integer number of resamples', () => {
    const { v, c } = patternSamples(5, 5, 1);
    expect(() => bcaBootstrapAuroc(v, c, { confidence: 1 })).toThrow(RangeError);
    expect(() => bcaBootstrapAuroc(v, c, { confidence: 95 })).toThrow(/confidence must be in \(0, 1\), got 95/);
    expect(() => bcaBootstrapAuroc(v, c, { nResamples: 0 })).toThrow(/nResamples must be a positive integer, got 0/);
    expect(() => bcaBootstrapAuroc(v, c, { nResamples: 2.5 })).toThrow(RangeError);
  });
});
