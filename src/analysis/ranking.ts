/**
 * The metric ranking and the qkt-versus-avwo headline (reference-pipeline.md section 10.6):
 * each metric's best max AUROC over r with the horizon there, and per r the largest horizon
 * among the primary qkt and avwo metrics.
 */
import type { AnalysisSection, MetricRecord } from './analysis-schema';
import { parseMetricKey } from './primary-metrics';

/** Metrics sorted by their best max AUROC over r (missing counts as 0), then by name. */
export function rankMetrics(records: MetricRecord[], redundantWith: ReadonlyMap<string, string[]>): AnalysisSection['ranking'] {
  const best = new Map<string, MetricRecord>();
  for (const record of records) {
    const current = best.get(record.metric);
    if (current === undefined || (record.max_auroc ?? 0) > (current.max_auroc ?? 0)) best.set(record.metric, record);
  }
  return [...best.values()]
    .map((record) => ({
      metric: record.metric,
      is_primary: record.is_primary,
      best_max_auroc: record.max_auroc,
      best_r: record.max_auroc === null ? null : record.r,
      horizon_at_best: record.max_auroc === null ? 0 : record.horizon,
      redundant_with: redundantWith.get(record.metric) ?? [],
    }))
    .sort((a, b) => (b.best_max_auroc ?? 0) - (a.best_max_auroc ?? 0) || a.metric.localeCompare(b.metric));
}

/** Per r: the largest horizon of the primary qkt metrics against that of the primary avwo metrics. */
export function headlineComparison(records: MetricRecord[]): AnalysisSection['headline'] {
  const byR = new Map<number, { qkt: number; avwo: number }>();
  for (const record of records) {
    if (!record.is_primary) continue;
    const target = parseMetricKey(record.metric)?.target;
    const entry = byR.get(record.r) ?? { qkt: 0, avwo: 0 };
    if (target === 'qkt') entry.qkt = Math.max(entry.qkt, record.horizon);
    if (target === 'avwo') entry.avwo = Math.max(entry.avwo, record.horizon);
    byR.set(record.r, entry);
  }
  return [...byR.entries()]
    .sort(([a], [b]) => a - b)
    .map(([r, { qkt, avwo }]) => ({ r, qkt_max_horizon: qkt, avwo_max_horizon: avwo, qkt_leads: qkt > avwo, gap: qkt - avwo }));
}
