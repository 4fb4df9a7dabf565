/**
 * Predictive horizons of an AUROC curve (method.md §6, reference-pipeline.md §10.4). The curve
 * holds AUROC(j) for lookbacks j = 1..r at index j − 1; NaN marks a lookback without enough
 * events. Three horizons are reported because the reference's one definition (the largest j
 * above the threshold) counts isolated exceedances far from the resolution step and ignores
 * metrics that drop before violations.
 */

/** The reference's AUROC threshold for a lookback to count as predictive. */
export const DEFAULT_HORIZON_THRESHOLD = 0.75;

/** +1: the metric is higher before violations; −1: lower; 0: no direction (AUROC exactly 0.5 or no data). */
export type Direction = -1 | 0 | 1;

/** The largest value of a curve and its 1-based lookback. */
export interface CurveMaximum {
  /** NaN when the curve has no finite value. */
  value: number;
  /** 1-based lookback of the first occurrence of the maximum; 0 when the curve has no finite value. */
  lookback: number;
}

/** Every horizon quantity of one curve (one metric, one r). */
export interface HorizonSummary {
  /** The reference's horizon: see {@link referenceHorizon}. */
  referenceHorizon: number;
  /** See {@link contiguousHorizon}. */
  contiguousHorizon: number;
  /** Largest AUROC and its lookback (the reference's `max_auroc`, `max_auroc_lookback`). */
  max: CurveMaximum;
  /** max(A_j, 1 − A_j) per lookback (NaN stays NaN). */
  directionFreeCurve: Float64Array;
  /** {@link referenceHorizon} of the direction-free curve. */
  directionFreeHorizon: number;
  /** Largest direction-free AUROC and its lookback. */
  directionFreeMax: CurveMaximum;
  /** Which way the metric moves at the direction-free maximum. */
  direction: Direction;
}

/** Largest j whose AUROC is finite and above `threshold`; 0 if none (gaps and dips are ignored). */
export function referenceHorizon(curve: Float64Array, threshold: number = DEFAULT_HORIZON_THRESHOLD): number {
  for (let j = curve.length; j >= 1; j--) if (curve[j - 1] > threshold) return j;
  return 0;
}

/**
 * Largest J such that every lookback 1..J has a finite AUROC above `threshold`; 0 if j = 1 fails.
 * A NaN lookback ends the run, because an untestable lookback is no evidence of prediction.
 */
export function contiguousHorizon(curve: Float64Array, threshold: number = DEFAULT_HORIZON_THRESHOLD): number {
  let j = 0;
  while (j < curve.length && curve[j] > threshold) j++;
  return j;
}

/** max(A_j, 1 − A_j) per lookback: separation regardless of which class has the higher values. */
export function directionFreeCurve(curve: Float64Array): Float64Array {
  return curve.map((a) => (Number.isFinite(a) ? Math.max(a, 1 - a) : Number.NaN));
}

/** The largest finite value of a curve, first occurrence; {NaN, 0} when none is finite. */
export function curveMaximum(curve: Float64Array): CurveMaximum {
  let value = Number.NaN;
  let lookback = 0;
  for (let j = 1; j <= curve.length; j++) {
    const a = curve[j - 1];
    if (Number.isFinite(a) && !(a <= value)) {
      value = a;
      lookback = j;
    }
  }
  return { value, lookback };
}

/** +1 if `a` > 0.5 (violations higher), −1 if below, 0 if exactly 0.5 or not finite. */
export function directionOf(a: number): Direction {
  if (a > 0.5) return 1;
  if (a < 0.5) return -1;
  return 0;
}

/** All horizon quantities of `curve` at `threshold` (valid-event counts are computed elsewhere). */
export function summarizeHorizons(curve: Float64Array, threshold: number = DEFAULT_HORIZON_THRESHOLD): HorizonSummary {
  const folded = directionFreeCurve(curve);
  const foldedMax = curveMaximum(folded);
  return {
    referenceHorizon: referenceHorizon(curve, threshold),
    contiguousHorizon: contiguousHorizon(curve, threshold),
    max: curveMaximum(curve),
    directionFreeCurve: folded,
    directionFreeHorizon: referenceHorizon(folded, threshold),
    directionFreeMax: foldedMax,
    direction: foldedMax.lookback === 0 ? 0 : directionOf(curve[foldedMax.lookback - 1]),
  };
}
