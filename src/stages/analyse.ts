/**
 * The analyse stage (method.md section 6): reads the evaluate artifact's tables and writes
 * `analysis.json` (the `analysis` section of result.json), `events.parquet` (every rule event
 * with its outcome, contamination verdict and split) and `auroc.parquet` (long format: r,
 * metric, lookback, auroc, n_violation, n_control, n_valid).
 */
import { columnData, getColumn, readParquet, readParquetColumnNames, writeParquet } from '../artifacts/parquet';
import { writeFileAtomic } from '../artifacts/atomic-write';
import { analyseExperiment, type AnalysisOutcome, type AnalysisSettings, type SequenceColumns } from '../analysis/analyse-experiment';
import { ANALYSIS_FILE, type AnalysisSection } from '../analysis/analysis-schema';
import type { ColumnResult, PermutationNull } from '../analysis/column-analysis';
import { parseMetricKey } from '../analysis/primary-metrics';
import type { EncounterColumns, RuleEvents } from '../analysis/events';
import { Cancelled } from '../errors';
import { analyseStageDeclaration } from '../pipeline/dag';
import { PeriodicCheckpoints } from '../pipeline/periodic-checkpoints';
import type { StageContext, StageImplementation } from '../pipeline/stage';
import { loadAnalyseCheckpoint, saveAnalyseCheckpoint } from './analyse-checkpoint';
import { ENCOUNTERS_FILE, SEQUENCES_FILE, TOKEN_METRICS_FILE } from './evaluate-outputs';

export const EVENTS_FILE = 'events.parquet';
export const AUROC_FILE = 'auroc.parquet';
export const PERMUTATION_NULLS_FILE = 'permutation_nulls.parquet';

/** The analyse stage's config slice (see `analyseStageDeclaration` in dag.ts). */
export interface AnalyseSlice {
  analysis: { n_permutations: number; n_bootstrap: number; horizon_threshold: number; alpha: number; min_events_per_class: number; dedupe: boolean | null };
  evaluation: { protocol: 'sampled' | 'reference' };
  seed: number;
}

/** token_metrics columns that are not metrics. */
const TOKEN_COLUMNS = new Set(['sequence', 'step', 'token', 'next_token', 'edge_valid', 'rule_outcome']);

/** The analyse stage with the default options. */
export const analyseStage: StageImplementation<AnalyseSlice> = createAnalyseStage();

/** Options of {@link createAnalyseStage}. */
export interface AnalyseStageOptions {
  /** Seconds between two checkpoints of the finished metric columns (analyse-checkpoint.ts). @default 60 */
  checkpointSeconds?: number;
}

/** An analyse stage implementation; tests pass a shorter checkpoint interval. */
export function createAnalyseStage(options: AnalyseStageOptions = {}): StageImplementation<AnalyseSlice> {
  return { declaration: analyseStageDeclaration, module: 'src/stages/analyse.ts', run: (context) => runAnalyseStage(context, options) };
}

async function runAnalyseStage(context: StageContext<AnalyseSlice>, options: AnalyseStageOptions): Promise<Record<string, unknown>> {
  const evaluate = context.input('evaluate');
  const tokenMetrics = evaluate.file(TOKEN_METRICS_FILE);
  const metricKeys = readParquetColumnNames(tokenMetrics).filter((name) => !TOKEN_COLUMNS.has(name));
  // One column per thread, each single-threaded: columns are independent, so this scales
  // better than sharing every permutation batch between threads.
  const settings: AnalysisSettings = { ...analysisSettings(context.slice), workers: context.threads > 1 ? context.threads : 0, threads: 1 };
  context.log(`${metricKeys.length} metric columns; ${settings.nPermutations} permutations, ${settings.nBootstrap} bootstrap resamples, dedupe ${settings.dedupe}`);
  const { section, seconds, events, eventSplit, nulls } = await analyseWithCheckpoints(context, metricKeys, settings, options);
  writeFileAtomic(context.output(ANALYSIS_FILE), `${JSON.stringify(section)}\n`);
  await writeEvents(context.output(EVENTS_FILE), events, eventSplit);
  await writeAuroc(context.output(AUROC_FILE), section);
  await writePermutationNulls(context.output(PERMUTATION_NULLS_FILE), nulls);
  context.progress(1);
  return { ...analysisSummary(section), seconds };
}

