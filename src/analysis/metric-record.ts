/**
 * One metric at one rule length (reference-pipeline.md sections 10.4-10.6, method.md section
 * 6): the AUROC curve over lookbacks, its horizons, Cohen's d, and, when the events allow, the
 * permutation control and the BCa interval at the max-AUROC lookback.
 */
import { Rng } from '../random/rng';
import type { MetricRecord } from './analysis-schema';
import type { RGroup } from './events';
import { permutationControl } from './permutation';
import { auroc } from './stats/auroc';
import { bcaBootstrapAuroc } from './stats/bootstrap-bca';
import { cohensD } from './stats/cohens-d';
import { summarizeHorizons } from './stats/horizons';

/** The analysis settings a record depends on. */
export interface RecordSettings {
  nPermutations: number;
  nBootstrap: number;
  threshold: number;
  seed: number;
  /** onnxruntime threads of the permutation control. @default 1 */
  threads?: number;
}

/** The reference's warning level for the null maximum's 95th percentile. */
const SHUFFLE_FLAG_P95 = 0.6;

/** Finite values of `values` split by class. */
export function splitByClass(values: Float64Array, isViolation: Uint8Array): { violation: Float64Array; control: Float64Array } {
  const violation: number[] = [];
  const control: number[] = [];
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k])) continue;
    (isViolation[k] === 1 ? violation : control).push(values[k]);
  }
  return { violation: Float64Array.from(violation), control: Float64Array.from(control) };
}

/** The AUROC curve, valid counts and Cohen's d over lookbacks j = 1..r. */
export function lookbackCurves(values: Float64Array[], isViolation: Uint8Array): { auroc: Float64Array; valid: Int32Array; cohensD: Float64Array } {
  const curve = new Float64Array(values.length);
  const valid = new Int32Array(values.length);
  const d = new Float64Array(values.length);
  values.forEach((atJ, j) => {
    const { violation, control } = splitByClass(atJ, isViolation);
    curve[j] = auroc(violation, control);
    valid[j] = violation.length + control.length;
    d[j] = cohensD(violation, control);
  });
  return { auroc: curve, valid, cohensD: d };
}

/** The record of `metric` in `group`, `values` being its lookback matrix (lookbackValues). */
export async function metricRecord(
  metric: string,
  isPrimary: boolean,
  group: RGroup,
  values: Float64Array[],
  settings: RecordSettings,
  onNullDistribution?: (nullMax: Float64Array) => void,
): Promise<MetricRecord> {
  const curves = lookbackCurves(values, group.isViolation);
  const h = summarizeHorizons(curves.auroc, settings.threshold);
  const runPermutation = group.tier === 'full' || (group.tier === 'moderate_n' && isPrimary);
  return {
    r: group.r,
    metric,
    is_primary: isPrimary,
    tier: group.tier,
    n_violation: group.violations,
    n_control: group.controls,
    auroc_by_lookback: nullable(curves.auroc),
    n_valid_by_lookback: [...curves.valid],
    cohens_d_by_lookback: nullable(curves.cohensD),
    max_auroc: finiteOrNull(h.max.value),
    max_auroc_lookback: h.max.lookback,
    horizon: h.referenceHorizon,
    contiguous_horizon: h.contiguousHorizon,
    direction_free: { max_auroc: finiteOrNull(h.directionFreeMax.value), horizon: h.directionFreeHorizon, sign: h.direction },
    permutation: runPermutation && settings.nPermutations > 0 ? await permutation(metric, group, values, settings, onNullDistribution) : null,
    bootstrap: group.tier === 'full' && settings.nBootstrap > 0 && h.max.lookback > 0 ? bootstrap(metric, group, values[h.max.lookback - 1], h.max.lookback, settings) : null,
    holm: null,
  };
}

async function permutation(
  metric: string,
  group: RGroup,
  values: Float64Array[],
  settings: RecordSettings,
  onNullDistribution?: (nullMax: Float64Array) => void,
): Promise<MetricRecord['permutation']> {
  const result = await permutationControl({
    values,
    isViolation: group.isViolation,
    nPermutations: settings.nPermutations,
    seed: settings.seed,
    stream: ['permutation', group.r, metric],
    threads: settings.threads ?? 1,
  });
  onNullDistribution?.(result.nullMax);
  return {
    n_permutations: settings.nPermutations,
    p_value: finiteOrNull(result.pValue),
    null_mean: finiteOrNull(result.nullMean),
    null_p95: finiteOrNull(result.nullP95),
    flag: Number.isFinite(result.nullP95) && result.nullP95 > SHUFFLE_FLAG_P95,
  };
}

function bootstrap(metric: string, group: RGroup, atLookback: Float64Array, lookback: number, settings: RecordSettings): MetricRecord['bootstrap'] {
  const { violation, control } = splitByClass(atLookback, group.isViolation);
  const rng = Rng.derive(settings.seed, 'bootstrap', group.r, metric);
  const ci = bcaBootstrapAuroc(violation, control, { nResamples: settings.nBootstrap, rng });
  if (ci.method === 'none') return null;
  return { lookback, low: finiteOrNull(ci.low), high: finiteOrNull(ci.high), method: ci.method, n_resamples: settings.nBootstrap };
}

/** Non-finite numbers as null (result.json never holds NaN). */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function nullable(values: Float64Array): Array<number | null> {
  return Array.from(values, finiteOrNull);
}
