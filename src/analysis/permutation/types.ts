/**
 * The public shapes of the permutation (shuffle) control (method.md section 6,
 * reference-pipeline.md section 10.5).
 */
import type { StreamSegment } from '../../random/rng';

/** Permutations when the config does not say (`analysis.n_permutations`). */
export const DEFAULT_PERMUTATIONS = 10_000;

/** One metric at one rule length, and how to permute it. */
export interface PermutationControlInput {
  /**
   * The metric at lookbacks j = 1..r: `values[j - 1][e]` for event e, all r columns of length
   * nEvents. A non-finite value means event e is not valid at that lookback.
   */
  values: readonly Float64Array[];
  /** The observed labels, 1 = violation and 0 = control, length nEvents. */
  isViolation: Uint8Array;
  /** Master seed of the permutation streams. */
  seed: number;
  /**
   * Label permutations.
   * @default 10_000 ({@link DEFAULT_PERMUTATIONS})
   */
  nPermutations?: number;
  /**
   * Stream path under `seed`: permutation p draws from `Rng.derive(seed, ...stream, p)`.
   * @default ['permutation']
   */
  stream?: readonly StreamSegment[];
  /**
   * onnxruntime intra-op threads for the subset sums.
   * @default 1
   */
  threads?: number;
  /**
   * Permutations per onnxruntime run.
   * @default about 32 MB of subset rows: 2^25 / nEvents, within [16, 2048] and at most nPermutations
   */
  batchSize?: number;
  /** Checked between batches: an aborted signal stops the control with `Cancelled`. */
  signal?: AbortSignal;
}

/**
 * What the control found. The statistic is the maximum over lookbacks of the finite AUROCs
 * (NaN when none is finite); the null distribution is that statistic under random relabellings
 * with the same number of violations.
 */
export interface PermutationControlResult {
  /** The statistic under the observed labels. */
  observed: number;
  /** The statistic under each permutation, in permutation order (NaN where no AUROC is finite). */
  nullMax: Float64Array;
  /**
   * (1 + #{p : nullMax[p] ≥ observed}) / (1 + nPermutations), the comparison made exactly on
   * the rank-sum fractions; a NaN null never counts. NaN when `observed` is NaN.
   */
  pValue: number;
  /** Mean of the finite nulls; NaN when none is. */
  nullMean: number;
  /** 95th percentile of the finite nulls (NumPy's linear interpolation); NaN when none is. */
  nullP95: number;
  /** How many nulls are finite. */
  nFinite: number;
}
