/**
 * Means and linear-interpolation quantiles (NumPy's default `method='linear'`, Hyndman & Fan
 * type 7), used for the shuffle control's p95 and for the bootstrap interval's end points.
 */
import { finiteValues } from './finite';

/**
 * The p-quantile (p in [0, 1]) of an ascending, finite `sorted` array: the value at virtual index
 * (n − 1)·p, interpolated linearly between its neighbours exactly as NumPy does (from the upper
 * neighbour when the fraction is ≥ 0.5, which keeps the result monotone in p). NaN for an empty
 * array; RangeError for p outside [0, 1] (NaN included).
 */
export function quantileSorted(sorted: Float64Array, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantileSorted: p must be in [0, 1], got ${p}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const index = (n - 1) * p;
  const below = Math.min(Math.floor(index), n - 1);
  const above = Math.min(below + 1, n - 1);
  const t = index - below;
  const a = sorted[below];
  const b = sorted[above];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * The q-th percentile (q in [0, 100]) of the finite values of `values`, as `numpy.percentile`
 * with its default method. Unlike NumPy, missing (non-finite) values are skipped instead of
 * poisoning the result; NaN when none is finite.
 */
export function percentile(values: Float64Array, q: number): number {
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile: q must be in [0, 100], got ${q}`);
  return quantileSorted(finiteValues(values).sort(), q / 100);
}

/** Arithmetic mean of the finite values of `values`; NaN when none is finite. */
export function mean(values: Float64Array): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      sum += values[i];
      count++;
    }
  }
  return count === 0 ? Number.NaN : sum / count;
}