/**
 * The analysis, continued from this run's checkpoint of finished metric columns when there is
 * one, saving the finished columns at most every `checkpointSeconds` and where it is interrupted.
 */
async function analyseWithCheckpoints(context: StageContext<AnalyseSlice>, metricKeys: string[], settings: AnalysisSettings, options: AnalyseStageOptions): Promise<AnalysisOutcome> {
  const evaluate = context.input('evaluate');
  const tokenMetrics = evaluate.file(TOKEN_METRICS_FILE);
  const known = await loadAnalyseCheckpoint(context.checkpoint, metricKeys, (why) => context.log(`${why}; starting over`));
  if (known.size > 0) context.log(`resuming with ${known.size} of ${metricKeys.length} metric columns analysed (checkpoint)`);
  const done = new Map(known);
  const checkpoints = new PeriodicCheckpoints<Map<string, ColumnResult>>({
    capture: () => new Map(done),
    size: (state) => state.size,
    save: (state) => saveAnalyseCheckpoint(context.checkpoint, metricKeys, state),
    describe: (state) => `with ${state.size} of ${metricKeys.length} metric columns`,
    intervalMs: 1000 * (options.checkpointSeconds ?? 60),
    log: (line) => context.log(line),
    resumedSize: known.size,
  });
  try {
    const outcome = await analyseExperiment({
      sequences: await readSequenceColumns(evaluate.file(SEQUENCES_FILE)),
      encounters: await readEncounterColumns(evaluate.file(ENCOUNTERS_FILE)),
      metricKeys,
      readColumn: async (key) => columnData(await readParquet(tokenMetrics, { columns: [key] }), key, 'float64'),
      settings,
      signal: context.signal,
      onProgress: (fraction, metric) => context.progress(0.98 * fraction, { metric }),
      knownColumns: known,
      onColumnResult: (key, result) => {
        done.set(key, result);
        checkpoints.due();
      },
    });
    await checkpoints.settle(false);
    return outcome;
  } catch (error) {
    await checkpoints.settle(context.signal.aborted);
    if (!context.signal.aborted) throw error;
    const columns = checkpoints.saved;
    const resumes = columns === 0 ? 'the next run starts from the beginning' : `the next run resumes with ${columns} of ${metricKeys.length} metric columns analysed`;
    throw new Cancelled(`analysis interrupted; ${resumes}`, { cause: error });
  }
}

/** The config's analysis settings; dedupe defaults to on under the reference protocol. */
export function analysisSettings(slice: AnalyseSlice): AnalysisSettings {
  return {
    nPermutations: slice.analysis.n_permutations,
    nBootstrap: slice.analysis.n_bootstrap,
    threshold: slice.analysis.horizon_threshold,
    alpha: slice.analysis.alpha,
    seed: slice.seed,
    dedupe: slice.analysis.dedupe ?? slice.evaluation.protocol === 'reference',
  };
}

async function readSequenceColumns(path: string): Promise<SequenceColumns> {
  const table = await readParquet(path, { columns: ['length', 'failure_index', 'split', 'tokens'] });
  return {
    length: columnData(table, 'length', 'int32'),
    failureIndex: columnData(table, 'failure_index', 'int32'),
    split: columnData(table, 'split', 'int32'),
    tokens: getColumn(table, 'tokens', 'list<int32>').data,
  };
}

async function readEncounterColumns(path: string): Promise<EncounterColumns> {
  const table = await readParquet(path, { columns: ['sequence', 'encounter_step', 'resolution_step', 'r', 'outcome'] });
  return {
    sequence: columnData(table, 'sequence', 'int32'),
    encounterStep: columnData(table, 'encounter_step', 'int32'),
    resolutionStep: columnData(table, 'resolution_step', 'int32'),
    r: columnData(table, 'r', 'int32'),
    outcome: columnData(table, 'outcome', 'int32'),
  };
}

