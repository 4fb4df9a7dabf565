/**
 * Holm–Bonferroni step-down correction (method.md §6): controls the family-wise error rate of the
 * (primary metric, r) tests without assuming independence, and is uniformly more powerful than
 * plain Bonferroni.
 */

/** The reference's family-wise significance level. */
export const DEFAULT_HOLM_ALPHA = 0.05;

/** Holm-adjusted p-values and decisions, in the order of the input p-values. */
export interface HolmResult {
  /** Adjusted p-value per test; NaN for a test that had no p-value. */
  adjusted: Float64Array;
  /** Whether the test is rejected at alpha; false for a test that had no p-value. */
  reject: boolean[];
  /** Size m of the family: how many p-values were finite. */
  familySize: number;
}

/**
 * Sorts the finite p-values ascending (ties keep input order), multiplies the i-th (0-based) by
 * m − i, takes the running maximum so adjusted values never decrease along the order, caps them
 * at 1, and rejects where the adjusted value is ≤ `alpha`. A NaN p-value (a test that was not
 * run) is not part of the family: it does not count in m and is never rejected.
 */
export function holm(pValues: Float64Array, alpha: number = DEFAULT_HOLM_ALPHA): HolmResult {
  const family: number[] = [];
  for (let i = 0; i < pValues.length; i++) {
    const p = pValues[i];
    if (Number.isNaN(p)) continue;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`holm: p-value ${i} must be in [0, 1] or NaN, got ${p}`);
    family.push(i);
  }
  family.sort((a, b) => pValues[a] - pValues[b] || a - b);
  const m = family.length;
  const adjusted = new Float64Array(pValues.length).fill(Number.NaN);
  const reject = new Array<boolean>(pValues.length).fill(false);
  let running = 0;
  family.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, pValues[index] * (m - rank)));
    adjusted[index] = running;
    reject[index] = running <= alpha;
  });
  return { adjusted, reject, familySize: m };
}
