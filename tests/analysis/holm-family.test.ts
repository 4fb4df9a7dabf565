import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../../src/analysis/analysis-schema';
import { applyHolmFamily } from '../../src/analysis/holm-family';

/** A record with only the fields the family reads. */
function record(metric: string, r: number, pValue: number | null, isPrimary = true): MetricRecord {
  return {
    r,
    metric,
    is_primary: isPrimary,
    tier: 'full',
    n_violation: 10,
    n_control: 10,
    auroc_by_lookback: [],
    n_valid_by_lookback: [],
    cohens_d_by_lookback: [],
    max_auroc: null,
    max_auroc_lookback: 0,
    horizon: 0,
    contiguous_horizon: 0,
    direction_free: { max_auroc: null, horizon: 0, sign: 0 },
    permutation: pValue === null ? null : { n_permutations: 100, p_value: pValue, null_mean: null, null_p95: null, flag: false },
    bootstrap: null,
    holm: null,
  };
}

describe('applyHolmFamily', () => {
  it('adjusts every (primary metric, r) pair on its own, across r values, leaving others out', () => {
    const key = 'qkt.layer_0.head_0.spectral_entropy';
    const other = 'avwo.layer_1.head_0.stable_rank';
    const records = [
      record(key, 8, 0.01),
      record(key, 16, 0.04),
      record(other, 8, 0.03),
      record(other, 16, 0.005),
      record('qkt.layer_0.head_0.condition_number', 8, 0.001, false), // not primary
      record(key, 32, null), // no permutation: not in the family
    ];
    const summary = applyHolmFamily(records, 0.05);
    // Textbook Holm on [0.01, 0.04, 0.03, 0.005] (m = 4): sorted 0.005*4, 0.01*3, 0.03*2, 0.04*1
    // = 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06.
    expect(summary.family_size).toBe(4);
    expect(summary.family.map((f) => [f.metric, f.r, f.p_adjusted, f.reject])).toEqual([
      [key, 8, 0.03, true],
      [key, 16, 0.06, false],
      [other, 8, 0.06, false],
      [other, 16, 0.02, true],
    ]);
    // The same key at different r keeps different adjusted values (the reference overwrote them).
    expect(records[0].holm).toEqual({ p_adjusted: 0.03, reject: true });
    expect(records[1].holm).toEqual({ p_adjusted: 0.06, reject: false });
    expect(records[4].holm).toBeNull();
    expect(records[5].holm).toBeNull();
  });
});
