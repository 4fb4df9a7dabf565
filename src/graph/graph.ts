/**
 * The directed DCSBM graph and its jumper vertices: the data types every later stage reads.
 */

/** A directed graph in CSR form (row = source, column = target, columns sorted within a row). */
export interface DcsbmGraph {
  n: number;
  K: number;
  blockSize: number;
  /** Block of each vertex: floor(v / blockSize). */
  block: Int32Array;
  /** Degree-correction weight of each vertex (used for in- and out-degree). */
  theta: Float64Array;
  /** CSR row pointers, length n + 1. */
  rowPtr: Int32Array;
  /** CSR column indices (targets), sorted within each row. */
  colIdx: Int32Array;
  /** 0-based generation attempt that succeeded. */
  attempt: number;
}

/** A block jumper: whenever the walk is at `vertex` at step t, it must be in `targetBlock` at step t + r. */
export interface Jumper {
  vertex: number;
  sourceBlock: number;
  targetBlock: number;
  r: number;
}
