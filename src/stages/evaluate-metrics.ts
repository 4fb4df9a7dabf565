/**
 * The evaluate stage's per-step metric values and the static `wvwo` metrics: one float64 per
 * (sequence, step, metric key), NaN where nothing was computed, filled from the SVD pool's
 * results and from the once-per-model WvWo products, held one batch of sequences at a time
 * ({@link MetricBlock}); the summary's moments are accumulated as blocks are written.
 */
import type { SvdJobResult } from '../evaluation/svd-pool';
import { StageError } from '../errors';
import { ThinSvd } from '../evaluation/svd/thin-svd';
import { computeMetrics, guardKey, guardNonFinite, METRIC_NAMES, SVD_TARGETS, type SvdTarget } from '../evaluation/svd/metrics';
import type { WvWoProducts } from '../model/wvwo';

const METRICS = METRIC_NAMES.length;

/**
 * The metric values of one batch of consecutive sequences `first .. first + count - 1`: per
 * metric key (in `metricKeys` order), a [count x steps] float64 array, NaN-filled. The stage
 * holds one block per batch whose token rows are not yet written (a few at a time), never the
 * whole run's table.
 */
export class MetricBlock {
  /** One array per key, row-major [sequence - first, step]. */
  readonly values: Float64Array[];

  constructor(
    readonly layers: number,
    readonly heads: number,
    readonly first: number,
    readonly count: number,
    /** Step columns per sequence: maxLength - 1. */
    readonly steps: number,
  ) {
    const keys = SVD_TARGETS.length * layers * heads * METRICS;
    this.values = Array.from({ length: keys }, () => new Float64Array(count * steps).fill(Number.NaN));
  }

  /** Whether `sequence` is one of this block's. */
  holds(sequence: number): boolean {
    return sequence >= this.first && sequence < this.first + this.count;
  }

  /** Index of the first metric of (target, layer, head) in `metricKeys(layers, heads)`. */
  keyIndex(target: SvdTarget, layer: number, head: number): number {
    return ((SVD_TARGETS.indexOf(target) * this.layers + layer) * this.heads + head) * METRICS;
  }

  /** Stores a delivered pool result (all its rows belong to this block): every row's metrics at the job's step. */
  record(result: SvdJobResult): void {
    for (let row = 0; row < result.rows; row++) {
      const cell = (result.sequences[row] - this.first) * this.steps + result.step;
      for (let head = 0; head < result.heads; head++) {
        const first = this.keyIndex(result.target, result.layer, head);
        const source = (row * result.heads + head) * METRICS;
        for (let m = 0; m < METRICS; m++) this.values[first + m][cell] = result.metrics[source + m];
      }
    }
  }

  /** Writes constant metrics of (target, layer, head) into steps `from .. to - 1` of `sequence`. */
  fill(target: SvdTarget, layer: number, head: number, metrics: Float64Array, sequence: number, from: number, to: number): void {
    const first = this.keyIndex(target, layer, head);
    const base = (sequence - this.first) * this.steps;
    for (let m = 0; m < METRICS; m++) this.values[first + m].fill(metrics[m], base + from, base + to);
  }

  /**
   * The static wvwo metrics at every step that had a full-window pass, w - 1 .. length - 2, as
   * the reference writes them; `lengths[i]` is sequence first + i's length.
   */
  fillStatic(statics: StaticMetrics, lengths: ArrayLike<number>, w: number): void {
    for (let i = 0; i < this.count; i++) {
      const end = lengths[i] - 1;
      if (end <= w - 1) continue;
      statics.metrics.forEach((heads, layer) => heads.forEach((metrics, head) => this.fill('wvwo', layer, head, metrics, this.first + i, w - 1, end)));
    }
  }
}

/** The nine metrics of every static WvWo_h and the guard count of each (layer, head). */
export interface StaticMetrics {
  /** `[layer][head]`: nine values in METRIC_NAMES order (no Grassmannian: the matrix is static). */
  metrics: Float64Array[][];
  /** `wvwo.layer_{l}.head_{h}` -> 1 when the product needed the non-finite guard, else 0. */
  guards: Map<string, number>;
}

/** SVD metrics of the static products, computed once per model (method.md section 5). */
export function wvwoMetrics(products: WvWoProducts, d: number): StaticMetrics {
  const svd = new ThinSvd(d, d);
  const guards = new Map<string, number>();
  const metrics = products.map((heads, layer) =>
    heads.map((product, head) => {
      // A copy: the guard rewrites in place and the products belong to the caller.
      const matrix = Float64Array.from(product);
      guards.set(guardKey('wvwo', layer, head), guardNonFinite(matrix) ? 1 : 0);
      const out = new Float64Array(METRICS);
      computeMetrics(svd.compute(matrix, 0), { target: 'wvwo', previousLeft: null }, out, 0);
      return out;
    }),
  );
  return { metrics, guards };
}

/** Count, mean and population standard deviation (ddof 0) of the non-NaN values of one metric column. */
export interface MetricMoments {
  count: number;
  mean: number | null;
  std: number | null;
}

/** Moments of `values` ignoring NaN (Welford, so large columns stay accurate); null when empty. */
export function metricMoments(values: Float64Array): MetricMoments {
  const moments = new StreamingMoments(1);
  moments.add(0, values, 0, values.length);
  return moments.moments(0);
}

/**
 * Welford accumulators of several columns fed piece by piece: adding the pieces of a column in
 * order gives exactly (bit for bit) what {@link metricMoments} gives on the concatenation, NaN
 * skipped, so the stage's summary does not need the whole table.
 */
/** {@link StreamingMoments}' accumulators per column (plain arrays: JSON keeps float64 exactly). */
export interface MomentsState {
  count: number[];
  mean: number[];
  m2: number[];
}

export class StreamingMoments {
  readonly #count: Float64Array;
  readonly #mean: Float64Array;
  readonly #m2: Float64Array;

  constructor(readonly columns: number) {
    this.#count = new Float64Array(columns);
    this.#mean = new Float64Array(columns);
    this.#m2 = new Float64Array(columns);
  }

  /** Adds `values[from .. to - 1]` (NaN ignored) to column `column`. */
  add(column: number, values: Float64Array, from: number, to: number): void {
    let count = this.#count[column];
    let mean = this.#mean[column];
    let m2 = this.#m2[column];
    for (let i = from; i < to; i++) {
      const value = values[i];
      if (Number.isNaN(value)) continue;
      count++;
      const delta = value - mean;
      mean += delta / count;
      m2 += delta * (value - mean);
    }
    this.#count[column] = count;
    this.#mean[column] = mean;
    this.#m2[column] = m2;
  }

  /** The accumulators, exactly (for a checkpoint). */
  state(): MomentsState {
    return { count: [...this.#count], mean: [...this.#mean], m2: [...this.#m2] };
  }

  /** Continues from `state` (taken by {@link state} over the same columns). */
  restore(state: MomentsState): void {
    if (state.count.length !== this.columns) throw new StageError(`evaluate: moments of ${state.count.length} columns cannot continue ${this.columns}`);
    this.#count.set(state.count);
    this.#mean.set(state.mean);
    this.#m2.set(state.m2);
  }

  /** Count, mean and population std of a column so far; null moments when it saw no value. */
  moments(column: number): MetricMoments {
    const count = this.#count[column];
    return count === 0 ? { count, mean: null, std: null } : { count, mean: this.#mean[column], std: Math.sqrt(this.#m2[column] / count) };
  }
}
