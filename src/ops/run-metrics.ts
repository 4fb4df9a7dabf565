/**
 * The headline numbers of a run (final loss, edge and rule compliance, gate, best horizon),
 * read from result.json only where a stage has written them. Nothing is derived or
 * defaulted: a metric the run does not report is `null`, shown empty in the ledger.
 *
 * MAINTENANCE: each metric lists the places it may appear, in order: this project's stage
 * summaries first (the train stage's summary in `src/stages/train.ts`: `final_loss`,
 * `final_edge_compliance`, `final_rule_compliance`, `gate_passed`), then the reference's
 * `metrics.scalars` layout (reference-pipeline.md section 14). The analyse stage's summary
 * (`src/stages/analyse.ts`) has `best_horizon`: the largest horizon of any primary metric at
 * any r. Keep in sync.
 */
import type { RunRecord } from './run-record';

/** The metrics the ledger and `promote` use. */
export interface RunMetrics {
  finalLoss: number | null;
  edgeCompliance: number | null;
  ruleCompliance: number | null;
  /** Largest lookback whose AUROC exceeds the threshold, over the primary metrics and r values. */
  bestHorizon: number | null;
  gatePassed: boolean | null;
  /** Execution provider the model stages ran on ('cpu', 'cuda'). */
  executionProvider: string | null;
}

/** Candidate locations: `stage:<name>.<summary path>` or a dotted path from the document root. */
const LOCATIONS: Readonly<Record<keyof RunMetrics, readonly string[]>> = {
  finalLoss: ['stage:train.final_loss', 'metrics.scalars.final_train_loss'],
  edgeCompliance: ['stage:train.final_edge_compliance', 'metrics.scalars.final_edge_compliance'],
  ruleCompliance: ['stage:train.final_rule_compliance', 'metrics.scalars.final_rule_compliance'],
  bestHorizon: ['stage:analyse.best_horizon', 'metrics.scalars.best_horizon'],
  gatePassed: ['stage:train.gate_passed', 'metrics.scalars.gate_passed'],
  executionProvider: ['stage:train.backend.provider', 'metadata.execution_provider'],
};

/** The metrics present in `record` (null where absent or not a finite number / boolean). */
export function runMetrics(record: RunRecord): RunMetrics {
  const number = (key: keyof RunMetrics): number | null => {
    const value = firstPresent(record, LOCATIONS[key]);
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  const gate = firstPresent(record, LOCATIONS.gatePassed);
  const provider = firstPresent(record, LOCATIONS.executionProvider);
  return {
    finalLoss: number('finalLoss'),
    edgeCompliance: number('edgeCompliance'),
    ruleCompliance: number('ruleCompliance'),
    bestHorizon: number('bestHorizon'),
    gatePassed: typeof gate === 'boolean' ? gate : null,
    executionProvider: typeof provider === 'string' ? provider : null,
  };
}

function firstPresent(record: RunRecord, locations: readonly string[]): unknown {
  for (const location of locations) {
    const value = lookup(record, location);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

function lookup(record: RunRecord, location: string): unknown {
  if (location.startsWith('stage:')) {
    const [stageName, ...path] = location.slice('stage:'.length).split('.');
    const stage = record.stages.find((s) => s.name === stageName);
    return walk(stage?.summary ?? undefined, path);
  }
  return walk(record, location.split('.'));
}

function walk(node: unknown, path: readonly string[]): unknown {
  let current = node;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