/** events.parquet: one row per event (event id = row), kept or not. */
async function writeEvents(path: string, events: RuleEvents, split: Int32Array): Promise<void> {
  await writeParquet(path, [
    { name: 'event', type: 'int32', data: Int32Array.from({ length: events.count }, (_, e) => e) },
    { name: 'sequence', type: 'int32', data: events.sequence },
    { name: 'encounter_step', type: 'int32', data: events.encounterStep },
    { name: 'resolution_step', type: 'int32', data: events.resolutionStep },
    { name: 'r', type: 'int32', data: events.r },
    { name: 'outcome', type: 'int32', data: events.outcome },
    { name: 'is_first_violation', type: 'bool', data: events.isFirstViolation },
    { name: 'kept', type: 'bool', data: events.kept },
    { name: 'split', type: 'int32', data: split },
  ]);
}

/** auroc.parquet: one row per (r, metric, lookback); NaN where the AUROC is undefined. */
async function writeAuroc(path: string, section: AnalysisSection): Promise<void> {
  const rows = section.metrics.reduce((total, record) => total + record.auroc_by_lookback.length, 0);
  const r = new Int32Array(rows);
  const lookback = new Int32Array(rows);
  const auroc = new Float64Array(rows);
  const valid = new Int32Array(rows);
  const nViolation = new Int32Array(rows);
  const nControl = new Int32Array(rows);
  const metric: string[] = [];
  let row = 0;
  for (const record of section.metrics) {
    record.auroc_by_lookback.forEach((value, j) => {
      r[row] = record.r;
      lookback[row] = j + 1;
      auroc[row] = value ?? Number.NaN;
      valid[row] = record.n_valid_by_lookback[j];
      nViolation[row] = record.n_violation;
      nControl[row] = record.n_control;
      metric.push(record.metric);
      row++;
    });
  }
  await writeParquet(path, [
    { name: 'r', type: 'int32', data: r },
    { name: 'metric', type: 'string', data: metric },
    { name: 'lookback', type: 'int32', data: lookback },
    { name: 'auroc', type: 'float64', data: auroc },
    { name: 'n_violation', type: 'int32', data: nViolation },
    { name: 'n_control', type: 'int32', data: nControl },
    { name: 'n_valid', type: 'int32', data: valid },
  ]);
}

/** permutation_nulls.parquet: the null maxima of every primary (metric, r) control, long format. */
async function writePermutationNulls(path: string, nulls: PermutationNull[]): Promise<void> {
  const rows = nulls.reduce((total, entry) => total + entry.nullMax.length, 0);
  const r = new Int32Array(rows);
  const permutation = new Int32Array(rows);
  const nullMax = new Float64Array(rows);
  const metric: string[] = [];
  let row = 0;
  for (const entry of nulls) {
    entry.nullMax.forEach((value, p) => {
      r[row] = entry.r;
      permutation[row] = p;
      nullMax[row] = value;
      metric.push(entry.metric);
      row++;
    });
  }
  await writeParquet(path, [
    { name: 'r', type: 'int32', data: r },
    { name: 'metric', type: 'string', data: metric },
    { name: 'permutation', type: 'int32', data: permutation },
    { name: 'null_max', type: 'float64', data: nullMax },
  ]);
}

/** The stage summary: headline counts only (the full section is analysis.json). */
function analysisSummary(section: AnalysisSection): Record<string, unknown> {
  const primary = section.ranking.filter((entry) => entry.is_primary);
  // Per pre-registered metric (target.metric, any layer and head, any r): its largest horizon.
  const byPrimary: Record<string, number> = {};
  for (const record of section.metrics) {
    if (!record.is_primary) continue;
    const parts = parseMetricKey(record.metric)!;
    const name = `${parts.target}.${parts.metric}`;
    byPrimary[name] = Math.max(byPrimary[name] ?? 0, record.horizon);
  }
  return {
    n_events: section.events.total,
    n_kept_events: section.events.kept,
    n_violation_events: section.events.violations,
    n_control_events: section.events.controls,
    contamination_rate: section.contamination.exclusion_rate,
    r_values: section.groups.map((group) => group.r),
    n_metrics: new Set(section.metrics.map((record) => record.metric)).size,
    holm_family_size: section.holm.family_size,
    holm_rejections: section.holm.family.filter((entry) => entry.reject).length,
    best_primary_metric: primary[0]?.metric ?? null,
    best_primary_max_auroc: primary[0]?.best_max_auroc ?? null,
    best_horizon: Math.max(0, ...Object.values(byPrimary)),
    best_horizon_by_primary_metric: byPrimary,
  };
}
