import { describe, expect, test } from 'vitest';
import { isStronglyConnected, stronglyConnectedComponents } from '../../src/graph/connectivity';
import { csrFromEdges } from '../../src/graph/csr';

function components(n: number, edges: [number, number][]): { count: number; component: Int32Array } {
  const { rowPtr, colIdx } = csrFromEdges(n, edges.map((e) => e[0]), edges.map((e) => e[1]));
  return stronglyConnectedComponents(n, rowPtr, colIdx);
}

describe('stronglyConnectedComponents', () => {
  test('a directed cycle is one component', () => {
    expect(components(4, [[0, 1], [1, 2], [2, 3], [3, 0]]).count).toBe(1);
  });

  test('a directed path has one component per vertex', () => {
    expect(components(4, [[0, 1], [1, 2], [2, 3]]).count).toBe(4);
  });

  test('two cycles joined by a one-way edge are two components with the right members', () => {
    const { count, component } = components(6, [[0, 1], [1, 2], [2, 0], [2, 3], [3, 4], [4, 5], [5, 3]]);
    expect(count).toBe(2);
    expect(new Set([component[0], component[1], component[2]]).size).toBe(1);
    expect(new Set([component[3], component[4], component[5]]).size).toBe(1);
    expect(component[0]).not.toBe(component[3]);
  });

  test('isolated vertices and self loops are their own components', () => {
    expect(components(3, [[1, 1]]).count).toBe(3);
  });

  test('a cycle through a million vertices does not overflow the stack', () => {
    const n = 1_000_000;
    const rowPtr = Int32Array.from({ length: n + 1 }, (_, i) => i);
    const colIdx = Int32Array.from({ length: n }, (_, i) => (i + 1) % n);
    expect(isStronglyConnected(n, rowPtr, colIdx)).toBe(true);
    colIdx[n - 1] = n - 2;
    expect(isStronglyConnected(n, rowPtr, colIdx)).toBe(false);
  });

  test('the empty graph is not strongly connected', () => {
    expect(isStronglyConnected(0, new Int32Array(1), new Int32Array(0))).toBe(false);
  });
});
