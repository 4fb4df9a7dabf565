/**
 * Why a run's failed sufficiency gate refuses its promotion, in the run's own numbers: each
 * compliance next to the threshold it had to exceed, so the user sees by how much it missed
 * without opening result.json. The thresholds are the ones the run recorded
 * (`gate_thresholds` in the train stage's summary), not this version's constants.
 */
import type { RunRecord } from './run-record';
import type { RunMetrics } from './run-metrics';

/** The refusal line for a failed gate, or null when the gate passed or was not reported. */
export function gateRefusal(record: RunRecord, metrics: RunMetrics): string | null {
  if (metrics.gatePassed !== false) return null;
  const thresholds = recordedThresholds(record);
  const parts = [
    compliance('edge compliance', metrics.edgeCompliance, thresholds?.edge ?? null),
    compliance('rule compliance', metrics.ruleCompliance, thresholds?.rule ?? null),
  ];
  const unrecorded = thresholds === null ? ' (the run records no gate thresholds)' : '';
  return `the sufficiency gate failed: ${parts.join(', ')}${unrecorded}`;
}

function compliance(what: string, value: number | null, threshold: number | null): string {
  if (value === null) return `${what} not reported`;
  if (threshold === null) return `${what} ${value}`;
  return `${what} ${value} (needs > ${threshold}: ${value > threshold ? 'met' : 'not met'})`;
}

/** `{edge, rule}` from the train summary's `gate_thresholds`; null when absent or malformed. */
function recordedThresholds(record: RunRecord): { edge: number; rule: number } | null {
  const value = record.stages.find((stage) => stage.name === 'train')?.summary?.gate_thresholds as { edge?: unknown; rule?: unknown } | undefined;
  if (typeof value?.edge !== 'number' || typeof value.rule !== 'number') return null;
  return { edge: value.edge, rule: value.rule };
}
