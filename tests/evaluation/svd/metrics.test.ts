import { describe, expect, it } from 'vitest';

import { ThinSvd } from '../../../src/evaluation/svd/jacobi-svd';
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
