/**
 * AUROC of one metric at one lookback (reference-pipeline.md §10.4): how well the metric value
 * separates violation events from control events, as a rank statistic.
 */
import { finiteValues } from './finite';
import { midRanks } from './ranks';

/** Fewest finite values per class for an AUROC; below it the AUROC is NaN (as in the reference). */
export const MIN_AUROC_CLASS_SIZE = 2;

/**
 * AUROC = (sum of the mid-ranks of the violation values in the pooled sample − nv(nv+1)/2) /
 * (nv·nc), which equals P(Xv > Xc) + ½·P(Xv = Xc) over all violation/control pairs.
 * Non-finite values are dropped first; NaN when either class keeps fewer than
 * {@link MIN_AUROC_CLASS_SIZE} values. No direction folding: a value below 0.5 means the metric
 * is lower before violations.
 *
 * Every term is an integer or a half-integer below 2^53, so the result is exact up to the one
 * final division, whichever way the pair count is formed (the bootstrap relies on this).
 */
export function auroc(violations: Float64Array, controls: Float64Array): number {
  const v = finiteValues(violations);
  const c = finiteValues(controls);
  if (v.length < MIN_AUROC_CLASS_SIZE || c.length < MIN_AUROC_CLASS_SIZE) return Number.NaN;
  const pooled = new Float64Array(v.length + c.length);
  pooled.set(v);
  pooled.set(c, v.length);
  const ranks = midRanks(pooled);
  let rankSum = 0;
  for (let i = 0; i < v.length; i++) rankSum += ranks[i];
  return (rankSum - (v.length * (v.length + 1)) / 2) / (v.length * c.length);
}
