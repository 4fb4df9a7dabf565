/**
 * The analysis of one metric column of token_metrics: its record in every r group, the
 * confirmatory re-check when it is a primary metric, and its lookback-1 values for the
 * redundancy matrices. Self-contained (plain arrays in, plain objects out), so it runs the
 * same on the main thread and in a column worker.
 */
import type { AnalysisSection, MetricRecord } from './analysis-schema';
import { confirmatoryRecord } from './confirmatory';
import type { RGroup, RuleEvents } from './events';
import { lookbackValues, TokenRowIndex } from './lookback-values';
import { metricRecord, type RecordSettings } from './metric-record';
import { isPrimaryMetric } from './primary-metrics';

/** Everything that is the same for every column. */
export interface ColumnContext {
  events: RuleEvents;
  groups: RGroup[];
  /** Sequence lengths (the row index of token_metrics is rebuilt from them). */
  lengths: Int32Array;
  /** SplitLabel per sequence. */
  split: Int32Array;
  /** Kept event ids, ascending. */
  kept: Int32Array;
  settings: RecordSettings;
}

/** What one column contributes to the section. */
export interface ColumnResult {
  records: MetricRecord[];
  confirmatory: AnalysisSection['confirmatory']['records'];
  /** The metric at lookback 1 of every kept event (NaN where absent). */
  atLookback1: Float64Array;
  /** The permutation null distributions of a primary metric, per r (for the figures). */
  nulls: PermutationNull[];
}

/** The null maxima of one (primary metric, r) permutation control. */
export interface PermutationNull {
  r: number;
  metric: string;
  nullMax: Float64Array;
}

/** Analyses column `key`; `index` may be passed to avoid rebuilding it per column. */
export async function analyseColumn(context: ColumnContext, key: string, column: Float64Array, index = new TokenRowIndex(context.lengths)): Promise<ColumnResult> {
  if (column.length !== index.rows) throw new RangeError(`token_metrics column ${key} has ${column.length} rows; the sequences table implies ${index.rows}`);
  const { events, settings } = context;
  const primary = isPrimaryMetric(key);
  const records: MetricRecord[] = [];
  const confirmatory: ColumnResult['confirmatory'] = [];
  const nulls: PermutationNull[] = [];
  for (const group of context.groups) {
    const keepNull = primary ? (nullMax: Float64Array) => nulls.push({ r: group.r, metric: key, nullMax }) : undefined;
    records.push(await metricRecord(key, primary, group, lookbackValues(column, index, events, group), settings, keepNull));
    if (primary) confirmatory.push(confirmatoryRecord(key, column, group, { events, index, split: context.split, threshold: settings.threshold }));
  }
  const atLookback1 = Float64Array.from(context.kept, (e) => {
    const row = index.row(events.sequence[e], events.resolutionStep[e] - 1);
    return row < 0 ? Number.NaN : column[row];
  });
  return { records, confirmatory, atLookback1, nulls };
}
