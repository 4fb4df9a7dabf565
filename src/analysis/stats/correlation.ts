/**
 * Pearson and Spearman correlation of two metric columns over events aligned by event id
 * (method.md §6): row i of both columns is the same event, NaN marks a missing value, and each
 * coefficient uses the pairwise-complete rows (both values finite), as pandas' `DataFrame.corr`
 * does. The reference instead truncated unaligned vectors to a common length.
 *
 * The matrix over many columns excludes up front, and lists with the reason, the columns that
 * cannot correlate with anything (all missing, or constant), instead of filling the matrix with
 * NaN rows as the reference's identity fallback hid them.
 */
import { countFinite, finiteValues } from './finite';
import { completePairs, isConstant, pearsonComplete } from './pairwise';
import { midRanks } from './ranks';

/** Fewest complete pairs for a correlation; below it the coefficient is NaN. */
export const MIN_CORRELATION_PAIRS = 3;

/**
 * Pearson's r over the pairwise-complete rows of two aligned columns; NaN with fewer than
 * {@link MIN_CORRELATION_PAIRS} complete rows or when either column is constant over them.
 */
export function pearson(x: Float64Array, y: Float64Array): number {
  const pairs = completePairs(x, y);
  return pairs.x.length < MIN_CORRELATION_PAIRS ? Number.NaN : pearsonComplete(pairs.x, pairs.y);
}

/**
 * Spearman's rho: Pearson's r of the mid-ranks, the ranks taken over the pairwise-complete rows
 * only (so a row missing in one column does not shift the other column's ranks).
 */
export function spearman(x: Float64Array, y: Float64Array): number {
  const pairs = completePairs(x, y);
  return pairs.x.length < MIN_CORRELATION_PAIRS ? Number.NaN : pearsonComplete(midRanks(pairs.x), midRanks(pairs.y));
}

/** Why a column was left out of the matrix. */
export type ExclusionReason = 'all_missing' | 'constant';

/** The reference's redundancy threshold on |rho|. */
export const DEFAULT_REDUNDANCY_THRESHOLD = 0.9;

/** A correlation matrix over the usable columns, with the excluded columns and redundant pairs. */
export interface CorrelationMatrix {
  method: 'pearson' | 'spearman';
  /** Names of the columns in the matrix, in input order. */
  metricNames: string[];
  /** Symmetric, 1 on the diagonal; NaN where a pair has fewer than 3 complete rows or is constant on them. */
  matrix: number[][];
  excluded: Array<{ metric: string; reason: ExclusionReason }>;
  /** Pairs (a before b in `metricNames`) with |rho| > threshold. */
  redundantPairs: Array<{ a: string; b: string; rho: number }>;
}

/**
 * The pairwise-complete Pearson or Spearman matrix of `columns` (aligned: all of one length, row i
 * the same event in each), named by `names`. A column with no finite value is excluded as
 * 'all_missing', one whose finite values are all equal as 'constant'. For Spearman, a column's
 * ranks over its own finite rows are reused for every partner that drops none of them; other
 * pairs are re-ranked over their complete rows.
 */
export function correlationMatrix(
  columns: readonly Float64Array[],
  names: readonly string[],
  method: 'pearson' | 'spearman',
  threshold: number = DEFAULT_REDUNDANCY_THRESHOLD,
): CorrelationMatrix {
  if (names.length !== columns.length) throw new RangeError(`correlationMatrix: ${columns.length} columns but ${names.length} names`);
  const rows = columns.length === 0 ? 0 : columns[0].length;
  const excluded: CorrelationMatrix['excluded'] = [];
  const kept: number[] = [];
  columns.forEach((values, i) => {
    if (values.length !== rows) throw new RangeError(`correlationMatrix: column '${names[i]}' has ${values.length} rows, expected ${rows}`);
    const reason = exclusionReason(values);
    if (reason === null) kept.push(i);
    else excluded.push({ metric: names[i], reason });
  });
  const keptColumns = kept.map((i) => columns[i]);
  const keptNames = kept.map((i) => names[i]);
  const correlate = method === 'pearson' ? pearsonPairs(keptColumns) : spearmanPairs(keptColumns);
  const matrix = kept.map((_, i) => kept.map((__, j) => (i === j ? 1 : Number.NaN)));
  const redundantPairs: CorrelationMatrix['redundantPairs'] = [];
  for (let i = 0; i < kept.length; i++) {
    for (let j = i + 1; j < kept.length; j++) {
      const rho = correlate(i, j);
      matrix[i][j] = matrix[j][i] = rho;
      if (Math.abs(rho) > threshold) redundantPairs.push({ a: keptNames[i], b: keptNames[j], rho });
    }
  }
  return { method, metricNames: keptNames, matrix, excluded, redundantPairs };
}

/** 'all_missing', 'constant' or null (usable). */
function exclusionReason(values: Float64Array): ExclusionReason | null {
  const finite = finiteValues(values);
  if (finite.length === 0) return 'all_missing';
  return isConstant(finite) ? 'constant' : null;
}

/** Correlation of kept columns i and j. */
type PairCorrelation = (i: number, j: number) => number;

function pearsonPairs(columns: readonly Float64Array[]): PairCorrelation {
  return (i, j) => {
    const pairs = completePairs(columns[i], columns[j]);
    return pairs.x.length < MIN_CORRELATION_PAIRS ? Number.NaN : pearsonComplete(pairs.x, pairs.y);
  };
}

/**
 * Spearman over complete rows. When a pair drops none of column i's finite rows, its complete
 * values are exactly column i's finite values in the same order, so their ranks are computed once
 * and reused; only pairs that lose rows are re-ranked.
 */
function spearmanPairs(columns: readonly Float64Array[]): PairCorrelation {
  const finiteCount = columns.map(countFinite);
  const ownRanks: Array<Float64Array | undefined> = [];
  const ranks = (i: number, complete: Float64Array): Float64Array =>
    complete.length === finiteCount[i] ? (ownRanks[i] ??= midRanks(complete)) : midRanks(complete);
  return (i, j) => {
    const pairs = completePairs(columns[i], columns[j]);
    return pairs.x.length < MIN_CORRELATION_PAIRS ? Number.NaN : pearsonComplete(ranks(i, pairs.x), ranks(j, pairs.y));
  };
}
