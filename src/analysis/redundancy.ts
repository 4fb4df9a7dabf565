/**
 * Redundancy between metrics (method.md section 6): correlations over events aligned by event
 * id, pairwise complete (the reference truncated every vector to the shortest, misaligning
 * the samples), and between the AUROC curves of the largest r (as the reference).
 */
import type { AnalysisSection, MetricRecord } from './analysis-schema';
import { correlationMatrix, type CorrelationMatrix } from './stats/correlation';

/** Redundancy section from the lookback-1 value of every kept event per metric, and the records. */
export function redundancy(names: string[], atLookback1: Float64Array[], records: MetricRecord[]): AnalysisSection['redundancy'] {
  const largestR = records.reduce<number | null>((max, record) => (max === null || record.r > max ? record.r : max), null);
  const curves = names.map((name) => {
    const record = records.find((candidate) => candidate.metric === name && candidate.r === largestR);
    // The reference's convention: a lookback without an AUROC counts as chance.
    return Float64Array.from(record?.auroc_by_lookback ?? [], (value) => value ?? 0.5);
  });
  return {
    measurement: {
      pearson: asSection(correlationMatrix(atLookback1, names, 'pearson')),
      spearman: asSection(correlationMatrix(atLookback1, names, 'spearman')),
    },
    predictive: { r: largestR, pearson: asSection(correlationMatrix(curves, names, 'pearson')) },
  };
}

type CorrelationSection = AnalysisSection['redundancy']['predictive']['pearson'];

/** The matrix in result.json's field names, NaN as null. */
function asSection(matrix: CorrelationMatrix): CorrelationSection {
  return {
    metric_names: matrix.metricNames,
    matrix: matrix.matrix.map((row) => row.map((value) => (Number.isFinite(value) ? value : null))),
    excluded: matrix.excluded.map(({ metric, reason }) => ({ metric, reason })),
    redundant_pairs: matrix.redundantPairs,
  };
}

/** For each metric, the metrics it is redundant with (from the Pearson measurement matrix). */
export function redundantPartners(section: AnalysisSection['redundancy']): Map<string, string[]> {
  const partners = new Map<string, string[]>();
  for (const { a, b } of section.measurement.pearson.redundant_pairs) {
    partners.set(a, [...(partners.get(a) ?? []), b]);
    partners.set(b, [...(partners.get(b) ?? []), a]);
  }
  return partners;
}
