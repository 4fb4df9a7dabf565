/**
 * AUROC from integer rank sums, and exact comparison of two AUROCs.
 *
 * With S2 the sum of the doubled mid-ranks of the nv violation events among nv + nc valid
 * events, AUROC = (S2 − nv(nv + 1)) / (2·nv·nc): numerator and denominator are integers below
 * 2^53, so the one division is the only rounding and equal rationals give equal doubles. Two
 * different rationals can still round to the same double (their gap can be ~1/(2·nv·nc)² while
 * doubles near 1 are 2^-53 apart), so "is the permuted maximum ≥ the observed one" is decided on
 * the rationals whenever the doubles tie.
 */
import { MIN_AUROC_CLASS_SIZE } from '../stats/auroc';

/** An AUROC as the fraction numerator / denominator (denominator > 0), and its double. */
export interface ExactAuroc {
  numerator: number;
  denominator: number;
  value: number;
}

/** AUROC from the doubled rank sum of the violations; NaN when a class has fewer than 2 events. */
export function aurocOfRankSum(rankSum2: number, nv: number, nc: number): number {
  if (nv < MIN_AUROC_CLASS_SIZE || nc < MIN_AUROC_CLASS_SIZE) return Number.NaN;
  return (rankSum2 - nv * (nv + 1)) / (2 * nv * nc);
}

/** {@link aurocOfRankSum} as an exact fraction; null when it is NaN. */
export function exactAurocOfRankSum(rankSum2: number, nv: number, nc: number): ExactAuroc | null {
  if (nv < MIN_AUROC_CLASS_SIZE || nc < MIN_AUROC_CLASS_SIZE) return null;
  const numerator = rankSum2 - nv * (nv + 1);
  const denominator = 2 * nv * nc;
  return { numerator, denominator, value: numerator / denominator };
}

/**
 * Sign of a/b − c/d for integers with b, d > 0 and |a|, b, |c|, d < 2^53, exactly: rounding is
 * monotone, so different doubles already order the fractions; equal doubles are settled by
 * cross-multiplying in BigInt.
 */
export function compareFractions(a: number, b: number, c: number, d: number): -1 | 0 | 1 {
  const x = a / b;
  const y = c / d;
  if (x < y) return -1;
  if (x > y) return 1;
  const left = BigInt(a) * BigInt(d);
  const right = BigInt(c) * BigInt(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
