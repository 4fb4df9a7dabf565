/**
 * Exact-k-step reachability and hitting probabilities per (steps, vertex, block): the tables that
 * make jumper non-triviality exact and let guided walks honour every rule (method.md section 3).
 *
 * The tables are plain typed arrays (no methods) so they cross worker-thread boundaries by
 * structured clone; read them with {@link reachIndex}, {@link canReach} and {@link isUniversal}.
 */
import type { DcsbmGraph } from './graph';

/** Reachability tables for k = 0..maxSteps. */
export interface Reachability {
  n: number;
  K: number;
  maxSteps: number;
  /** 1 iff some walk of exactly k steps from v ends in block b; index ((k*n)+v)*K+b. */
  reach: Uint8Array;
  /** Probability that a uniform random walk of exactly k steps from v ends in block b; same index. */
  prob: Float64Array;
  /** 1 iff every vertex of block b1 reaches block b2 in exactly k steps; index ((k*K)+b1)*K+b2. */
  universal: Uint8Array;
}

/**
 * Builds the tables by dynamic programming over k: reach_0 / prob_0 are the indicator of v's
 * block; reach_k(v, b) = OR and prob_k(v, b) = mean over out-neighbours u of the k-1 values.
 * Cost maxSteps * edges * K. Throws RangeError for a negative or fractional maxSteps.
 */
export function buildReachability(graph: DcsbmGraph, maxSteps: number): Reachability {
  if (!(Number.isInteger(maxSteps) && maxSteps >= 0)) {
    throw new RangeError(`buildReachability: maxSteps must be a non-negative integer, got ${maxSteps}`);
  }
  const { n, K, block } = graph;
  const layer = n * K;
  const reach = new Uint8Array((maxSteps + 1) * layer);
  const prob = new Float64Array((maxSteps + 1) * layer);
  for (let v = 0; v < n; v++) {
    reach[v * K + block[v]] = 1;
    prob[v * K + block[v]] = 1;
  }
  for (let k = 1; k <= maxSteps; k++) propagateStep(graph, reach, prob, k);
  return { n, K, maxSteps, reach, prob, universal: universalTable(block, K, maxSteps, reach) };
}

/** Fills layer k of both tables from layer k - 1. */
function propagateStep(graph: DcsbmGraph, reach: Uint8Array, prob: Float64Array, k: number): void {
  const { n, K, rowPtr, colIdx } = graph;
  const layer = n * K;
  const prev = (k - 1) * layer;
  const cur = k * layer;
  for (let v = 0; v < n; v++) {
    const begin = rowPtr[v];
    const end = rowPtr[v + 1];
    const out = cur + v * K;
    for (let e = begin; e < end; e++) {
      const src = prev + colIdx[e] * K;
      for (let b = 0; b < K; b++) {
        reach[out + b] |= reach[src + b];
        prob[out + b] += prob[src + b];
      }
    }
    // A vertex without out-edges has no walk of length k >= 1: its row stays 0.
    if (end > begin) for (let b = 0; b < K; b++) prob[out + b] /= end - begin;
  }
}

function universalTable(block: Int32Array, K: number, maxSteps: number, reach: Uint8Array): Uint8Array {
  const n = block.length;
  const universal = new Uint8Array((maxSteps + 1) * K * K).fill(1);
  for (let k = 0; k <= maxSteps; k++) {
    for (let v = 0; v < n; v++) {
      const row = (k * K + block[v]) * K;
      const src = (k * n + v) * K;
      for (let b = 0; b < K; b++) if (reach[src + b] === 0) universal[row + b] = 0;
    }
  }
  return universal;
}

/** Index of (k, v, b) in `reach` and `prob`. */
export function reachIndex(tables: Reachability, k: number, v: number, b: number): number {
  return (k * tables.n + v) * tables.K + b;
}

/** True iff some walk of exactly k steps from v ends in block b. Throws RangeError when k > maxSteps. */
export function canReach(tables: Reachability, k: number, v: number, b: number): boolean {
  checkSteps(tables, k);
  return tables.reach[reachIndex(tables, k, v, b)] === 1;
}

/** True iff every vertex of block b1 reaches block b2 in exactly k steps. Throws RangeError when k > maxSteps. */
export function isUniversal(tables: Reachability, k: number, b1: number, b2: number): boolean {
  checkSteps(tables, k);
  return tables.universal[(k * tables.K + b1) * tables.K + b2] === 1;
}

function checkSteps(tables: Reachability, k: number): void {
  if (!(k >= 0 && k <= tables.maxSteps)) {
    throw new RangeError(`reachability: ${k} steps outside the table's range 0..${tables.maxSteps}`);
  }
}
