import { describe, expect, it } from 'vitest';
import { applyContaminationFilter, extractEvents, groupByR } from '../../src/analysis/events';
import { lookbackValues, TokenRowIndex } from '../../src/analysis/lookback-values';

describe('TokenRowIndex', () => {
  it('maps (sequence, step) to the row of token_metrics, steps 0 .. length - 2 per sequence', () => {
    const index = new TokenRowIndex(Int32Array.from([4, 1, 3]));
    expect(index.rows).toBe(3 + 0 + 2);
    expect([index.row(0, 0), index.row(0, 2), index.row(0, 3), index.row(1, 0), index.row(2, 0), index.row(2, 1), index.row(2, -1)]).toEqual([0, 2, -1, -1, 3, 4, -1]);
  });
});

describe('lookbackValues', () => {
  it('reads step R - j for j = 1..r, NaN outside the sequence or where the metric is not finite', () => {
    // Two sequences of length 6 (rows 0-4 and 5-9); the column value encodes 10*sequence + step.
    const index = new TokenRowIndex(Int32Array.from([6, 6]));
    const column = Float64Array.from({ length: 10 }, (_, row) => (row < 5 ? row : 10 + row - 5));
    column[7] = Number.POSITIVE_INFINITY;
    const events = extractEvents(
      { sequence: Int32Array.from([0, 1]), encounterStep: Int32Array.from([1, 0]), resolutionStep: Int32Array.from([4, 3]), r: Int32Array.from([3, 3]), outcome: Int32Array.from([1, 2]) },
      Int32Array.from([-1, 2]),
    );
    applyContaminationFilter(events);
    const [group] = groupByR(events);
    const values = lookbackValues(column, index, events, group);
    expect(values.map((v) => [...v])).toEqual([
      [3, Number.NaN], // j = 1: steps 3 and 2 (row 7 = step 2 of sequence 1 is infinite)
      [2, 11],
      [1, 10],
    ]);
    const only = lookbackValues(column, index, events, group, Int32Array.from([1]));
    expect(only.map((v) => [...v])).toEqual([[Number.NaN], [11], [10]]);
  });
});
