import { describe, expect, test } from 'vitest';
import { jumperTable } from '../../../src/evaluation/labels/jumper-table';

describe('jumperTable', () => {
  test('maps each jumper vertex to its r and target block and every other vertex to r 0 and block -1', () => {
    const table = jumperTable(4, [
      { vertex: 1, sourceBlock: 0, targetBlock: 1, r: 3 },
      { vertex: 3, sourceBlock: 1, targetBlock: 0, r: 7 },
    ]);
    expect(Array.from(table.r)).toEqual([0, 3, 0, 7]);
    expect(Array.from(table.targetBlock)).toEqual([-1, 1, -1, 0]);
    expect(table.maxR).toBe(7);
  });

  test('BAD CALL - out-of-range vertices, r below 1 and duplicate jumpers are rejected', () => {
    expect(() => jumperTable(2, [{ vertex: 2, sourceBlock: 0, targetBlock: 0, r: 1 }])).toThrow(/vertex 2 outside \[0, 2\)/);
    expect(() => jumperTable(2, [{ vertex: 0, sourceBlock: 0, targetBlock: 0, r: 0 }])).toThrow(/r = 0, expected an integer >= 1/);
    const twice = { vertex: 1, sourceBlock: 0, targetBlock: 0, r: 1 };
    expect(() => jumperTable(2, [twice, twice])).toThrow(/vertex 1 is designated as a jumper twice/);
  });
});
