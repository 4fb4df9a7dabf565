/**
 * The ledger's `best_horizon_by_primary_metric` cell: per pre-registered primary metric
 * (`target.metric`, e.g. `qkt.grassmannian_distance`), the largest horizon any of its layers,
 * heads and r values reached, as the analyse stage's summary reports it
 * (`best_horizon_by_primary_metric`, src/stages/analyse.ts). `best_horizon` is the maximum of
 * these; the map says which metric reached it and how the others did.
 */
import type { RunRecord } from './run-record';

/** The analyse summary's horizons per primary metric; null when the run has none (or they are malformed). */
export function horizonsByPrimaryMetric(record: RunRecord): Record<string, number> | null {
  const summary = record.stages.find((stage) => stage.name === 'analyse')?.summary;
  const value = summary?.best_horizon_by_primary_metric;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.every(([, horizon]) => typeof horizon === 'number' && Number.isFinite(horizon)) ? (Object.fromEntries(entries) as Record<string, number>) : null;
}

/** The cell: compact JSON, keys in the summary's order; empty when not reported. */
export function horizonsCell(record: RunRecord): string {
  const horizons = horizonsByPrimaryMetric(record);
  return horizons === null ? '' : JSON.stringify(horizons);
}
