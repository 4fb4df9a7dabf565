/**
 * Workloads: the quantities a stage's artifact size and compute time grow with, derived either
 * from a config (the run to come) or from an earlier artifact's manifest (what an earlier run
 * actually did, to calibrate against). The size and time models (estimates-size.ts,
 * estimates-time.ts) are functions of these workloads only, so the same model prices a config
 * and an earlier artifact, and the ratio between an artifact's real size or time and the model's
 * figure for it is this store's or this host's correction.
 *
 * From a config the counts are upper bounds where the run decides them (training's max_steps
 * rather than the steps an early stop leaves; every jumper's rule length in use). From a
 * manifest they are the counts the stage reported in its summary; a manifest that lacks one
 * (an older stage version) gives null and is not used for calibration.
 */
import type { Manifest } from '../artifacts/artifact-store';
import { jumperRValues } from '../config/jumper-r';
import type { ExperimentConfig } from '../config/schema';
import { PRIMARY_METRICS } from '../analysis/primary-metrics';
import { METRIC_NAMES, SVD_TARGETS } from '../evaluation/svd/metrics';
import { parameterCount } from '../model/parameters';
import { trainStepFlops } from '../model/train-flops';
import { corpusSizes } from '../walks/corpus';
import { getConfigPath } from './config-paths';

/** Expected edges plus vertices of the DCSBM graph. */
export interface GraphWork {
  units: number;
}

/** Tokens of the train and eval corpora together. */
export interface WalksWork {
  tokens: number;
}

export interface TrainWork {
  parameters: number;
  layers: number;
  /** Steps the artifact holds (curves, losses). */
  steps: number;
  /** Steps this stage run computed (fewer when it continued a shorter run or resumed a checkpoint). */
  computedSteps: number;
  /** FLOPs of one training step, docs/benchmarks.md's convention. */
  stepFlops: number;
}

export interface EvaluateWork {
  sequences: number;
  /** token_metrics rows: sequence-steps. */
  rows: number;
  /** Metric columns: 3 targets x 9 metrics x layers x heads. */
  metricColumns: number;
  /** Layers x heads: the SVDs of one step run once per layer and head for each moving target. */
  layerHeads: number;
  /** Context w and model width d: the shapes of the per-step matrices (QK^T is w x w, AVWo w x d). */
  w: number;
  d: number;
  /** Resolved jumper encounters. */
  encounters: number;
}

export interface AnalyseWork {
  /** Metric columns x rule-length groups: one AUROC record each. */
  records: number;
  /** Primary metric columns x groups: one stored permutation null each. */
  primaryRecords: number;
  /** Rule events (one per encounter). */
  events: number;
  groups: number;
  /** Mean rule length over the groups: the lookbacks of a record. */
  meanR: number;
  permutations: number;
  resamples: number;
}

export interface FiguresWork {
  /** The analyse stage's records: the AUROC-by-lookback and horizon figures grow with them. */
  records: number;
}

/** A stage's manifest and a way to find the manifests of the artifacts it read. */
export interface EarlierArtifact {
  manifest: Manifest;
  /** The manifest of the `stage` artifact this one was computed from, when the store still has it. */
  upstream: (stage: string) => Manifest | undefined;
}

/** Metric columns per layer and head (3 SVD targets x 9 metrics = 27). */
const METRICS_PER_LAYER_HEAD = SVD_TARGETS.length * METRIC_NAMES.length;
/** Primary metrics per layer and head (5 of the 27). */
const PRIMARY_PER_LAYER_HEAD = PRIMARY_METRICS.length;

// ---- from a config ----

export function graphWork(config: ExperimentConfig): GraphWork {
  return { units: expectedGraphUnits(config.graph) };
}

export function walksWork(config: ExperimentConfig): WalksWork {
  return { tokens: corpusTokens(config.training) };
}

export function trainWork(config: ExperimentConfig): TrainWork {
  const { d_model: d, n_layers: layers, n_heads: heads } = config.model;
  const { w, batch_size: batch, max_steps: steps } = config.training;
  const dims = { vocab: config.graph.n, context: w, dModel: d, layers, heads };
  return { parameters: parameterCount(dims), layers, steps, computedSteps: steps, stepFlops: trainStepFlops({ ...dims, batch }) };
}

export function evaluateWork(config: ExperimentConfig): EvaluateWork {
  const { d_model: d, n_layers: layers, n_heads: heads } = config.model;
  const w = config.training.w;
  const sequences = corpusSizes(config.training).eval;
  // A sequence is 4w tokens, extended for a jumper met late by up to the largest rule length;
  // it has one row per step (length - 1). Half the largest r on average matched the runs
  // measured (configs/tiny.json 31.4 rows a sequence against 34 here, quick.json 80.0 against 79).
  const rows = sequences * (4 * w - 1 + Math.ceil(Math.max(...rulesInUse(config)) / 2));
  return { sequences, rows, metricColumns: METRICS_PER_LAYER_HEAD * layers * heads, layerHeads: layers * heads, w, d, encounters: expectedEncounters(config, rows) };
}

export function analyseWork(config: ExperimentConfig): AnalyseWork {
  const rules = rulesInUse(config);
  const { layerHeads, rows } = evaluateWork(config);
  const events = expectedEncounters(config, rows);
  return {
    records: METRICS_PER_LAYER_HEAD * layerHeads * rules.length,
    primaryRecords: PRIMARY_PER_LAYER_HEAD * layerHeads * rules.length,
    events,
    groups: rules.length,
    meanR: mean(rules),
    permutations: config.analysis.n_permutations,
    resamples: config.analysis.n_bootstrap,
  };
}

export function figuresWork(config: ExperimentConfig): FiguresWork {
  return { records: analyseWork(config).records };
}

