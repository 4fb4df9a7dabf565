import { describe, expect, it } from 'vitest';

import { ThinSvd } from '../../../src/evaluation/svd/thin-svd';
import {
  METRIC_NAMES,
  computeMetrics,
  guardKey,
  guardNonFinite,
  isMetricAvailable,
  metricIndex,
  metricKey,
  metricKeys,
  saveLeftVectors,
  singularValues2x2,
} from '../../../src/evaluation/svd/metrics';
import { loadCases, loadPairs, toMatrix } from './fixtures';
import { column, jacobiSvd, random, randomOrthogonal, referenceGrassmannian, referenceMetrics, withSpectrum } from './reference';

/** Scale against which a metric's error is measured: gaps live on the scale of s1. */
function scaleOf(metric: string, s1: number, expected: number): number {
  return metric.startsWith('spectral_gap') ? Math.max(Math.abs(expected), s1) : Math.abs(expected);
}

describe('computeMetrics against numpy', () => {
  for (const c of loadCases()) {
    it(`${c.name}: the nine metrics match to 1e-9 relative`, () => {
      const svd = new ThinSvd(c.matrix.rows, c.matrix.cols).compute(toMatrix(c.matrix));
      const out = new Float64Array(METRIC_NAMES.length);
      computeMetrics(svd, { target: c.target, previousLeft: null }, out);
      for (const metric of METRIC_NAMES) {
        const expected = c.metrics[metric];
        const actual = out[metricIndex(metric)];
        if (expected === null || (metric === 'read_write_alignment' && !c.checkVectors)) {
          if (expected === null) expect(actual, metric).toBeNaN();
          continue;
        }
        expect(Math.abs(actual - expected), metric).toBeLessThanOrEqual(1e-9 * scaleOf(metric, c.singularValues[0], expected) + 1e-300);
      }
    });
  }

  it('condition number sits at the 1e6 cap for exact zero singular values', () => {
    const c = loadCases().find((x) => x.name.startsWith('rank 12 of 16'));
    if (c === undefined) throw new Error('fixture without the rank-deficient case');
    const out = new Float64Array(9);
    computeMetrics(new ThinSvd(16, 16).compute(toMatrix(c.matrix)), { target: 'qkt', previousLeft: null }, out);
    expect(out[metricIndex('condition_number')]).toBe(1e6);
  });
});

/** A = Q·diag(values)·Vᵀ with its left basis Q (m x m) given. */
function withLeftBasis(q: Float64Array, values: number[], m: number, n: number, seed: number): Float64Array {
  return withSpectrum(values, q, randomOrthogonal(n, seed), m, n);
}

/** Q·G, where G rotates columns (0, 2) by `a` and (1, 3) by `b`: its first two columns make principal angles a and b with Q's. */
function rotated(q: Float64Array, m: number, a: number, b: number): Float64Array {
  const out = q.slice();
  for (let i = 0; i < m; i++) {
    const [q0, q1, q2, q3] = [q[i * m], q[i * m + 1], q[i * m + 2], q[i * m + 3]];
    out[i * m] = Math.cos(a) * q0 + Math.sin(a) * q2;
    out[i * m + 2] = -Math.sin(a) * q0 + Math.cos(a) * q2;
    out[i * m + 1] = Math.cos(b) * q1 + Math.sin(b) * q3;
    out[i * m + 3] = -Math.sin(b) * q1 + Math.cos(b) * q3;
  }
  return out;
}

