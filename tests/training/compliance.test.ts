import { describe, expect, test } from 'vitest';
import type { Jumper } from '../../src/graph/graph';
import { edgeCompliance, hasEdge, ruleCompliance } from '../../src/training/compliance';
import { makeGraph } from '../graph/fixtures';

// n = 4, blocks {0, 1} and {2, 3}; edges 0->1, 0->2, 1->2, 2->3, 3->0.
const graph = makeGraph(4, 2, [[0, 1], [0, 2], [1, 2], [2, 3], [3, 0]]);
// Jumper 0: r = 1, must be in block 1 next. Jumper 2: r = 3 (> w = 2), must be in block 0 three steps on.
const jumpers: Jumper[] = [
  { vertex: 0, sourceBlock: 0, targetBlock: 1, r: 1 },
  { vertex: 2, sourceBlock: 1, targetBlock: 0, r: 3 },
];
const sequences = {
  values: Int32Array.from([
    0, 1, 2, 3, 0, // 4 valid pairs; jumper 0 at t=0 -> token 1 (block 0): fail; t=2 and t=4: deadline outside
    0, 2, 3, 0, 2, // 4 valid pairs; t=0 -> 2 (block 1) ok; t=1 (r=3) -> token 2 (block 1) fail; t=3 -> 2 ok
    1, 1, 3, 2, 0, // 0 valid pairs; jumper 2 at t=3 and jumper 0 at t=4: deadlines outside, no checks
  ]),
  rows: 3,
  width: 5,
};

describe('edgeCompliance', () => {
  test('counts valid consecutive pairs over all pairs', () => {
    expect(edgeCompliance(sequences, graph)).toEqual({ checks: 12, successes: 8, compliance: 8 / 12 });
  });

  test('hasEdge finds exactly the graph edges', () => {
    const found: string[] = [];
    for (let u = 0; u < 4; u++) for (let v = 0; v < 4; v++) if (hasEdge(graph, u, v)) found.push(`${u}${v}`);
    expect(found).toEqual(['01', '02', '12', '23', '30']);
  });
});

describe('ruleCompliance', () => {
  test('checks every jumper occurrence whose deadline lies inside the sequence, split by r and by r versus w', () => {
    const result = ruleCompliance(sequences, graph, jumpers, 2);
    expect(result.overall).toEqual({ checks: 4, successes: 2, compliance: 0.5 });
    expect(result.byR).toEqual([
      { r: 1, beyondContext: false, checks: 3, successes: 2, compliance: 2 / 3 },
      { r: 3, beyondContext: true, checks: 1, successes: 0, compliance: 0 },
    ]);
    expect(result.withinContext).toEqual({ checks: 3, successes: 2, compliance: 2 / 3 });
    expect(result.beyondContext).toEqual({ checks: 1, successes: 0, compliance: 0 });
  });

  test('r equal to w counts as within the context', () => {
    expect(ruleCompliance(sequences, graph, jumpers, 3).beyondContext).toEqual({ checks: 0, successes: 0, compliance: null });
  });

  test('with no checks overall compliance is 1.0 and the empty subgroups report null', () => {
    const result = ruleCompliance({ values: Int32Array.from([1, 2, 3]), rows: 1, width: 3 }, graph, jumpers, 2);
    expect(result.overall).toEqual({ checks: 0, successes: 0, compliance: 1 });
    expect(result.byR.map((entry) => entry.compliance)).toEqual([null, null]);
    expect(result.withinContext.compliance).toBeNull();
  });

  test('checks rules regardless of edge validity', () => {
    // 0 -> 3 is no edge, but 3 is in block 1: the rule of jumper 0 is obeyed.
    const result = ruleCompliance({ values: Int32Array.from([0, 3]), rows: 1, width: 2 }, graph, jumpers, 2);
    expect(result.overall).toEqual({ checks: 1, successes: 1, compliance: 1 });
  });
});
