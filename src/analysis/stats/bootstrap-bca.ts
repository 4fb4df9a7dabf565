/**
 * BCa bootstrap confidence interval of the AUROC (method.md §6, reference-pipeline.md §10.6):
 * violations and controls are resampled separately (stratified by class), 10,000 times by
 * default, and the interval is the BCa interval of the resampled AUROCs, falling back to the
 * plain percentile interval where BCa is undefined (as the reference does).
 *
 * Cost: one sort of the pooled sample, then O(n) per resample (n index draws and one pass over
 * the fixed sorted order) and O(n) for the closed-form jackknife; no re-sorting.
 */
import { Rng } from '../../random/rng';
import { AurocResampler, jackknifeAurocs, poolForAuroc, pooledAuroc, type PooledAurocSample } from './auroc-resampling';
import { acceleration, bcaLevels, biasCorrection } from './bca';
import { finiteValues } from './finite';
import { quantileSorted } from './percentile';

/** Which interval was computed: 'none' when a class had too few values for any. */
export type CiMethod = 'bca' | 'percentile' | 'none';

/** A bootstrap confidence interval. */
export interface BootstrapCi {
  /** Lower bound; NaN when `method` is 'none'. */
  low: number;
  /** Upper bound; NaN when `method` is 'none'. */
  high: number;
  method: CiMethod;
  nResamples: number;
}

/** Options of {@link bcaBootstrapAuroc}. */
export interface BootstrapOptions {
  /** Two-sided confidence level, in (0, 1). @default 0.95 */
  confidence?: number;
  /** Number of resamples (a positive integer). @default 10000 */
  nResamples?: number;
  /** Source of the resampling draws. @default Rng.derive(42, 'bootstrap-bca') (the reference's seed) */
  rng?: Rng;
}

/** Fewest finite values per class for a bootstrap interval; below it the bounds are NaN. */
export const MIN_BOOTSTRAP_CLASS_SIZE = 3;
/** The reference's number of resamples (`analysis.n_bootstrap`). */
export const DEFAULT_BOOTSTRAP_RESAMPLES = 10_000;
/** The reference's confidence level. */
export const DEFAULT_CONFIDENCE = 0.95;

/**
 * The BCa interval of AUROC(violations, controls). Non-finite values are dropped first. The
 * resampling draws, per resample, nv violation indices then nc control indices from the one
 * `rng`, so the same rng state gives the same interval. Throws RangeError naming the option
 * when `confidence` or `nResamples` is out of range.
 */
export function bcaBootstrapAuroc(violations: Float64Array, controls: Float64Array, options: BootstrapOptions = {}): BootstrapCi {
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const nResamples = options.nResamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`bcaBootstrapAuroc: confidence must be in (0, 1), got ${confidence}`);
  if (!(Number.isInteger(nResamples) && nResamples >= 1)) {
    throw new RangeError(`bcaBootstrapAuroc: nResamples must be a positive integer, got ${nResamples}`);
  }
  const v = finiteValues(violations);
  const c = finiteValues(controls);
  if (v.length < MIN_BOOTSTRAP_CLASS_SIZE || c.length < MIN_BOOTSTRAP_CLASS_SIZE) {
    return { low: Number.NaN, high: Number.NaN, method: 'none', nResamples };
  }
  const pool = poolForAuroc(v, c);
  const distribution = aurocBootstrapDistribution(pool, nResamples, options.rng ?? Rng.derive(42, 'bootstrap-bca'));
  return { ...intervalOf(pool, distribution, confidence), nResamples };
}

/** The AUROCs of `nResamples` stratified resamples, in draw order. */
export function aurocBootstrapDistribution(pool: PooledAurocSample, nResamples: number, rng: Rng): Float64Array {
  const resampler = new AurocResampler(pool);
  const out = new Float64Array(nResamples);
  for (let b = 0; b < nResamples; b++) out[b] = resampler.next(rng);
  return out;
}

/** BCa bounds from the distribution, or percentile bounds where BCa gives a non-finite bound. */
function intervalOf(pool: PooledAurocSample, distribution: Float64Array, confidence: number): { low: number; high: number; method: CiMethod } {
  const sorted = distribution.slice().sort();
  const jackknife = jackknifeAurocs(pool);
  const z0 = biasCorrection(distribution, pooledAuroc(pool));
  const [lowLevel, highLevel] = bcaLevels(z0, acceleration([jackknife.violations, jackknife.controls]), confidence);
  if (Number.isFinite(lowLevel) && Number.isFinite(highLevel)) {
    const low = quantileSorted(sorted, lowLevel);
    const high = quantileSorted(sorted, highLevel);
    if (Number.isFinite(low) && Number.isFinite(high)) return { low, high, method: 'bca' };
  }
  const alpha = (1 - confidence) / 2;
  return { low: quantileSorted(sorted, alpha), high: quantileSorted(sorted, 1 - alpha), method: 'percentile' };
}