describe('computeMetrics against the formulas written out, on matrices with known spectra', () => {
  const spectra: Array<{ name: string; m: number; n: number; target: 'qkt' | 'avwo' | 'wvwo'; values: number[] }> = [
    { name: 'graded to 2e-6 (condition number 5e5, below the cap) 64x64 qkt', m: 64, n: 64, target: 'qkt', values: Array.from({ length: 64 }, (_, i) => 10 ** ((Math.log10(2e-6) * i) / 63)) },
    { name: 'rank 4 (condition number at the cap) 64x64 qkt', m: 64, n: 64, target: 'qkt', values: [5, 3, 2, 1, ...Array<number>(60).fill(0)] },
    { name: 'repeated and clustered values 64x128 avwo', m: 64, n: 128, target: 'avwo', values: [4, 3, 3, 3, 2 + 1e-12, 2, ...Array.from({ length: 58 }, (_, i) => 1 - i / 60)] },
    { name: 'flat spectrum 16x16 wvwo', m: 16, n: 16, target: 'wvwo', values: Array<number>(16).fill(0.5) },
  ];
  for (const c of spectra) {
    it(`${c.name}: all nine metrics match to 1e-9 relative (gaps to 1e-9·s1)`, () => {
      const q = randomOrthogonal(c.m, 31);
      const v = randomOrthogonal(c.n, 32);
      const previous = withLeftBasis(q, c.values.map((x, i) => x + (c.values.length - i) * 1e-3), c.m, c.n, 33);
      const a = withSpectrum(c.values, rotated(q, c.m, 0.4, 0.25), v, c.m, c.n);
      const svd = new ThinSvd(c.m, c.n);
      const left = new Float64Array(2 * c.m);
      saveLeftVectors(svd.compute(previous), left);
      const out = new Float64Array(9);
      computeMetrics(svd.compute(a), { target: c.target, previousLeft: left }, out);
      const reference = jacobiSvd(a, c.m, c.n);
      const grassmannian = c.values[1] > c.values[2] ? Math.hypot(0.4, 0.25) : null;
      const expected = referenceMetrics(reference.values, reference.left[0], reference.v1, c.m === c.n, c.target, grassmannian);
      for (const metric of METRIC_NAMES) {
        const want = expected[metric];
        const got = out[metricIndex(metric)];
        if (metric === 'grassmannian_distance' && c.target !== 'wvwo' && want === null) continue; // span undefined (s2 = s3)
        if (metric === 'read_write_alignment' && want !== null && reference.values[0] - reference.values[1] < 1e-6 * reference.values[0]) continue;
        if (want === null) {
          expect(got, metric).toBeNaN();
          continue;
        }
        expect(Math.abs(got - want), metric).toBeLessThanOrEqual(1e-9 * scaleOf(metric, c.values[0], want) + 1e-300);
      }
    });
  }
});

describe('grassmannian_distance on subspaces with known principal angles', () => {
  const m = 64;
  const q = randomOrthogonal(m, 41);
  const values = Array.from({ length: m }, (_, i) => 10 - i * 0.1);
  it.each([
    [0.3, 0.1],
    [0.7, 0.7],
    [Math.PI / 2, Math.PI / 2],
    [1e-3, 0.5],
    [0.2, 0],
  ])('angles (%f, %f) give sqrt(a² + b²) to 1e-9', (a, b) => {
    const svd = new ThinSvd(m, m);
    const left = new Float64Array(2 * m);
    saveLeftVectors(svd.compute(withLeftBasis(q, values, m, m, 42)), left);
    const out = new Float64Array(9);
    computeMetrics(svd.compute(withLeftBasis(rotated(q, m, a, b), values, m, m, 43)), { target: 'qkt', previousLeft: left }, out);
    const got = out[metricIndex('grassmannian_distance')];
    expect(Math.abs(got - Math.hypot(a, b))).toBeLessThan(1e-9);
    expect(Math.abs(got - referenceGrassmannian(column(q, m, 0), column(q, m, 1), svd.u1, svd.u2))).toBeLessThan(1e-9);
  });

  it('is defined when s1 = s2 (only the span is): repeated top pair, angles (0.3, 0.6)', () => {
    const repeated = [5, 5, ...values.slice(2)];
    const svd = new ThinSvd(m, 2 * m);
    const left = new Float64Array(2 * m);
    const v = randomOrthogonal(2 * m, 44);
    saveLeftVectors(svd.compute(withSpectrum(repeated, q, v, m, 2 * m)), left);
    const out = new Float64Array(9);
    computeMetrics(svd.compute(withSpectrum(repeated, rotated(q, m, 0.3, 0.6), v, m, 2 * m)), { target: 'avwo', previousLeft: left }, out);
    expect(Math.abs(out[metricIndex('grassmannian_distance')] - Math.hypot(0.3, 0.6))).toBeLessThan(1e-9);
  });

  it('between random 64x128 steps matches the reference decomposition', () => {
    const next = random(45);
    const a = Float64Array.from({ length: 64 * 128 }, next);
    const b = a.map((x) => x + 0.05 * next());
    const svd = new ThinSvd(64, 128);
    const left = new Float64Array(128);
    saveLeftVectors(svd.compute(a), left);
    const out = new Float64Array(9);
    computeMetrics(svd.compute(b), { target: 'avwo', previousLeft: left }, out);
    const ra = jacobiSvd(a, 64, 128);
    const rb = jacobiSvd(b, 64, 128);
    const want = referenceGrassmannian(ra.left[0], ra.left[1], rb.left[0], rb.left[1]);
    expect(Math.abs(out[metricIndex('grassmannian_distance')] - want)).toBeLessThanOrEqual(1e-9 * want);
  });
});

