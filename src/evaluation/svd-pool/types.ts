/**
 * The public shapes of the SVD metric pool (src/evaluation/svd-pool): jobs the evaluation stage
 * submits per generation step, results it gets back, and the pool interface shared by the
 * worker-thread pool and the serial reference path.
 */
import type { SvdTarget } from '../svd/metrics';

/** The per-step targets a job can carry; the static `wvwo` is computed once, outside the pool. */
export type StepTarget = Exclude<SvdTarget, 'wvwo'>;

/**
 * One generation step of one (target, layer): a batch of `rows` sequences, each with `heads`
 * row-major m x n matrices.
 */
export interface SvdJob {
  /** Generation step s; consecutive jobs of a sequence in one (target, layer) must be s, s+1, … */
  step: number;
  /** Sequence id of each row (length `rows`, distinct). Not transferred: the caller keeps it. */
  sequences: Int32Array;
  /** Layer index l ≥ 0. */
  layer: number;
  /** `qkt` (T x T) or `avwo` (T x d). */
  target: StepTarget;
  /** Heads per row. */
  heads: number;
  /** Rows (sequences) in the batch. */
  rows: number;
  /** Matrix rows (T). */
  m: number;
  /** Matrix columns (T for qkt, d for avwo). */
  n: number;
  /**
   * [rows x heads x m x n], row-major. The pool takes ownership until the job is delivered:
   * when this array spans a whole ArrayBuffer it is transferred to a worker (and detached
   * here); a view of part of a buffer is copied, a view of a SharedArrayBuffer is shared.
   */
  matrices: Float32Array;
}

/** Number of metric slots per matrix (METRIC_NAMES.length). */
export const METRICS_PER_MATRIX = 9;

/** What the pool delivers for one {@link SvdJob}. */
export interface SvdJobResult {
  step: number;
  layer: number;
  target: StepTarget;
  heads: number;
  rows: number;
  /** The job's own `sequences` array. */
  sequences: Int32Array;
  /** [rows x heads x 9] in METRIC_NAMES order; unavailable slots and first steps are NaN. */
  metrics: Float64Array;
  /**
   * Per head, what this job adds to the guard counter of (target, layer, head): 1 when any
   * entry of the head's batched tensor was non-finite, else 0 (the reference counts per
   * guarded tensor, not per entry).
   */
  guardCounts: Int32Array;
}

/** Options of {@link createSvdMetricPool} (src/evaluation/svd-pool/pool.ts). */
export interface SvdMetricPoolOptions {
  /** Worker threads; 0 computes on the calling thread (the serial reference path). */
  threads: number;
  /**
   * Jobs submitted but not yet delivered before `submit` waits (backpressure). Ignored by the
   * serial path, which computes inside `submit`.
   * @default 2 · threads (at least 1)
   */
  queueLimit?: number;
  /**
   * Receives every result, in submission order within each (target, layer). Called on the
   * main thread; a throw fails the pool with a StageError.
   */
  onResult: (result: SvdJobResult) => void;
  /** Aborting terminates the workers; pending and later calls reject with Cancelled. */
  signal?: AbortSignal;
  /**
   * Called once, with the error, when the pool fails (a job or worker failed, `onResult` threw,
   * or `signal` aborted): no result is delivered after it, so a caller waiting for deliveries
   * (rather than for `submit` or `close`, which reject) learns to stop waiting.
   */
  onFailure?: (error: Error) => void;
}

/**
 * Parallel (or serial) computation of the nine SVD metrics per matrix, with the Grassmannian
 * state of every (sequence, target, layer, head) kept between steps.
 */
export interface SvdMetricPool {
  /** Worker threads (0 for the serial path). */
  readonly threads: number;
  /**
   * Queues a job; resolves once it is accepted (there was room in the queue), not when it is
   * computed. Rejects with Cancelled after an abort, with the pool's failure after one, and
   * with RangeError when `step`, `layer` or `sequences` are malformed (the pool stays usable).
   * A matrix block of the wrong size is found where it is decomposed and fails the pool with a
   * StageError naming the job, as any computation error does; so does a sequence whose
   * previous step in this (target, layer) is not `step − 1`.
   */
  submit(job: SvdJob): Promise<void>;
  /**
   * Declares that these sequences receive no more steps: their Grassmannian state is dropped
   * once every job submitted before this call has been delivered, so an id used again starts
   * with NaN.
   */
  finish(sequenceIds: Iterable<number>): void;
  /** Totals of the guard counters so far, keyed `{target}.layer_{l}.head_{h}` (delivered jobs only). */
  guardCounts(): Map<string, number>;
  /** Waits until every submitted job is delivered, then stops the workers. */
  close(): Promise<void>;
}
