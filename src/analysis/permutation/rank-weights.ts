/**
 * The rank table as subset-sum weights (subset-sums.ts takes int8 weights): per lookback j,
 * the doubled mid-ranks split into base-128 digits, plus a 0/1 validity column, so that one row
 * of sums gives, for every lookback, the doubled rank sum and the number of valid events of the
 * subset. 60,000 events need 3 digits (doubled ranks up to 120,000 < 128³): 4 columns per
 * lookback.
 *
 * Column layout for r lookbacks and D digits: digit d of lookback j at column d·r + j
 * (d = 0 least significant), validity of lookback j at column D·r + j.
 */
import type { RankTable } from './rank-table';
import { MAX_SUBSET_WEIGHT } from './subset-sums';

/** Bits per rank digit: the largest digit, 2^7 - 1, is the largest subset weight. */
const DIGIT_BITS = 7;
const DIGIT_MASK = MAX_SUBSET_WEIGHT;
/** Base of the rank digits. */
export const DIGIT_BASE = DIGIT_MASK + 1;

/** How the weight columns of a rank table are laid out; see the module comment. */
export interface WeightLayout {
  lookbacks: number;
  /** Base-128 digits per doubled rank. */
  digits: number;
  /** (digits + 1) · lookbacks. */
  columns: number;
}

/** The layout for `table`: enough digits for its largest doubled rank, 2·max nValid. */
export function weightLayout(table: RankTable): WeightLayout {
  let largest = 0;
  for (const valid of table.nValid) largest = Math.max(largest, 2 * valid);
  let digits = 1;
  while (DIGIT_BASE ** digits <= largest) digits++;
  return { lookbacks: table.lookbacks, digits, columns: (digits + 1) * table.lookbacks };
}

/** The [nEvents × columns] weight table of `table` (row-major), in `layout`. */
export function rankWeights(table: RankTable, layout: WeightLayout): Int8Array {
  const { nEvents, lookbacks: r, rank2 } = table;
  const { digits, columns } = layout;
  const weights = new Int8Array(nEvents * columns);
  // Blocks of events, so the rows being written stay in cache while every lookback is read.
  const block = 256;
  for (let first = 0; first < nEvents; first += block) {
    const last = Math.min(first + block, nEvents);
    for (let j = 0; j < r; j++) {
      const ranks = j * nEvents;
      for (let e = first; e < last; e++) {
        const doubled = rank2[ranks + e];
        let at = e * columns + j;
        for (let d = 0; d < digits; d++, at += r) weights[at] = (doubled >>> (DIGIT_BITS * d)) & DIGIT_MASK;
        weights[at] = doubled > 0 ? 1 : 0;
      }
    }
  }
  return weights;
}

/**
 * Decodes lookback j of one row of sums (`sums` from `offset`, `columns` long): the doubled
 * rank sum of the subset's valid events at j, exact below 2^53.
 */
export function rankSumOf(sums: Int32Array, offset: number, layout: WeightLayout, j: number): number {
  let total = 0;
  for (let d = layout.digits - 1; d >= 0; d--) total = total * DIGIT_BASE + sums[offset + d * layout.lookbacks + j];
  return total;
}

/** Decodes lookback j of one row of sums: how many of the subset's events are valid at j. */
export function validCountOf(sums: Int32Array, offset: number, layout: WeightLayout, j: number): number {
  return sums[offset + layout.digits * layout.lookbacks + j];
}
