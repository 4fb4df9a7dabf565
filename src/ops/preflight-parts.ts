/**
 * The per-stage parts of a pre-flight message, e.g. `[graph 13.0 KiB (formula), walks ...]`.
 * A single run has one estimate per stage: `walks 162.9 KiB (formula)`. A sweep may compute a
 * stage several times, and its parts are totals, so they say so: `walks 4 runs, 3.0 MiB in all
 * (formula)` (a bare `4x 3.0 MiB` read as 3.0 MiB per run).
 */
import type { StageEstimate } from './estimates';

/** How a part reads its amount and source from an estimate. */
export interface PartMeasure {
  amount: (estimate: StageEstimate) => number;
  format: (amount: number) => string;
  source: (estimate: StageEstimate) => string;
}

/** One part per stage, in order of first appearance; `perRun` counts runs (a sweep) even when a stage has one. */
export function stageParts(estimates: readonly StageEstimate[], measure: PartMeasure, perRun: boolean): string[] {
  const byStage = new Map<string, { runs: number; amount: number; sources: Set<string> }>();
  for (const estimate of estimates) {
    const entry = byStage.get(estimate.stage) ?? { runs: 0, amount: 0, sources: new Set<string>() };
    entry.runs++;
    entry.amount += measure.amount(estimate);
    entry.sources.add(measure.source(estimate));
    byStage.set(estimate.stage, entry);
  }
  return [...byStage].map(([stage, { runs, amount, sources }]) => {
    const total = measure.format(amount);
    const quantity = perRun ? `${runs} run${runs === 1 ? '' : 's'}, ${total}${runs === 1 ? '' : ' in all'}` : total;
    return `${stage} ${quantity} (${[...sources].join('/')})`;
  });
}
