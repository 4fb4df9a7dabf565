/**
 * The pre-registered primary metrics (reference-pipeline.md section 10.4), matched on
 * `target.metric` whatever the layer and head.
 */
export const PRIMARY_METRICS = [
  'qkt.grassmannian_distance',
  'qkt.spectral_gap_1_2',
  'qkt.spectral_entropy',
  'avwo.stable_rank',
  'avwo.grassmannian_distance',
] as const;

/** The parts of a metric key `{target}.layer_{l}.head_{h}.{metric}` (or the H = 1 alias without head). */
export interface MetricKeyParts {
  target: string;
  layer: number | null;
  head: number | null;
  metric: string;
}

const KEY = /^([a-z]+)\.layer_(\d+)(?:\.head_(\d+))?\.([a-z0-9_]+)$/;

/** Splits a metric key; null when it is not one. */
export function parseMetricKey(key: string): MetricKeyParts | null {
  const match = KEY.exec(key);
  if (match === null) return null;
  return { target: match[1], layer: Number(match[2]), head: match[3] === undefined ? null : Number(match[3]), metric: match[4] };
}

/** Whether `key` is one of the primary metrics at some layer and head. */
export function isPrimaryMetric(key: string): boolean {
  const parts = parseMetricKey(key);
  return parts !== null && (PRIMARY_METRICS as readonly string[]).includes(`${parts.target}.${parts.metric}`);
}
