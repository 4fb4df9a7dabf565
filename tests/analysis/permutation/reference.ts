/**
 * A slow, direct permutation control to check the fast one against: every permutation's labels
 * come from the same generator (SubsetSampler, itself checked against Rng in
 * subsets.test.ts), and every AUROC is recomputed from scratch by sorting the valid values of
 * the lookback and averaging the ranks of each tie group. The p-value compares fractions in
 * BigInt.
 */
import { SubsetSampler, permutationStream } from '../../../src/analysis/permutation';
import type { StreamSegment } from '../../../src/random/rng';

/** An AUROC as (2·rank sum − nv(nv + 1)) / (2·nv·nc) in BigInt, and its double. */
interface Fraction {
  numerator: bigint;
  denominator: bigint;
  value: number;
}

export interface ReferenceResult {
  observed: number;
  nullMax: Float64Array;
  pValue: number;
}

/** The control of permutation-control.ts, computed the long way. */
export function referencePermutationControl(
  values: readonly Float64Array[],
  isViolation: Uint8Array,
  nPermutations: number,
  seed: number,
  stream: readonly StreamSegment[] = ['permutation'],
): ReferenceResult {
  const n = isViolation.length;
  const nViolations = isViolation.reduce((s, x) => s + x, 0);
  const drawnAreViolations = nViolations <= n - nViolations;
  const drawn = Math.min(nViolations, n - nViolations);
  const observed = statistic(values, isViolation);
  const sampler = new SubsetSampler(n);
  const row = new Uint8Array(n);
  const nullMax = new Float64Array(nPermutations);
  let atLeast = 0;
  for (let p = 0; p < nPermutations; p++) {
    sampler.draw(permutationStream(seed, stream, p).state(), drawn, row);
    const labels = drawnAreViolations ? row.slice() : row.map((x) => 1 - x);
    const aurocs = values.map((column) => aurocFraction(column, labels));
    const finite = aurocs.filter((a): a is Fraction => a !== null);
    nullMax[p] = finite.length === 0 ? Number.NaN : Math.max(...finite.map((a) => a.value));
    if (observed !== null && finite.some((a) => a.numerator * observed.denominator >= observed.numerator * a.denominator)) atLeast++;
  }
  return {
    observed: observed === null ? Number.NaN : observed.value,
    nullMax,
    pValue: observed === null ? Number.NaN : (1 + atLeast) / (1 + nPermutations),
  };
}

/** The largest finite AUROC over lookbacks (exactly), or null. */
function statistic(values: readonly Float64Array[], labels: Uint8Array): Fraction | null {
  let best: Fraction | null = null;
  for (const column of values) {
    const a = aurocFraction(column, labels);
    if (a !== null && (best === null || a.numerator * best.denominator > best.numerator * a.denominator)) best = a;
  }
  return best;
}

/** AUROC at one lookback with explicit mid-ranks among the valid events; null below 2 per class. */
export function aurocFraction(column: Float64Array, labels: Uint8Array): Fraction | null {
  const valid: number[] = [];
  for (let e = 0; e < column.length; e++) if (Number.isFinite(column[e])) valid.push(e);
  valid.sort((a, b) => column[a] - column[b]);
  const rank = new Map<number, number>();
  for (let start = 0; start < valid.length; ) {
    let end = start;
    while (end < valid.length && column[valid[end]] === column[valid[start]]) end++;
    // Sorted positions start..end-1 hold ranks start+1..end; each gets their average.
    for (let k = start; k < end; k++) rank.set(valid[k], (start + 1 + end) / 2);
    start = end;
  }
  let rankSum = 0;
  let nv = 0;
  for (const e of valid) {
    if (labels[e] === 1) {
      rankSum += rank.get(e) as number;
      nv++;
    }
  }
  const nc = valid.length - nv;
  if (nv < 2 || nc < 2) return null;
  return {
    numerator: BigInt(2 * rankSum - nv * (nv + 1)),
    denominator: BigInt(2 * nv * nc),
    value: (rankSum - (nv * (nv + 1)) / 2) / (nv * nc),
  };
}
