/**
 * Strongly connected components of a CSR digraph (iterative Tarjan), used by graph
 * validation. Iterative on purpose: graphs may have many thousands of vertices and a
 * recursive depth-first search would overflow the JavaScript call stack.
 */

/** Result of {@link stronglyConnectedComponents}. */
export interface StrongComponents {
  /** Number of strongly connected components. */
  count: number;
  /** Component id of every vertex, 0-based in order of completion (reverse topological). */
  component: Int32Array;
}

/**
 * Tarjan's algorithm with an explicit call stack: O(n + edges) time, O(n) extra memory.
 * `rowPtr` (length n + 1) and `colIdx` are the CSR arrays; column order does not matter.
 */
export function stronglyConnectedComponents(n: number, rowPtr: Int32Array, colIdx: Int32Array): StrongComponents {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const component = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const sccStack = new Int32Array(n);
  const callStack = new Int32Array(n);
  // Next edge to explore for each vertex on the call stack: the "program counter" of the recursion.
  const nextEdge = new Int32Array(n);
  let sccTop = 0;
  let counter = 0;
  let count = 0;

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let callTop = 0;
    const open = (v: number): void => {
      index[v] = low[v] = counter++;
      sccStack[sccTop++] = v;
      onStack[v] = 1;
      nextEdge[v] = rowPtr[v];
      callStack[callTop++] = v;
    };
    open(root);
    while (callTop > 0) {
      const v = callStack[callTop - 1];
      if (nextEdge[v] < rowPtr[v + 1]) {
        const w = colIdx[nextEdge[v]++];
        if (index[w] === -1) open(w);
        else if (onStack[w] === 1 && index[w] < low[v]) low[v] = index[w];
        continue;
      }
      callTop--;
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = sccStack[--sccTop];
          onStack[w] = 0;
          component[w] = count;
        } while (w !== v);
        count++;
      }
      if (callTop > 0) {
        const parent = callStack[callTop - 1];
        if (low[v] < low[parent]) low[parent] = low[v];
      }
    }
  }
  return { count, component };
}

/** True iff the digraph has exactly one strongly connected component (and at least one vertex). */
export function isStronglyConnected(n: number, rowPtr: Int32Array, colIdx: Int32Array): boolean {
  return n > 0 && stronglyConnectedComponents(n, rowPtr, colIdx).count === 1;
}
