/**
 * The evaluate stage's per-step metric table and the static `wvwo` metrics: one float64 per
 * (sequence, step, metric key), NaN where nothing was computed, filled from the SVD pool's
 * results and from the once-per-model WvWo products.
 */
import type { SvdJobResult } from '../evaluation/svd-pool';
import { ThinSvd } from '../evaluation/svd/thin-svd';
import { computeMetrics, guardKey, guardNonFinite, METRIC_NAMES, metricKeys, SVD_TARGETS, type SvdTarget } from '../evaluation/svd/metrics';
import type { WvWoProducts } from '../model/wvwo';

const METRICS = METRIC_NAMES.length;

/**
 * Per metric key (in `metricKeys` order), a [sequences x steps] float64 array, NaN-filled.
 *
 * Memory is sequences · steps · keys · 8 bytes, all held until the table is written. Streaming
 * is still missing here: rows could be flushed once a sequence is finished and all its jobs are
 * delivered, but generation hands out sequences of all prompts in one call, so that needs a
 * per-sequence "delivered" signal from the pool first.
 */
export class MetricTable {
  /** The column names, `{target}.layer_{l}.head_{h}.{metric}`. */
  readonly keys: string[];
  /** One array per key, row-major [sequence, step]. */
  readonly values: Float64Array[];

  constructor(
    readonly layers: number,
    readonly heads: number,
    readonly sequences: number,
    /** Step columns per sequence: maxLength - 1. */
    readonly steps: number,
  ) {
    this.keys = metricKeys(layers, heads);
    this.values = this.keys.map(() => new Float64Array(sequences * steps).fill(Number.NaN));
  }

  /** Index of the first metric of (target, layer, head) in `keys` (metricKeys order). */
  keyIndex(target: SvdTarget, layer: number, head: number): number {
    return ((SVD_TARGETS.indexOf(target) * this.layers + layer) * this.heads + head) * METRICS;
  }

  /** Stores a delivered pool result: every row's metrics at the job's step. */
  record(result: SvdJobResult): void {
    for (let row = 0; row < result.rows; row++) {
      const cell = result.sequences[row] * this.steps + result.step;
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
    const base = sequence * this.steps;
    for (let m = 0; m < METRICS; m++) this.values[first + m].fill(metrics[m], base + from, base + to);
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
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    count++;
    const delta = value - mean;
    mean += delta / count;
    m2 += delta * (value - mean);
  }
  return count === 0 ? { count, mean: null, std: null } : { count, mean, std: Math.sqrt(m2 / count) };
}
