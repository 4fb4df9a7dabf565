/**
 * Sorting and mid-ranks. AUROC, Spearman's rho and the bootstrap all rank one pooled sample;
 * sorting it is the only O(n log n) step, so it is done once and its result (the order and the
 * tie groups) is handed to whoever needs ranks.
 */

/** A sample sorted once: the ascending order and the boundaries of its runs of equal values. */
export interface SortedSample {
  /** `order[k]` is the index (in the input) of the k-th smallest value; ties keep input order. */
  order: Uint32Array;
  /**
   * Exclusive end, in sorted positions, of each run of equal values (tie group), ascending;
   * the last entry is the sample size. A sample without ties has one group per value.
   */
  tieEnds: Uint32Array;
}

/**
 * Sorts `values` (all finite: a NaN would make the comparison inconsistent, so it is refused with
 * a RangeError naming its index). Stable, so tied values stay in input order and every caller
 * that walks the order sees the same sequence.
 */
export function sortSample(values: Float64Array): SortedSample {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`sortSample: value ${i} is ${values[i]}; drop non-finite values first`);
  }
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => values[a] - values[b] || a - b);
  return { order, tieEnds: tieGroupEnds(values, order) };
}

/** Exclusive ends of the runs of equal values along `order`. */
function tieGroupEnds(values: Float64Array, order: Uint32Array): Uint32Array {
  const ends: number[] = [];
  for (let k = 1; k <= order.length; k++) {
    if (k === order.length || values[order[k]] !== values[order[k - 1]]) ends.push(k);
  }
  return Uint32Array.from(ends);
}

/**
 * 1-based mid-ranks of a sorted sample, in input order: a run of equal values occupying sorted
 * positions a..b (1-based) all get (a + b) / 2, the average of the ranks they share.
 */
export function midRanksOf(sample: SortedSample): Float64Array {
  const ranks = new Float64Array(sample.order.length);
  let start = 0;
  for (const end of sample.tieEnds) {
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[sample.order[k]] = rank;
    start = end;
  }
  return ranks;
}

/** 1-based mid-ranks of `values` (all finite), in input order. */
export function midRanks(values: Float64Array): Float64Array {
  return midRanksOf(sortSample(values));
}
