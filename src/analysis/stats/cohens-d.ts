/**
 * Cohen's d of one metric at one lookback (reference-pipeline.md §10.6): the violation/control
 * difference in means in units of the pooled standard deviation, the effect size reported
 * beside the rank-based AUROC.
 */
import { finiteValues } from './finite';

/** Pooled standard deviations below this are treated as zero (the reference's guard). */
export const MIN_POOLED_SD = 1e-12;

/**
 * (mean_v − mean_c) / pooled SD, with pooled variance ((nv−1)s_v² + (nc−1)s_c²)/(nv + nc − 2) and
 * each s² with ddof = 1. Non-finite values are dropped first; NaN when a class keeps fewer than
 * 2 values or the pooled SD is below {@link MIN_POOLED_SD} (both classes constant).
 */
export function cohensD(violations: Float64Array, controls: Float64Array): number {
  const v = finiteValues(violations);
  const c = finiteValues(controls);
  if (v.length < 2 || c.length < 2) return Number.NaN;
  const meanV = sampleMean(v);
  const meanC = sampleMean(c);
  const pooledVariance = (squaredDeviations(v, meanV) + squaredDeviations(c, meanC)) / (v.length + c.length - 2);
  const pooledSd = Math.sqrt(pooledVariance);
  return pooledSd < MIN_POOLED_SD ? Number.NaN : (meanV - meanC) / pooledSd;
}

function sampleMean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Σ (x − mean)², which is (n − 1)·s² with ddof = 1. */
function squaredDeviations(values: Float64Array, mean: number): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - mean) ** 2;
  return sum;
}
