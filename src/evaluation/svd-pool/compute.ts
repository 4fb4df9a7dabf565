/**
 * The numerical core shared by the serial path and the pool's workers: SVD + nine metrics for
 * every matrix of a job, the non-finite guard per head, and the top left singular vectors the
 * Grassmannian distance of the next step needs.
 */
import { ThinSvd } from '../svd/thin-svd';
import { GRASSMANNIAN_RANK, computeMetrics, guardNonFinite, saveLeftVectors } from '../svd/metrics';
import { METRICS_PER_MATRIX, type StepTarget, type SvdJob } from './types';

/** Length of one matrix's saved left vectors: min(2, m, n) vectors of length m. */
export function leftLength(m: number, n: number): number {
  return Math.min(GRASSMANNIAN_RANK, m, n) * m;
}

/** The part of a job the numerical core reads (no sequence ids: workers never see them). */
export interface MatrixBlock {
  target: StepTarget;
  heads: number;
  rows: number;
  m: number;
  n: number;
  matrices: Float32Array;
}

/** What {@link computeBlock} produces, in freshly allocated (transferable) buffers. */
export interface BlockOutput {
  /** [rows x heads x 9]. */
  metrics: Float64Array;
  /** [rows x heads x leftLength(m, n)]: u₁ then u₂ of every matrix. */
  left: Float64Array;
  /** [heads]: how many of the job's matrices (one per sequence) needed the guard, per head. */
  guards: Int32Array;
}

/**
 * Top left vectors of the previous step for (row, head), or null at a sequence's first step.
 * Workers pass none: they fill the Grassmannian slot later, on the main thread.
 */
export type PreviousLeft = (row: number, head: number) => Float64Array | null;

/** Throws RangeError unless the block's sizes are consistent. */
export function validateBlock(block: MatrixBlock): void {
  for (const key of ['heads', 'rows', 'm', 'n'] as const) {
    const value = block[key];
    if (!Number.isInteger(value) || value < (key === 'rows' ? 0 : 1)) throw new RangeError(`${key} must be a ${key === 'rows' ? 'non-negative' : 'positive'} integer, got ${value}`);
  }
  if (block.target !== 'qkt' && block.target !== 'avwo') throw new RangeError(`target must be 'qkt' or 'avwo', got '${String(block.target)}'`);
  const expected = block.rows * block.heads * block.m * block.n;
  if (block.matrices.length !== expected) {
    throw new RangeError(`matrices has length ${block.matrices.length}, expected rows·heads·m·n = ${expected}`);
  }
}

/** Throws RangeError unless `sequences` holds `rows` distinct ids and `step` is a non-negative integer. */
export function validateJob(job: SvdJob): void {
  if (!Number.isInteger(job.step) || job.step < 0) throw new RangeError(`step must be a non-negative integer, got ${job.step}`);
  if (!Number.isInteger(job.layer) || job.layer < 0) throw new RangeError(`layer must be a non-negative integer, got ${job.layer}`);
  if (job.sequences.length !== job.rows) throw new RangeError(`sequences has length ${job.sequences.length}, expected rows = ${job.rows}`);
  // A duplicate id would make one row's "previous step" the other row of the same step.
  if (new Set(job.sequences).size !== job.rows) throw new RangeError('sequences contains a duplicate id');
}

/**
 * Reusable buffers for blocks of any shape: one {@link ThinSvd} per (m, n) and a float64 copy
 * of the current matrix (the SVD runs in float64, method.md §5, and the guard must not touch
 * the caller's float32 data).
 */
export class BlockWorkspace {
  readonly #svds = new Map<string, ThinSvd>();
  #matrix = new Float64Array(0);

  /** The SVD workspace for m x n, created on first use. */
  svd(m: number, n: number): ThinSvd {
    const key = `${m}x${n}`;
    let svd = this.#svds.get(key);
    if (svd === undefined) {
      svd = new ThinSvd(m, n);
      this.#svds.set(key, svd);
    }
    return svd;
  }

  /** A float64 buffer of at least `size` entries. */
  matrix(size: number): Float64Array {
    if (this.#matrix.length < size) this.#matrix = new Float64Array(size);
    return this.#matrix;
  }
}

/** Copies `size` float32 values from `from` into float64; returns whether any is NaN or ±∞. */
function widen(source: Float32Array, from: number, target: Float64Array, size: number): boolean {
  let nonFinite = false;
  for (let i = 0; i < size; i++) {
    const v = source[from + i];
    target[i] = v;
    // v − v is 0 for finite v and NaN for ±∞ and NaN.
    if (v - v !== 0) nonFinite = true;
  }
  return nonFinite;
}

/**
 * Guard, SVD and metrics for every matrix of `block`. With `previous`, the Grassmannian slot is
 * computed here from the previous step's vectors (serial path); without it the slot is NaN and
 * {@link BlockOutput.left} lets the caller compute it (pool path).
 */
export function computeBlock(block: MatrixBlock, workspace: BlockWorkspace, previous?: PreviousLeft): BlockOutput {
  validateBlock(block);
  const { heads, rows, m, n, target } = block;
  const size = m * n;
  const stride = leftLength(m, n);
  const out: BlockOutput = {
    metrics: new Float64Array(rows * heads * METRICS_PER_MATRIX),
    left: new Float64Array(rows * heads * stride),
    guards: new Int32Array(heads),
  };
  const svd = workspace.svd(m, n);
  const matrix = workspace.matrix(size);
  for (let row = 0; row < rows; row++) {
    for (let head = 0; head < heads; head++) {
      const cell = row * heads + head;
      // The guard proper runs only when the copy saw a non-finite entry (one pass, not two).
      if (widen(block.matrices, cell * size, matrix, size) && guardNonFinite(matrix, 0, size)) out.guards[head]++;
      const result = svd.compute(matrix, 0);
      computeMetrics(result, { target, previousLeft: previous?.(row, head) ?? null }, out.metrics, cell * METRICS_PER_MATRIX);
      saveLeftVectors(result, out.left.subarray(cell * stride, (cell + 1) * stride));
    }
  }
  return out;
}
