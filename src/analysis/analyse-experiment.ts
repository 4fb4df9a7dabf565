/**
 * The whole analysis of one experiment (method.md section 6), independent of where the tables
 * live: events and the contamination filter, then one metric column at a time (so memory holds
 * one column of token_metrics, never the table) every r group's record, then Holm-Bonferroni,
 * redundancy, ranking, the headline and the confirmatory re-check.
 */
import { analysisSectionSchema, type AnalysisSection } from './analysis-schema';
import { analyseColumns } from './column-pool';
import type { ColumnContext, ColumnResult, PermutationNull } from './column-analysis';
import { firstOccurrences, type SequenceTokens } from './distinct-sequences';
import { applyContaminationFilter, EventOutcome, extractEvents, groupByR, type EncounterColumns, type RGroup, type RuleEvents } from './events';
import { applyHolmFamily } from './holm-family';
import type { RecordSettings } from './metric-record';
import { headlineComparison, rankMetrics } from './ranking';
import { redundancy, redundantPartners } from './redundancy';

/** The sequences table's columns the analysis uses. */
export interface SequenceColumns {
  length: Int32Array;
  failureIndex: Int32Array;
  /** SplitLabel per sequence. */
  split: Int32Array;
  tokens: SequenceTokens;
}

export interface AnalysisSettings extends RecordSettings {
  alpha: number;
  /** Worker threads analysing metric columns in parallel; 0 = on the calling thread. @default 0 */
  workers?: number;
  /** Analyse each distinct sequence once. */
  dedupe: boolean;
}

export interface AnalysisInputs {
  sequences: SequenceColumns;
  encounters: EncounterColumns;
  /** The metric columns of token_metrics, in table order. */
  metricKeys: string[];
  /** One metric column of token_metrics (rows in table order). */
  readColumn(key: string): Promise<Float64Array>;
  settings: AnalysisSettings;
  signal?: AbortSignal;
  /** Called after each metric column with the fraction done. */
  onProgress?: (fraction: number, metric: string) => void;
  /** Column results already known (from a checkpoint); those columns are not analysed again. */
  knownColumns?: ReadonlyMap<string, ColumnResult>;
  /** Called with the result of each column analysed in this call (for checkpoints). */
  onColumnResult?: (key: string, result: ColumnResult) => void;
}

export interface AnalysisOutcome {
  /** Deterministic for its inputs (no timings): it is the content of a cached artifact. */
  section: AnalysisSection;
  /** Wall time of the analysis (for the stage summary, not the artifact). */
  seconds: number;
  events: RuleEvents;
  /** Split label per event's sequence, for the events table. */
  eventSplit: Int32Array;
  /** Permutation null distributions of the primary metrics. */
  nulls: PermutationNull[];
}

export async function analyseExperiment(inputs: AnalysisInputs): Promise<AnalysisOutcome> {
  const started = performance.now();
  const { sequences, settings } = inputs;
  const firsts = firstOccurrences(sequences.tokens);
  const include = settings.dedupe ? firsts : undefined;
  const distinct = firsts.reduce((sum, v) => sum + v, 0);
  const events = extractEvents(inputs.encounters, sequences.failureIndex, include);
  const contamination = applyContaminationFilter(events);
  const groups = groupByR(events);
  const context: ColumnContext = { events, groups, lengths: sequences.length, split: sequences.split, kept: keptEventIds(events), settings };
  const columns = await analyseColumns(context, inputs.metricKeys, inputs.readColumn, {
    workers: settings.workers ?? 0,
    signal: inputs.signal,
    onColumn: (done, key) => inputs.onProgress?.(done / inputs.metricKeys.length, key),
    known: inputs.knownColumns,
    onResult: inputs.onColumnResult,
  });
  const records = columns.flatMap((column) => column.records);
  const confirmatory = columns.flatMap((column) => column.confirmatory);
  const atLookback1 = columns.map((column) => column.atLookback1);
  const holm = applyHolmFamily(records, settings.alpha);
  const redundancySection = redundancy(inputs.metricKeys, atLookback1, records);
  const section: AnalysisSection = {
    settings: {
      n_permutations: settings.nPermutations,
      n_bootstrap: settings.nBootstrap,
      horizon_threshold: settings.threshold,
      alpha: settings.alpha,
      seed: settings.seed,
      dedupe: settings.dedupe,
    },
    sequences: { total: sequences.length.length, analysed: include?.reduce((sum, v) => sum + v, 0) ?? sequences.length.length, distinct },
    events: eventCounts(events),
    contamination,
    groups: groups.map(groupSummary),
    metrics: records,
    holm,
    redundancy: redundancySection,
    ranking: rankMetrics(records, redundantPartners(redundancySection)),
    headline: headlineComparison(records),
    confirmatory: {
      description: 'primary metrics recomputed on each half of the pre-registered split (seed analysis.split_seed, stratified by violation); replicated = both halves have a horizon > 0',
      records: confirmatory,
    },
  };
  return { section: analysisSectionSchema.parse(toJsonNumbers(section)), seconds: (performance.now() - started) / 1000, events, eventSplit: Int32Array.from(events.sequence, (s) => sequences.split[s]), nulls: columns.flatMap((column) => column.nulls) };
}

function keptEventIds(events: RuleEvents): Int32Array {
  const ids: number[] = [];
  for (let e = 0; e < events.count; e++) if (events.kept[e] === 1) ids.push(e);
  return Int32Array.from(ids);
}

function eventCounts(events: RuleEvents): AnalysisSection['events'] {
  let kept = 0;
  let violations = 0;
  let first = 0;
  for (let e = 0; e < events.count; e++) {
    if (events.kept[e] === 0) continue;
    kept++;
    if (events.outcome[e] === EventOutcome.Violated) violations++;
    first += events.isFirstViolation[e];
  }
  return { total: events.count, kept, violations, controls: kept - violations, first_violations: first };
}

function groupSummary(group: RGroup): AnalysisSection['groups'][number] {
  return { r: group.r, n_violation: group.violations, n_control: group.controls, tier: group.tier };
}

/** The section as JSON will hold it: non-finite numbers become null before validation. */
function toJsonNumbers<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) as T;
}