describe('grassmannian_distance against numpy', () => {
  for (const p of loadPairs()) {
    it(`${p.name}: the geodesic distance of consecutive steps matches to 1e-9 relative`, () => {
      const svd = new ThinSvd(p.previous.rows, p.previous.cols);
      const previous = new Float64Array(2 * p.previous.rows);
      saveLeftVectors(svd.compute(toMatrix(p.previous)), previous);
      const out = new Float64Array(9);
      computeMetrics(svd.compute(toMatrix(p.current)), { target: p.target, previousLeft: previous }, out);
      const actual = out[metricIndex('grassmannian_distance')];
      expect(Math.abs(actual - p.grassmannianDistance)).toBeLessThanOrEqual(1e-9 * p.grassmannianDistance);
    });
  }

  it('is NaN at the first step of a sequence and for the static wvwo target', () => {
    const svd = new ThinSvd(4, 4).compute(Float64Array.from({ length: 16 }, (_, i) => Math.sin(i + 1)));
    const previous = new Float64Array(8);
    saveLeftVectors(svd, previous);
    const out = new Float64Array(9);
    computeMetrics(svd, { target: 'qkt', previousLeft: null }, out);
    expect(out[metricIndex('grassmannian_distance')]).toBeNaN();
    computeMetrics(svd, { target: 'wvwo', previousLeft: previous }, out);
    expect(out[metricIndex('grassmannian_distance')]).toBeNaN();
    computeMetrics(svd, { target: 'qkt', previousLeft: previous }, out);
    // The same span: zero up to the arccos floor (acos(1 − ulp) ≈ 2e-8), which the reference shares.
    expect(out[metricIndex('grassmannian_distance')]).toBeLessThan(1e-7);
  });

  it('is sqrt(2)·π/2 between orthogonal planes', () => {
    const a = new Float64Array(16);
    a[0] = 3;
    a[5] = 2;
    const b = new Float64Array(16);
    b[10] = 3;
    b[15] = 2;
    const svd = new ThinSvd(4, 4);
    const previous = new Float64Array(8);
    saveLeftVectors(svd.compute(a), previous);
    const out = new Float64Array(9);
    computeMetrics(svd.compute(b), { target: 'avwo', previousLeft: previous }, out);
    expect(out[metricIndex('grassmannian_distance')]).toBeCloseTo(Math.SQRT2 * (Math.PI / 2), 14);
  });

  it('BAD CALL - previous vectors of another length are rejected', () => {
    const svd = new ThinSvd(4, 4).compute(Float64Array.from({ length: 16 }, (_, i) => i));
    expect(() => computeMetrics(svd, { target: 'qkt', previousLeft: new Float64Array(6) }, new Float64Array(9))).toThrow(
      /previousLeft has length 6, expected 8/,
    );
  });
});

