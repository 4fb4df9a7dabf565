import { describe, expect, test } from 'vitest';
import type { DcsbmGraph } from '../../src/graph/graph';
import { buildReachability, canReach, isUniversal, reachIndex } from '../../src/graph/reachability';
import { Rng } from '../../src/random/rng';
import { makeGraph } from './fixtures';

/** A random digraph on 9 vertices / 3 blocks where every vertex has 1..3 out-edges. */
function randomSmallGraph(): DcsbmGraph {
  const rng = Rng.derive(3, 'reachability-test');
  const edges: [number, number][] = [];
  for (let v = 0; v < 9; v++) {
    const degree = 1 + rng.int(3);
    for (const u of rng.sampleWithoutReplacement(9, degree)) edges.push([v, u]);
  }
  return makeGraph(9, 3, edges);
}

/** Brute force: every walk of exactly k steps from v, each weighted by its uniform-walk probability. */
function enumerate(graph: DcsbmGraph, v: number, k: number, weight: number, out: Float64Array, hit: Uint8Array): void {
  if (k === 0) {
    out[graph.block[v]] += weight;
    hit[graph.block[v]] = 1;
    return;
  }
  const degree = graph.rowPtr[v + 1] - graph.rowPtr[v];
  for (let e = graph.rowPtr[v]; e < graph.rowPtr[v + 1]; e++) enumerate(graph, graph.colIdx[e], k - 1, weight / degree, out, hit);
}

describe('buildReachability', () => {
  const graph = randomSmallGraph();
  const maxSteps = 6;
  const tables = buildReachability(graph, maxSteps);

  test('reach and prob match brute-force enumeration of all walks', () => {
    for (let k = 0; k <= maxSteps; k++) {
      for (let v = 0; v < graph.n; v++) {
        const prob = new Float64Array(graph.K);
        const hit = new Uint8Array(graph.K);
        enumerate(graph, v, k, 1, prob, hit);
        for (let b = 0; b < graph.K; b++) {
          expect(tables.reach[reachIndex(tables, k, v, b)]).toBe(hit[b]);
          expect(tables.prob[reachIndex(tables, k, v, b)]).toBeCloseTo(prob[b], 12);
        }
      }
    }
  });

  test('universal(k, b1, b2) holds exactly when every vertex of b1 reaches b2', () => {
    for (let k = 0; k <= maxSteps; k++) {
      for (let b1 = 0; b1 < graph.K; b1++) {
        for (let b2 = 0; b2 < graph.K; b2++) {
          const members = [...graph.block.keys()].filter((v) => graph.block[v] === b1);
          expect(isUniversal(tables, k, b1, b2)).toBe(members.every((v) => canReach(tables, k, v, b2)));
        }
      }
    }
    // k = 0: a block reaches itself and nothing else.
    expect(isUniversal(tables, 0, 1, 1)).toBe(true);
    expect(isUniversal(tables, 0, 1, 2)).toBe(false);
  });

  test('a vertex without out-edges reaches nothing after step 0', () => {
    const sink = buildReachability(makeGraph(2, 2, [[0, 1]]), 2);
    expect(canReach(sink, 1, 0, 1)).toBe(true);
    expect(canReach(sink, 1, 1, 0) || canReach(sink, 1, 1, 1)).toBe(false);
    expect(sink.prob[reachIndex(sink, 2, 0, 0)] + sink.prob[reachIndex(sink, 2, 0, 1)]).toBe(0);
  });

  test('BAD CALL - asking beyond maxSteps throws RangeError', () => {
    expect(() => canReach(tables, maxSteps + 1, 0, 0)).toThrow(RangeError);
    expect(() => isUniversal(tables, -1, 0, 0)).toThrow(/outside the table's range 0\.\.6/);
    expect(() => buildReachability(graph, 1.5)).toThrow(RangeError);
  });
});
