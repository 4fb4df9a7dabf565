/**
 * Missing values. Every statistic of the analysis stage takes Float64Array columns in which NaN
 * marks a missing value (a lookback outside the sequence, an SVD that did not converge); the
 * infinities that a metric guard lets through are treated the same way, because no rank or
 * moment of an infinite value means anything.
 */

/** The finite values of `values`, in their original order (a new array). */
export function finiteValues(values: Float64Array): Float64Array {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
  if (count === values.length) return values.slice();
  const out = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out[k++] = values[i];
  return out;
}

/** How many values of `values` are finite. */
export function countFinite(values: Float64Array): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
  return count;
}