describe('availability rules', () => {
  it('avwo never has read_write_alignment, even when square', () => {
    const svd = new ThinSvd(3, 3).compute(Float64Array.from([2, 1, 0, 1, 3, 1, 0, 1, 4]));
    const out = new Float64Array(9);
    computeMetrics(svd, { target: 'avwo', previousLeft: null }, out);
    expect(out[metricIndex('read_write_alignment')]).toBeNaN();
    computeMetrics(svd, { target: 'qkt', previousLeft: null }, out);
    expect(out[metricIndex('read_write_alignment')]).toBeGreaterThan(0);
  });

  it('read_write_alignment is NaN for non-square matrices of any target', () => {
    const svd = new ThinSvd(2, 3).compute(Float64Array.from([1, 2, 3, 4, 5, 6]));
    const out = new Float64Array(9);
    computeMetrics(svd, { target: 'qkt', previousLeft: null }, out);
    expect(out[metricIndex('read_write_alignment')]).toBeNaN();
  });

  it('spectral gaps need k >= 2, 3 and 5 singular values', () => {
    const svd = new ThinSvd(3, 5).compute(Float64Array.from({ length: 15 }, (_, i) => Math.cos(i)));
    const out = new Float64Array(9);
    computeMetrics(svd, { target: 'avwo', previousLeft: null }, out);
    expect(out[metricIndex('spectral_gap_1_2')]).not.toBeNaN();
    expect(out[metricIndex('spectral_gap_2_3')]).not.toBeNaN();
    expect(out[metricIndex('spectral_gap_4_5')]).toBeNaN();
  });

  it('isMetricAvailable excludes exactly two (target, metric) pairs', () => {
    expect(isMetricAvailable('avwo', 'read_write_alignment')).toBe(false);
    expect(isMetricAvailable('wvwo', 'grassmannian_distance')).toBe(false);
    expect(isMetricAvailable('qkt', 'read_write_alignment')).toBe(true);
    expect(isMetricAvailable('avwo', 'grassmannian_distance')).toBe(true);
  });
});

describe('keys', () => {
  it('METRIC_NAMES lists the nine slots in the reference order', () => {
    expect(METRIC_NAMES).toEqual([
      'stable_rank',
      'spectral_entropy',
      'spectral_gap_1_2',
      'spectral_gap_2_3',
      'spectral_gap_4_5',
      'condition_number',
      'rank1_residual_norm',
      'read_write_alignment',
      'grassmannian_distance',
    ]);
  });

  it('metricKey follows {target}.layer_{l}.head_{h}.{metric}', () => {
    expect(metricKey('qkt', 2, 0, 'stable_rank')).toBe('qkt.layer_2.head_0.stable_rank');
    expect(guardKey('avwo', 1, 3)).toBe('avwo.layer_1.head_3');
  });

  it('metricKeys orders targets qkt, wvwo, avwo, then layer, head, metric: 108 keys at anchor size', () => {
    const keys = metricKeys(4, 1);
    expect(keys).toHaveLength(108);
    expect(keys[0]).toBe('qkt.layer_0.head_0.stable_rank');
    expect(keys[9]).toBe('qkt.layer_1.head_0.stable_rank');
    expect(keys[36]).toBe('wvwo.layer_0.head_0.stable_rank');
    expect(keys[107]).toBe('avwo.layer_3.head_0.grassmannian_distance');
  });
});

describe('guardNonFinite', () => {
  it('replaces NaN by 0, +inf by 1e6 and -inf by -1e6 and reports it', () => {
    const a = Float64Array.from([1, Number.NaN, Number.POSITIVE_INFINITY, -2, Number.NEGATIVE_INFINITY]);
    expect(guardNonFinite(a)).toBe(true);
    expect(Array.from(a)).toEqual([1, 0, 1e6, -2, -1e6]);
  });

  it('leaves finite data alone and reports nothing', () => {
    const a = Float64Array.from([1, -1e300, 0, 5e-324]);
    expect(guardNonFinite(a)).toBe(false);
    expect(Array.from(a)).toEqual([1, -1e300, 0, 5e-324]);
  });

  it('touches only the given range', () => {
    const a = Float64Array.from([Number.NaN, 1, Number.NaN, Number.NaN]);
    expect(guardNonFinite(a, 1, 2)).toBe(true);
    expect(a[0]).toBeNaN();
    expect(a[2]).toBe(0);
    expect(a[3]).toBeNaN();
  });
});

describe('singularValues2x2', () => {
  it('matches the diagonal and rotation cases', () => {
    expect(singularValues2x2(3, 0, 0, -2)).toEqual([3, 2]);
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const [a, b] = singularValues2x2(c, -s, s, c);
    expect(a).toBeCloseTo(1, 15);
    expect(b).toBeCloseTo(1, 15);
  });
});