// ---- from an earlier artifact ----

export function graphWorkOf({ manifest }: EarlierArtifact): GraphWork | null {
  const slice = manifest.keyInputs.config;
  const [n, K, pIn, pOut] = ['graph.n', 'graph.K', 'graph.p_in', 'graph.p_out'].map((path) => numberAt(slice, path));
  if (n === null || K === null || pIn === null || pOut === null) return null;
  return { units: expectedGraphUnits({ n, K, p_in: pIn, p_out: pOut }) };
}

export function walksWorkOf({ manifest }: EarlierArtifact): WalksWork | null {
  const slice = manifest.keyInputs.config;
  const corpus = numberAt(slice, 'training.corpus_size');
  const length = numberAt(slice, 'training.walk_length');
  return corpus === null || length === null ? null : { tokens: corpusTokens({ corpus_size: corpus, walk_length: length }) };
}

export function trainWorkOf({ manifest }: EarlierArtifact): TrainWork | null {
  const [slice, summary] = [manifest.keyInputs.config, manifest.summary];
  const [d, layers, heads, w, batch] = ['model.d_model', 'model.n_layers', 'model.n_heads', 'training.w', 'training.batch_size'].map((path) => numberAt(slice, path));
  const [parameters, steps] = [numberAt(summary, 'parameter_count'), numberAt(summary, 'steps')];
  if (d === null || layers === null || heads === null || w === null || batch === null || parameters === null || steps === null) return null;
  // The slice has no vocabulary (the graph is an upstream artifact); the parameter count's
  // closed form gives it back.
  const vocab = (parameters - parameterCount({ vocab: 0, context: w, dModel: d, layers, heads })) / (2 * d);
  const before = Math.max(numberAt(summary, 'continued_from_step') ?? 0, numberAt(summary, 'resumed_from_step') ?? 0);
  return { parameters, layers, steps, computedSteps: Math.max(0, steps - before), stepFlops: trainStepFlops({ vocab, context: w, dModel: d, layers, heads, batch }) };
}

export function evaluateWorkOf({ manifest }: EarlierArtifact): EvaluateWork | null {
  const [slice, summary] = [manifest.keyInputs.config, manifest.summary];
  const [d, layers, heads, w] = ['model.d_model', 'model.n_layers', 'model.n_heads', 'training.w'].map((path) => numberAt(slice, path));
  const [sequences, rows, encounters] = ['n_sequences', 'n_token_rows', 'n_encounters'].map((path) => numberAt(summary, path));
  if (d === null || layers === null || heads === null || w === null || sequences === null || rows === null || encounters === null) return null;
  return { sequences, rows, metricColumns: METRICS_PER_LAYER_HEAD * layers * heads, layerHeads: layers * heads, w, d, encounters };
}

export function analyseWorkOf({ manifest }: EarlierArtifact): AnalyseWork | null {
  const [slice, summary] = [manifest.keyInputs.config, manifest.summary];
  const [permutations, resamples] = [numberAt(slice, 'analysis.n_permutations'), numberAt(slice, 'analysis.n_bootstrap')];
  const [metrics, events] = [numberAt(summary, 'n_metrics'), numberAt(summary, 'n_events')];
  const rules = numbersAt(summary, 'r_values');
  if (permutations === null || resamples === null || metrics === null || events === null || rules === null || rules.length === 0) return null;
  return {
    records: metrics * rules.length,
    primaryRecords: (metrics / METRICS_PER_LAYER_HEAD) * PRIMARY_PER_LAYER_HEAD * rules.length,
    events,
    groups: rules.length,
    meanR: mean(rules),
    permutations,
    resamples,
  };
}

export function figuresWorkOf(earlier: EarlierArtifact): FiguresWork | null {
  const analyse = earlier.upstream('analyse');
  const work = analyse === undefined ? null : analyseWorkOf({ manifest: analyse, upstream: () => undefined });
  return work === null ? null : { records: work.records };
}

// ---- shared arithmetic ----

/** Expected edges (p_in within a block, p_out to the others) plus vertices. */
function expectedGraphUnits({ n, K, p_in, p_out }: { n: number; K: number; p_in: number; p_out: number }): number {
  const block = n / K;
  return n * (block * p_in + (n - block) * p_out) + n;
}

function corpusTokens(training: { corpus_size: number; walk_length: number }): number {
  const { train, eval: evalWalks } = corpusSizes(training);
  return (train + evalWalks) * training.walk_length;
}

/**
 * The rule lengths the graph's jumpers get: jumpers take the sorted distinct r values in
 * round-robin (src/graph/jumpers.ts), so K x n_jumpers_per_block jumpers use the first ones.
 */
function rulesInUse(config: ExperimentConfig): number[] {
  const all = jumperRValues(config.graph.jumper_r_scales, config.training.w);
  const jumpers = config.graph.K * config.graph.n_jumpers_per_block;
  return all.slice(0, Math.max(1, Math.min(all.length, jumpers)));
}

/**
 * Jumper encounters: each generated step lands on a jumper with the share of jumper vertices
 * (the runs measured 803 against 755 here for configs/tiny.json, 10,728 against 14,042 for quick.json).
 */
function expectedEncounters(config: ExperimentConfig, rows: number): number {
  const jumperShare = Math.min(1, (config.graph.K * config.graph.n_jumpers_per_block) / config.graph.n);
  return Math.ceil(rows * jumperShare);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function numberAt(value: unknown, path: string): number | null {
  const node = getConfigPath(value, path);
  return typeof node === 'number' && Number.isFinite(node) ? node : null;
}

function numbersAt(value: unknown, path: string): number[] | null {
  const node = getConfigPath(value, path);
  return Array.isArray(node) && node.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (node as number[]) : null;
}
