/**
 * Grassmannian state of one (target, layer): per sequence, the previous step's top left
 * singular vectors of every head. Used on the calling thread by both paths, always in
 * submission order, so the state seen by a job is exactly what the serial computation sees.
 */
import { StageError } from '../../errors';
import type { SvdResult } from '../svd/thin-svd';
import { grassmannianDistance, guardKey, metricIndex } from '../svd/metrics';
import { leftLength } from './compute';
import { METRICS_PER_MATRIX, type SvdJob } from './types';

/** One sequence's vectors: [heads x leftLength] from step `step`. */
interface Entry {
  step: number;
  left: Float64Array;
}

const GRASSMANNIAN_SLOT = metricIndex('grassmannian_distance');

/** Human-readable identification of a job for error messages. */
export function describeJob(job: Pick<SvdJob, 'target' | 'layer' | 'step' | 'rows'>): string {
  return `${job.target}.layer_${job.layer} step ${job.step} (${job.rows} rows)`;
}

/** Key of a job's (target, layer) stream: its results are ordered, and it owns one {@link LeftVectorStore}. */
export function streamKey(job: Pick<SvdJob, 'target' | 'layer'>): string {
  return `${job.target}.layer_${job.layer}`;
}

/** Running totals of the guard counters, keyed `{target}.layer_{l}.head_{h}`. */
export class GuardTotals {
  readonly #totals = new Map<string, number>();

  /** Adds one delivered job's per-head counts. */
  add(job: Pick<SvdJob, 'target' | 'layer' | 'heads'>, counts: Int32Array): void {
    for (let head = 0; head < job.heads; head++) {
      const key = guardKey(job.target, job.layer, head);
      this.#totals.set(key, (this.#totals.get(key) ?? 0) + counts[head]);
    }
  }

  /** A copy of the totals. */
  snapshot(): Map<string, number> {
    return new Map(this.#totals);
  }
}

/** Previous-step vectors of every live sequence of one (target, layer). */
export class LeftVectorStore {
  readonly #entries = new Map<number, Entry>();

  /** Sequences with state (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The previous step's vectors of `sequence` ([heads x leftLength]), or null at its first
   * step. Throws StageError when the stored step is not `step − 1`: comparing non-consecutive
   * steps would silently give a different metric.
   */
  previous(sequence: number, job: SvdJob): Float64Array | null {
    const entry = this.#entries.get(sequence);
    if (entry === undefined) return null;
    if (entry.step !== job.step - 1) {
      throw new StageError(`svd-pool: job ${describeJob(job)}: sequence ${sequence} was last seen at step ${entry.step}, not ${job.step - 1} (call finish() before reusing an id)`);
    }
    return entry.left;
  }

  /** Replaces the state of every row of `job` by its vectors from this step (`left` is [rows x heads x leftLength]). */
  update(job: SvdJob, left: Float64Array): void {
    const stride = job.heads * leftLength(job.m, job.n);
    for (let row = 0; row < job.rows; row++) {
      this.#entries.set(job.sequences[row], { step: job.step, left: left.subarray(row * stride, (row + 1) * stride) });
    }
  }

  /** Drops the state of these sequences. */
  drop(sequenceIds: Iterable<number>): void {
    for (const id of sequenceIds) this.#entries.delete(id);
  }

  /**
   * Pool path: fills the Grassmannian slot of `metrics` from the stored previous vectors and
   * the current ones in `left`, with the same function (and so the same bits) as the serial
   * path, then stores `left` as the new state.
   */
  fillGrassmannian(job: SvdJob, metrics: Float64Array, left: Float64Array): void {
    const stride = leftLength(job.m, job.n);
    const view = new LeftVectorsView(job.m, job.n);
    for (let row = 0; row < job.rows; row++) {
      const previous = this.previous(job.sequences[row], job);
      if (previous === null) continue;
      for (let head = 0; head < job.heads; head++) {
        const cell = row * job.heads + head;
        view.point(left, cell * stride);
        metrics[cell * METRICS_PER_MATRIX + GRASSMANNIAN_SLOT] = grassmannianDistance(previous.subarray(head * stride, (head + 1) * stride), view);
      }
    }
    this.update(job, left);
  }
}

/**
 * The left-vector part of an {@link SvdResult} rebuilt from saved vectors, so that
 * `grassmannianDistance` (which reads rows, leftCount, u₁ and u₂) runs unchanged on the pool's
 * results. Singular values and v₁ are not saved and are empty here.
 */
class LeftVectorsView implements SvdResult {
  readonly rows: number;
  readonly cols: number;
  readonly leftCount: number;
  readonly values = new Float64Array(0);
  readonly v1 = new Float64Array(0);
  readonly converged = true;
  u1: Float64Array;
  u2: Float64Array;

  constructor(m: number, n: number) {
    this.rows = m;
    this.cols = n;
    this.leftCount = leftLength(m, n) / m;
    this.u1 = new Float64Array(m);
    this.u2 = new Float64Array(m).fill(Number.NaN);
  }

  /** Points u₁ (and u₂ when saved) at the vectors stored from `offset`. */
  point(left: Float64Array, offset: number): void {
    this.u1 = left.subarray(offset, offset + this.rows);
    if (this.leftCount >= 2) this.u2 = left.subarray(offset + this.rows, offset + 2 * this.rows);
  }
}
