/**
 * Exploratory / confirmatory split of the evaluation sequences (reference-pipeline.md
 * section 9, method.md section 6): stratified by violation, half of each stratum exploratory.
 */
import { Rng } from '../random/rng';

/** Split labels, as stored in the int8 `split` array (the reference's encoding). */
export const SplitLabel = { Exploratory: 0, Confirmatory: 1 } as const;
/** One of the `SplitLabel` values. */
export type SplitLabel = (typeof SplitLabel)[keyof typeof SplitLabel];

/** The reference's fixed split seed. */
export const DEFAULT_SPLIT_SEED = 2026;

/** Summary stored as `split_assignment` in result.json (the reference's field names). */
export interface SplitCounts {
  split_seed: number;
  n_exploratory: number;
  n_confirmatory: number;
  n_exploratory_violations: number;
  n_confirmatory_violations: number;
}

/** The split of N sequences and its counts. */
export interface SplitAssignment {
  /** One `SplitLabel` per sequence. */
  split: Int8Array;
  counts: SplitCounts;
}

/**
 * Assigns each sequence to a half. A sequence is a violation sequence iff its failure index is
 * >= 0. The violation sequences and the others (each in ascending index order) are shuffled in
 * that order with one stream `Rng.derive(splitSeed, 'split')`; the first floor(size / 2) of each
 * shuffled stratum are exploratory, the rest confirmatory, so an odd stratum puts its extra
 * sequence in the confirmatory half, as in the reference. Throws RangeError for a non-integer seed.
 */
export function assignSplit(failureIndex: ArrayLike<number>, splitSeed: number = DEFAULT_SPLIT_SEED): SplitAssignment {
  if (!Number.isSafeInteger(splitSeed)) throw new RangeError(`assignSplit: splitSeed must be an integer, got ${splitSeed}`);
  const violations: number[] = [];
  const others: number[] = [];
  for (let i = 0; i < failureIndex.length; i++) (failureIndex[i] >= 0 ? violations : others).push(i);
  const rng = Rng.derive(splitSeed, 'split');
  const split = new Int8Array(failureIndex.length);
  const nExploratoryViolations = assignStratum(violations, rng, split);
  const nExploratoryOthers = assignStratum(others, rng, split);
  const nExploratory = nExploratoryViolations + nExploratoryOthers;
  return {
    split,
    counts: {
      split_seed: splitSeed,
      n_exploratory: nExploratory,
      n_confirmatory: failureIndex.length - nExploratory,
      n_exploratory_violations: nExploratoryViolations,
      n_confirmatory_violations: violations.length - nExploratoryViolations,
    },
  };
}

/** Shuffles one stratum, writes its labels into `split`, and returns how many went exploratory. */
function assignStratum(stratum: number[], rng: Rng, split: Int8Array): number {
  rng.shuffle(stratum);
  const half = Math.floor(stratum.length / 2);
  stratum.forEach((sequence, i) => {
    split[sequence] = i < half ? SplitLabel.Exploratory : SplitLabel.Confirmatory;
  });
  return half;
}
