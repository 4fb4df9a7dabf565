/**
 * The confirmatory re-check of the primary metrics (method.md section 6): the analysis runs on
 * all sequences; each primary metric's curve is then recomputed on the exploratory and on the
 * confirmatory half of the pre-registered split, and a finding is replicated when the
 * exploratory half shows a horizon and the confirmatory half does too.
 */
import { SplitLabel } from '../evaluation/split';
import type { AnalysisSection } from './analysis-schema';
import type { RGroup, RuleEvents } from './events';
import { lookbackValues, type TokenRowIndex } from './lookback-values';
import { lookbackCurves, finiteOrNull } from './metric-record';
import { summarizeHorizons } from './stats/horizons';

type ConfirmatoryRecord = AnalysisSection['confirmatory']['records'][number];

/** What the re-check of one metric needs besides its column. */
export interface SplitContext {
  events: RuleEvents;
  index: TokenRowIndex;
  /** Split label per sequence. */
  split: Int32Array;
  threshold: number;
}

/** Entries of `group` whose sequence lies in half `label`. */
export function membersOfHalf(group: RGroup, events: RuleEvents, split: Int32Array, label: number): Int32Array {
  const members: number[] = [];
  group.events.forEach((e, k) => {
    if (split[events.sequence[e]] === label) members.push(k);
  });
  return Int32Array.from(members);
}

/** The re-check of `metric` (its token_metrics column) in one r group. */
export function confirmatoryRecord(metric: string, column: Float64Array, group: RGroup, context: SplitContext): ConfirmatoryRecord {
  const half = (label: number) => {
    const members = membersOfHalf(group, context.events, context.split, label);
    const isViolation = Uint8Array.from(members, (k) => group.isViolation[k]);
    const values = lookbackValues(column, context.index, context.events, group, members);
    const h = summarizeHorizons(lookbackCurves(values, isViolation).auroc, context.threshold);
    const violations = isViolation.reduce((sum, v) => sum + v, 0);
    return { h, violations, controls: members.length - violations };
  };
  const confirmatory = half(SplitLabel.Confirmatory);
  const exploratory = half(SplitLabel.Exploratory);
  return {
    r: group.r,
    metric,
    n_violation: confirmatory.violations,
    n_control: confirmatory.controls,
    max_auroc: finiteOrNull(confirmatory.h.max.value),
    horizon: confirmatory.h.referenceHorizon,
    exploratory_max_auroc: finiteOrNull(exploratory.h.max.value),
    exploratory_horizon: exploratory.h.referenceHorizon,
    replicated: exploratory.h.referenceHorizon > 0 && confirmatory.h.referenceHorizon > 0,
  };
}
