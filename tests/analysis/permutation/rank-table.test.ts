import { describe, expect, it } from 'vitest';
import { rankTable } from '../../../src/analysis/permutation/rank-table';
import { rankSumOf, rankWeights, validCountOf, weightLayout } from '../../../src/analysis/permutation/rank-weights';
import { midRanks } from '../../../src/analysis/stats/ranks';
import { Rng } from '../../../src/random/rng';

describe('rankTable', () => {
  it('gives twice the mid-ranks among the finite values, and 0 elsewhere', () => {
    const rng = Rng.derive(4, 'rank-table');
    const n = 3000;
    const columns = [
      Float64Array.from({ length: n }, () => (rng.float() < 0.1 ? Number.NaN : rng.normal() * 1e6)),
      Float64Array.from({ length: n }, () => rng.int(7) - 3), // heavy ties, negatives
      Float64Array.from({ length: n }, () => (rng.float() < 0.5 ? Number.POSITIVE_INFINITY : rng.float() * 1e-310)), // subnormals
      new Float64Array(n).fill(2.5),
    ];
    columns[0].set([-0, 0, Number.NEGATIVE_INFINITY, -Number.MAX_VALUE, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE]);
    const table = rankTable(columns, n);
    columns.forEach((column, j) => {
      const valid = [...column.keys()].filter((e) => Number.isFinite(column[e]));
      const ranks = midRanks(Float64Array.from(valid, (e) => column[e]));
      const expected = new Int32Array(n);
      valid.forEach((e, i) => (expected[e] = 2 * ranks[i]));
      expect(Array.from(table.rank2.subarray(j * n, (j + 1) * n))).toEqual(Array.from(expected));
      expect(table.nValid[j]).toBe(valid.length);
    });
    // -0 and +0 are one value: a tie.
    expect(table.rank2[0]).toBe(table.rank2[1]);
  });

  it('BAD CALL - rejects a column of another length', () => {
    expect(() => rankTable([new Float64Array(3), new Float64Array(2)], 3)).toThrow(/values\[1\] has 2 events, expected 3/);
  });
});

describe('rankWeights', () => {
  it('splits each doubled rank into base-128 digits plus a validity column that decode back', () => {
    const rng = Rng.derive(6, 'weights');
    const n = 9000; // lookback 1 has no NaN: doubled ranks up to 18,000 ≥ 128², three digits
    const columns = Array.from({ length: 3 }, (_, j) => Float64Array.from({ length: n }, () => (j > 0 && rng.float() < 0.2 ? Number.NaN : rng.float())));
    const table = rankTable(columns, n);
    const layout = weightLayout(table);
    expect(layout).toEqual({ lookbacks: 3, digits: 3, columns: 12 });
    const weights = rankWeights(table, layout);
    expect(weights.every((w) => w >= 0 && w <= 127)).toBe(true);
    for (const e of [0, 1, 4321, n - 1]) {
      const row = Int32Array.from(weights.subarray(e * layout.columns, (e + 1) * layout.columns));
      for (let j = 0; j < 3; j++) {
        expect(rankSumOf(row, 0, layout, j)).toBe(table.rank2[j * n + e]);
        expect(validCountOf(row, 0, layout, j)).toBe(table.rank2[j * n + e] > 0 ? 1 : 0);
      }
    }
  });

  it('uses one digit when every doubled rank is below 128', () => {
    const table = rankTable([Float64Array.from({ length: 63 }, (_, e) => e)], 63);
    expect(weightLayout(table)).toEqual({ lookbacks: 1, digits: 1, columns: 2 });
  });
});
