/**
 * The AUROC of a violation/control sample under resampling and under deletion, for the
 * bootstrap. The pooled sample is sorted once; a resample is then only a vector of
 * multiplicities over the fixed sorted order, and its AUROC is one pass that accumulates the
 * control weight below each value (ties count half) instead of a re-sort. Deleting one event
 * removes exactly the pairs it is in, so all leave-one-out AUROCs come from one pass as well.
 */
import type { Rng } from '../../random/rng';
import { sortSample } from './ranks';
import { addResampleCounts } from './resample-counts';

/** A violation sample and a control sample, pooled and sorted once. */
export interface PooledAurocSample {
  nViolations: number;
  nControls: number;
  /** Sorted position of each violation, by its index in the violation sample. */
  violationPosition: Uint32Array;
  /** Sorted position of each control, by its index in the control sample. */
  controlPosition: Uint32Array;
  /** Exclusive end, in sorted positions, of each run of equal values. */
  tieEnds: Uint32Array;
  /** 1 at the last sorted position of each run of equal values (the pass's view of `tieEnds`). */
  endsRun: Uint8Array;
}

/** Pools and sorts two samples of finite values (non-finite values are refused by the sort). */
export function poolForAuroc(violations: Float64Array, controls: Float64Array): PooledAurocSample {
  const pooled = new Float64Array(violations.length + controls.length);
  pooled.set(violations);
  pooled.set(controls, violations.length);
  const { order, tieEnds } = sortSample(pooled);
  const violationPosition = new Uint32Array(violations.length);
  const controlPosition = new Uint32Array(controls.length);
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (i < violations.length) violationPosition[i] = k;
    else controlPosition[i - violations.length] = k;
  }
  const endsRun = new Uint8Array(pooled.length);
  for (const end of tieEnds) endsRun[end - 1] = 1;
  return { nViolations: violations.length, nControls: controls.length, violationPosition, controlPosition, tieEnds, endsRun };
}

/**
 * Σ over violation/control pairs of [v > c] + ½[v = c], each pair weighted by the product of
 * the two multiplicities; the weights are indexed by sorted position. One pass in sorted order:
 * a run of equal values is accumulated, then its violations are credited with all control weight
 * below the run plus half the run's own. Every partial sum is a multiple of ½ below 2^53, so the
 * count is exact.
 */
export function weightedPairCount(pool: PooledAurocSample, violationWeight: Int32Array, controlWeight: Int32Array): number {
  const size = pool.endsRun.length;
  if (pool.tieEnds.length === size) return untiedPairCount(size, violationWeight, controlWeight);
  const endsRun = pool.endsRun;
  let controlsBelow = 0;
  let pairs = 0;
  let runViolations = 0;
  let runControls = 0;
  for (let k = 0; k < size; k++) {
    runViolations += violationWeight[k];
    runControls += controlWeight[k];
    if (endsRun[k] === 1) {
      pairs += runViolations * (controlsBelow + 0.5 * runControls);
      controlsBelow += runControls;
      runViolations = 0;
      runControls = 0;
    }
  }
  return pairs;
}

/** {@link weightedPairCount} when every run has one value: no halves, about twice as fast. */
function untiedPairCount(size: number, violationWeight: Int32Array, controlWeight: Int32Array): number {
  let controlsBelow = 0;
  let pairs = 0;
  for (let k = 0; k < size; k++) {
    pairs += violationWeight[k] * controlsBelow;
    controlsBelow += controlWeight[k];
  }
  return pairs;
}

/** Draws stratified bootstrap resamples of a pooled sample and returns their AUROCs. */
export class AurocResampler {
  readonly #pool: PooledAurocSample;
  readonly #violationWeight: Int32Array;
  readonly #controlWeight: Int32Array;

  constructor(pool: PooledAurocSample) {
    this.#pool = pool;
    const size = pool.nViolations + pool.nControls;
    this.#violationWeight = new Int32Array(size);
    this.#controlWeight = new Int32Array(size);
  }

  /**
   * The AUROC of one resample: nv violations drawn with replacement from the violations, then nc
   * controls from the controls, both from `rng` in that order ({@link addResampleCounts}).
   */
  next(rng: Rng): number {
    const { nViolations, nControls, violationPosition, controlPosition } = this.#pool;
    addResampleCounts(rng, violationPosition, this.#violationWeight.fill(0));
    addResampleCounts(rng, controlPosition, this.#controlWeight.fill(0));
    return weightedPairCount(this.#pool, this.#violationWeight, this.#controlWeight) / (nViolations * nControls);
  }
}

/** The AUROC of the pooled sample itself (every multiplicity 1). */
export function pooledAuroc(pool: PooledAurocSample): number {
  const size = pool.nViolations + pool.nControls;
  const vw = new Int32Array(size);
  const cw = new Int32Array(size);
  for (const k of pool.violationPosition) vw[k] = 1;
  for (const k of pool.controlPosition) cw[k] = 1;
  return weightedPairCount(pool, vw, cw) / (pool.nViolations * pool.nControls);
}

/** Leave-one-out AUROCs of each sample, in input order. */
export interface JackknifeAurocs {
  /** AUROC without violation i. */
  violations: Float64Array;
  /** AUROC without control j. */
  controls: Float64Array;
}

/**
 * Every leave-one-out AUROC in O(n): removing violation i removes its pairs (controls below it
 * plus half the tied ones) and one violation from the denominator; removing control j removes
 * the violations above it plus half the tied ones.
 */
export function jackknifeAurocs(pool: PooledAurocSample): JackknifeAurocs {
  const { nViolations: nv, nControls: nc, tieEnds } = pool;
  const isViolation = new Uint8Array(nv + nc);
  for (const k of pool.violationPosition) isViolation[k] = 1;
  // Pairs of the event at each sorted position, filled group by group.
  const pairsAt = new Float64Array(nv + nc);
  let controlsBelow = 0;
  let violationsBelow = 0;
  let start = 0;
  for (const end of tieEnds) {
    let v = 0;
    for (let k = start; k < end; k++) v += isViolation[k];
    const c = end - start - v;
    const violationPairs = controlsBelow + 0.5 * c;
    const controlPairs = nv - violationsBelow - v + 0.5 * v;
    for (let k = start; k < end; k++) pairsAt[k] = isViolation[k] === 1 ? violationPairs : controlPairs;
    controlsBelow += c;
    violationsBelow += v;
    start = end;
  }
  let total = 0;
  for (const k of pool.violationPosition) total += pairsAt[k];
  return {
    violations: leaveOneOut(pool.violationPosition, pairsAt, total, (nv - 1) * nc),
    controls: leaveOneOut(pool.controlPosition, pairsAt, total, nv * (nc - 1)),
  };
}

/** (total − pairs of event i) / denominator for each event of one sample. */
function leaveOneOut(positions: Uint32Array, pairsAt: Float64Array, total: number, denominator: number): Float64Array {
  const out = new Float64Array(positions.length);
  for (let i = 0; i < positions.length; i++) out[i] = (total - pairsAt[positions[i]]) / denominator;
  return out;
}
