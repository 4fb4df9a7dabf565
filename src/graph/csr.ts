/**
 * Compressed sparse row (CSR) helpers shared by graph generation, tests and corpus validation.
 */

/** CSR arrays: `rowPtr` has n + 1 entries, the targets of row v are `colIdx[rowPtr[v] .. rowPtr[v+1])`. */
export interface Csr {
  rowPtr: Int32Array;
  colIdx: Int32Array;
}

/**
 * Builds CSR from parallel edge arrays (any order) with the columns of every row sorted
 * ascending; walk sampling indexes into the sorted row, so the order is part of the contract.
 * Duplicate edges are kept as given. Throws RangeError for an endpoint outside [0, n).
 */
export function csrFromEdges(n: number, sources: ArrayLike<number>, targets: ArrayLike<number>): Csr {
  if (sources.length !== targets.length) {
    throw new RangeError(`csrFromEdges: ${sources.length} sources but ${targets.length} targets`);
  }
  const rowPtr = new Int32Array(n + 1);
  for (let e = 0; e < sources.length; e++) {
    const s = sources[e];
    const t = targets[e];
    if (!(s >= 0 && s < n && t >= 0 && t < n)) throw new RangeError(`csrFromEdges: edge ${s} -> ${t} outside [0, ${n})`);
    rowPtr[s + 1]++;
  }
  for (let v = 0; v < n; v++) rowPtr[v + 1] += rowPtr[v];
  const colIdx = new Int32Array(sources.length);
  const fill = rowPtr.slice(0, n);
  for (let e = 0; e < sources.length; e++) colIdx[fill[sources[e]]++] = targets[e];
  for (let v = 0; v < n; v++) colIdx.subarray(rowPtr[v], rowPtr[v + 1]).sort();
  return { rowPtr, colIdx };
}

/** True iff the sorted CSR row of `source` contains `target` (binary search). */
export function hasEdge(csr: Csr, source: number, target: number): boolean {
  let lo = csr.rowPtr[source];
  let hi = csr.rowPtr[source + 1];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = csr.colIdx[mid];
    if (c === target) return true;
    if (c < target) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** The largest out-degree of any vertex. */
export function maxOutDegree(csr: Csr): number {
  let max = 0;
  for (let v = 0; v + 1 < csr.rowPtr.length; v++) max = Math.max(max, csr.rowPtr[v + 1] - csr.rowPtr[v]);
  return max;
}
