/**
 * The statistics of the analysis stage (method.md §6), as pure functions of Float64Array columns
 * in which NaN marks a missing value.
 */
export { auroc, MIN_AUROC_CLASS_SIZE } from './auroc';
export { AurocResampler, jackknifeAurocs, poolForAuroc, pooledAuroc, weightedPairCount } from './auroc-resampling';
export type { JackknifeAurocs, PooledAurocSample } from './auroc-resampling';
export { acceleration, bcaLevels, biasCorrection } from './bca';
export {
  aurocBootstrapDistribution,
  bcaBootstrapAuroc,
  DEFAULT_BOOTSTRAP_RESAMPLES,
  DEFAULT_CONFIDENCE,
  MIN_BOOTSTRAP_CLASS_SIZE,
} from './bootstrap-bca';
export type { BootstrapCi, BootstrapOptions, CiMethod } from './bootstrap-bca';
export { cohensD, MIN_POOLED_SD } from './cohens-d';
export { correlationMatrix, DEFAULT_REDUNDANCY_THRESHOLD, MIN_CORRELATION_PAIRS, pearson, spearman } from './correlation';
export type { CorrelationMatrix, ExclusionReason } from './correlation';
export { completePairs, isConstant, pearsonComplete } from './pairwise';
export { countFinite, finiteValues } from './finite';
export { DEFAULT_HOLM_ALPHA, holm } from './holm';
export type { HolmResult } from './holm';
export {
  contiguousHorizon,
  curveMaximum,
  DEFAULT_HORIZON_THRESHOLD,
  directionFreeCurve,
  directionOf,
  referenceHorizon,
  summarizeHorizons,
} from './horizons';
export type { CurveMaximum, Direction, HorizonSummary } from './horizons';
export { erfc, normalCdf, normalQuantile } from './normal';
export { mean, percentile, quantileSorted } from './percentile';
export { midRanks, midRanksOf, sortSample } from './ranks';
export type { SortedSample } from './ranks';
export { addResampleCounts, MAX_RESAMPLE_SIZE } from './resample-counts';
