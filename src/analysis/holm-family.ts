/**
 * Holm-Bonferroni over the pre-registered family (method.md section 6): every (primary metric
 * key, r) pair with a permutation p-value, each pair keeping its own adjusted p-value (the
 * reference keyed the family by metric only, so later r values overwrote earlier ones).
 */
import type { AnalysisSection, MetricRecord } from './analysis-schema';
import { holm } from './stats/holm';

/** Applies Holm to the records' family in place and returns the family's summary. */
export function applyHolmFamily(records: MetricRecord[], alpha: number): AnalysisSection['holm'] {
  const members = records.filter((record) => record.is_primary && record.permutation?.p_value != null);
  const pValues = Float64Array.from(members, (record) => record.permutation!.p_value!);
  const { adjusted, reject } = holm(pValues, alpha);
  const family = members.map((record, i) => {
    record.holm = { p_adjusted: adjusted[i], reject: reject[i] };
    return { metric: record.metric, r: record.r, p_value: pValues[i], p_adjusted: adjusted[i], reject: reject[i] };
  });
  return { alpha, family_size: family.length, family };
}
