import { describe, expect, test } from 'vitest';
import { correlationMatrix, pearson, spearman } from '../../../src/analysis/stats/correlation';
import { Rng } from '../../../src/random/rng';

const col = (...x: number[]) => Float64Array.from(x);
const NaN_ = Number.NaN;

describe('pearson', () => {
  test('matches the hand computation 6/√60 (scipy.stats.pearsonr gives 0.7745966692414835)', () => {
    expect(pearson(col(1, 2, 3, 4, 5), col(2, 4, 5, 4, 5))).toBeCloseTo(6 / Math.sqrt(60), 15);
  });

  test('uses the pairwise-complete rows only', () => {
    const x = col(1, 2, NaN_, 3, 4, 5, Number.POSITIVE_INFINITY);
    const y = col(2, 4, 100, 5, 4, 5, 7);
    expect(pearson(x, y)).toBeCloseTo(6 / Math.sqrt(60), 15);
  });

  test('is ±1 for exact linear relations and unaffected by a large common offset', () => {
    const x = col(1, 2, 3, 4, 5);
    expect(pearson(x, x.map((v) => 2 * v + 3))).toBeCloseTo(1, 15);
    expect(pearson(x, x.map((v) => -v))).toBeCloseTo(-1, 15);
    expect(pearson(x.map((v) => v + 1e9), col(2, 4, 5, 4, 5))).toBeCloseTo(6 / Math.sqrt(60), 12);
  });

  test('is NaN with fewer than 3 complete pairs or a column constant on them', () => {
    expect(pearson(col(1, 2, NaN_), col(1, 2, 3))).toBeNaN();
    expect(pearson(col(0.1, 0.1, 0.1, 0.1), col(1, 2, 3, 4))).toBeNaN();
  });

  test('BAD CALL - refuses unaligned columns', () => {
    expect(() => pearson(col(1, 2, 3), col(1, 2))).toThrow(/aligned, got lengths 3 and 2/);
  });
});

describe('spearman', () => {
  test('is Pearson of the mid-ranks: 7/√90 by hand (scipy.stats.spearmanr gives 0.7378647873726218)', () => {
    // Ranks of y = [2, 4, 5, 4, 5]: [1, 2.5, 4.5, 2.5, 4.5].
    expect(spearman(col(1, 2, 3, 4, 5), col(2, 4, 5, 4, 5))).toBeCloseTo(7 / Math.sqrt(90), 15);
  });

  test('ranks over the complete rows, not over each column before dropping', () => {
    // Row 2 is dropped (x missing). Ranked after dropping, y = [2, 4, 5, 4, 5] -> 7/√90; ranked
    // before dropping, its 4.5 would push the 5s to rank 5.5 and give 0.7071067811865476.
    const x = col(1, 2, NaN_, 3, 4, 5);
    const y = col(2, 4, 4.5, 5, 4, 5);
    expect(spearman(x, y)).toBeCloseTo(7 / Math.sqrt(90), 15);
  });

  test('is 1 for any strictly increasing relation', () => {
    expect(spearman(col(1, 2, 3, 4), col(1, 10, 100, 1000))).toBeCloseTo(1, 15);
  });
});

describe('correlationMatrix', () => {
  /** Six aligned columns: a, b ≈ 2a (redundant), c all missing, d constant, e independent with gaps, f ≈ −a. */
  function columns(): { names: string[]; values: Float64Array[] } {
    const rng = Rng.derive(8, 'matrix');
    const n = 120;
    const a = Float64Array.from({ length: n }, () => rng.normal());
    const b = a.map((x) => 2 * x + 0.05 * rng.normal());
    const c = new Float64Array(n).fill(NaN_);
    const d = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN_ : 3));
    const e = Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? NaN_ : rng.normal()));
    const f = a.map((x, i) => (i % 9 === 0 ? NaN_ : -x + 0.1 * rng.normal()));
    return { names: ['a', 'b', 'c', 'd', 'e', 'f'], values: [a, b, c, d, e, f] };
  }

  test('excludes all-missing and constant columns and lists them with the reason', () => {
    const { names, values } = columns();
    const result = correlationMatrix(values, names, 'pearson');
    expect(result.metricNames).toEqual(['a', 'b', 'e', 'f']);
    expect(result.excluded).toEqual([
      { metric: 'c', reason: 'all_missing' },
      { metric: 'd', reason: 'constant' },
    ]);
  });

  for (const method of ['pearson', 'spearman'] as const) {
    test(`holds the pairwise-complete ${method} coefficient of every pair, symmetric with a unit diagonal`, () => {
      const { names, values } = columns();
      const result = correlationMatrix(values, names, method);
      const direct = method === 'pearson' ? pearson : spearman;
      const kept = result.metricNames.map((name) => values[names.indexOf(name)]);
      for (let i = 0; i < kept.length; i++) {
        expect(result.matrix[i][i]).toBe(1);
        for (let j = 0; j < kept.length; j++) {
          if (i !== j) expect(result.matrix[i][j]).toBe(direct(kept[i], kept[j]));
        }
      }
    });

    test(`flags |${method} rho| > 0.9 as redundant, in both directions of association`, () => {
      const { names, values } = columns();
      const result = correlationMatrix(values, names, method);
      expect(result.redundantPairs.map(({ a, b }) => `${a}-${b}`)).toEqual(['a-b', 'a-f', 'b-f']);
      expect(result.redundantPairs.find((pair) => pair.b === 'f' && pair.a === 'a')!.rho).toBeLessThan(-0.9);
    });
  }

  test('puts NaN where a pair has fewer than 3 complete rows, without flagging it', () => {
    const x = col(1, 2, NaN_, NaN_, 5);
    const y = col(NaN_, NaN_, 3, 4, 1);
    const result = correlationMatrix([x, y], ['x', 'y'], 'spearman');
    expect(result.matrix[0][1]).toBeNaN();
    expect(result.redundantPairs).toEqual([]);
  });

  test('BAD CALL - refuses columns of different lengths or a name count that does not match', () => {
    expect(() => correlationMatrix([col(1, 2, 3), col(1, 2)], ['x', 'y'], 'pearson')).toThrow(/column 'y' has 2 rows, expected 3/);
    expect(() => correlationMatrix([col(1, 2, 3)], ['x', 'y'], 'pearson')).toThrow(/1 columns but 2 names/);
  });
});
