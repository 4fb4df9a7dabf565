/**
 * Result documents for the report tests, built through the real zod schemas so a fixture that
 * drifts from result.json's shape fails loudly: a succeeded quick-style run with an analysis
 * over two r values (primary and non-primary metrics, every tier of missing statistic), and a
 * run that stopped at the gate with `analysis: null`.
 */
import { analysisSectionSchema, type AnalysisSection, type MetricRecord } from '../../src/analysis/analysis-schema';
import { configHash, experimentId } from '../../src/config/hash';
import { experimentConfigSchema, type ExperimentConfig } from '../../src/config/schema';
import { resultSchema, type ResultDocument, type StageRecord } from '../../src/pipeline/result-schema';
import type { ReportFigure } from '../../src/report/render-report';

export const GIT_COMMIT = '3f9c2e1a7b4d';
export const THRESHOLD = 0.75;

/** The quick config, optionally patched per section. */
export function fixtureConfig(patch: Record<string, Record<string, unknown> | string | string[]> = {}): ExperimentConfig {
  const raw: Record<string, unknown> = {
    description: 'Quick config: the README demonstration job',
    tags: ['quick', 'fixture'],
    seed: 42,
    graph: { n: 64, K: 4, p_in: 0.5, p_out: 0.05, n_jumpers_per_block: 2 },
    model: { d_model: 64, n_layers: 2, n_heads: 1, dropout: 0.0 },
    training: { w: 16, walk_length: 64, corpus_size: 12800, r: 12, learning_rate: 0.001, batch_size: 64, max_steps: 4000, eval_interval: 500, checkpoint_interval: 1000 },
    analysis: { n_permutations: 10000, n_bootstrap: 2000 },
  };
  for (const [key, value] of Object.entries(patch)) {
    raw[key] = typeof value === 'object' && !Array.isArray(value) ? { ...(raw[key] as object), ...value } : value;
  }
  return experimentConfigSchema.parse(raw);
}

function stage(name: string, summary: Record<string, unknown> | null, patch: Partial<StageRecord> = {}): StageRecord {
  return {
    name,
    status: 'computed',
    key: `${name}-key-0123456789abcdef`,
    digest: `${name}-digest-fedcba9876543210`,
    cache: 'miss',
    reasons: ['no artifact with this key'],
    attempts: 1,
    seconds: 12.5,
    artifact_dir: `/store/${name}/${name}-key`,
    summary,
    error: null,
    progress: null,
    ...patch,
  };
}

/** The train stage summary (src/stages/train.ts `trainSummary`). */
export function trainSummary(passed: boolean): Record<string, unknown> {
  const edge = passed ? 0.9931 : 0.9412;
  const rule = passed ? 0.8754 : 0.6021;
  return {
    final_loss: 1.3862,
    final_train_loss: 1.4017,
    steps: passed ? 2500 : 4000,
    epochs: passed ? 12.5 : 20,
    steps_per_epoch: 200,
    step_budget: 4000,
    warmup_steps: 400,
    stop_reason: passed ? 'gate_passed' : 'max_steps',
    training_windows: 12800,
    gate_passed: passed,
    gate_thresholds: { edge: 0.95, rule: 0.8 },
    gate_prompts: 1000,
    final_edge_compliance: edge,
    final_rule_compliance: rule,
    rule_compliance_by_r: [
      { r: 8, beyond_context: false, checks: 412, compliance: passed ? 0.93 : 0.71 },
      { r: 11, beyond_context: false, checks: 398, compliance: passed ? 0.88 : 0.62 },
      { r: 32, beyond_context: true, checks: 0, compliance: null },
    ],
    rule_compliance_within_context: { checks: 810, compliance: passed ? 0.905 : 0.665 },
    rule_compliance_beyond_context: { checks: 0, compliance: null },
    gate_history: [
      { step: 500, edge_compliance: 0.71, rule_compliance: 0.2, passed: false },
      { step: 1000, edge_compliance: 0.9, rule_compliance: 0.5, passed: false },
      { step: 2500, edge_compliance: edge, rule_compliance: rule, passed },
    ],
    failure_reason: passed
      ? null
      : `the sufficiency gate failed after 4000 steps (20.00 epochs): edge compliance ${edge.toFixed(4)} (needs > 0.95), rule compliance ${rule.toFixed(4)} (needs > 0.8)`,
    tokens_per_second: 48211.7,
    resumed_from_step: null,
    parameter_count: 108_544,
    backend: { provider: 'cpu', fallbackReason: null, threads: 2, precision: 'float32', onnxruntimeVersion: '1.30.0' },
  };
}

function evaluateSummary(): Record<string, unknown> {
  return {
    n_sequences: 1422,
    n_distinct_sequences: 1390,
    n_violation_sequences: 311,
    n_violations: 402,
    n_encounters: 5120,
    n_unresolved_encounters: 77,
    n_token_rows: 88_164,
    protocol: 'sampled',
    temperature: 1,
    split_assignment: { split_seed: 2026, n_exploratory: 711, n_confirmatory: 711, n_exploratory_violations: 156, n_confirmatory_violations: 155 },
    guard_counts: { 'qkt.layer_0.head_0': 3, 'avwo.layer_0.head_0': 0 },
    metrics: { 'qkt.layer_0.head_0.stable_rank': { mean: 3.1, std: 0.4 } },
    seconds: 41.2,
  };
}

/** Fixture AUROC values that make the primary metrics easy to find in the HTML. */
export const PRIMARY_AUROC = {
  gdR8: 0.8437,
  gapR8: 0.7712,
  avwoR8: 0.6129,
  gdR11: 0.8011,
} as const;

function record(r: number, metric: string, isPrimary: boolean, curve: Array<number | null>, patch: Partial<MetricRecord> = {}): MetricRecord {
  let max: number | null = null;
  let maxAt = 0;
  curve.forEach((value, index) => {
    if (value !== null && (max === null || value > max)) {
      max = value;
      maxAt = index + 1;
    }
  });
  let horizon = 0;
  curve.forEach((value, index) => {
    if (value !== null && value > THRESHOLD) horizon = index + 1;
  });
  let contiguous = 0;
  while (contiguous < curve.length && curve[contiguous] !== null && (curve[contiguous] as number) > THRESHOLD) contiguous++;
  const maxValue = max as number | null;
  return {
    r,
    metric,
    is_primary: isPrimary,
    tier: 'full',
    n_violation: r === 8 ? 96 : 61,
    n_control: r === 8 ? 1210 : 880,
    auroc_by_lookback: curve,
    n_valid_by_lookback: curve.map((value) => (value === null ? 1 : 900)),
    cohens_d_by_lookback: curve.map((value) => (value === null ? null : Number(((value - 0.5) * 3).toFixed(4)))),
    max_auroc: maxValue,
    max_auroc_lookback: maxAt,
    horizon,
    contiguous_horizon: contiguous,
    direction_free: { max_auroc: maxValue === null ? null : Math.max(maxValue, 1 - maxValue), horizon, sign: maxValue === null ? 0 : maxValue >= 0.5 ? 1 : -1 },
    permutation: { n_permutations: 10000, p_value: 0.0421, null_mean: 0.55, null_p95: 0.61, flag: true },
    bootstrap: { lookback: Math.max(1, maxAt), low: maxValue === null ? null : maxValue - 0.05, high: maxValue === null ? null : Math.min(1, maxValue + 0.04), method: 'bca', n_resamples: 2000 },
    holm: null,
    ...patch,
  };
}

const GD = 'qkt.layer_0.head_0.grassmannian_distance';
const GAP = 'qkt.layer_0.head_0.spectral_gap_1_2';
const AVWO_SR = 'avwo.layer_1.head_0.stable_rank';
const QKT_SR = 'qkt.layer_0.head_0.stable_rank';
const WVWO_CN = 'wvwo.layer_1.head_0.condition_number';

/** The analysis section: r = 8 and 11, three primary and two non-primary metrics. */
export function fixtureAnalysis(): AnalysisSection {
  const metrics: MetricRecord[] = [
    record(8, GD, true, [PRIMARY_AUROC.gdR8, 0.81, 0.79, 0.7, 0.66, 0.6, 0.55, 0.52], {
      permutation: { n_permutations: 10000, p_value: 0.0001, null_mean: 0.53, null_p95: 0.58, flag: false },
      holm: { p_adjusted: 0.0003, reject: true },
    }),
    record(8, GAP, true, [0.7, PRIMARY_AUROC.gapR8, 0.74, 0.69, 0.61, 0.57, 0.52, 0.5], {
      holm: { p_adjusted: 0.0842, reject: false },
      bootstrap: { lookback: 2, low: 0.701, high: 0.83, method: 'percentile', n_resamples: 2000 },
    }),
    record(8, AVWO_SR, true, [0.6, PRIMARY_AUROC.avwoR8, 0.58, 0.55, 0.53, 0.51, 0.5, 0.49], { holm: { p_adjusted: 0.0842, reject: false } }),
    record(8, QKT_SR, false, [0.66, 0.64, 0.6, 0.55, 0.52, 0.51, 0.5, 0.5], { permutation: null, bootstrap: null }),
    record(8, WVWO_CN, false, [null, null, null, null, null, null, null, null], { permutation: null, bootstrap: null }),
    record(11, GD, true, [PRIMARY_AUROC.gdR11, 0.76, 0.72, 0.77, 0.7, 0.66, 0.61, 0.58, 0.55, 0.52, 0.5], {
      tier: 'moderate_n',
      bootstrap: null,
      holm: { p_adjusted: 0.0842, reject: false },
    }),
    record(11, GAP, true, [0.69, 0.7, 0.66, 0.6, 0.58, 0.55, 0.53, 0.52, 0.51, 0.5, null], { tier: 'low_n', permutation: null, bootstrap: null }),
    record(11, AVWO_SR, true, [null, null, null, null, null, null, null, null, null, null, null], { tier: 'skip', permutation: null, bootstrap: null }),
    record(11, QKT_SR, false, [0.62, 0.6, 0.58, 0.55, 0.52, 0.51, 0.5, 0.5, 0.5, 0.5, 0.5], { permutation: null, bootstrap: null }),
  ];
  return analysisSectionSchema.parse({
    settings: { n_permutations: 10000, n_bootstrap: 2000, horizon_threshold: THRESHOLD, alpha: 0.05, seed: 42, dedupe: false },
    sequences: { total: 1422, analysed: 1422, distinct: 1390 },
    events: { total: 2410, kept: 2247, violations: 157, controls: 2090, first_violations: 140 },
    contamination: {
      total: 2410,
      excluded: 163,
      exclusion_rate: 163 / 2410,
      flagged: false,
      by_r: { '8': { total: 1370, excluded: 64, exclusion_rate: 64 / 1370 }, '11': { total: 1040, excluded: 99, exclusion_rate: 99 / 1040 } },
    },
    groups: [
      { r: 8, n_violation: 96, n_control: 1210, tier: 'full' },
      { r: 11, n_violation: 61, n_control: 880, tier: 'full' },
    ],
    metrics,
    holm: {
      alpha: 0.05,
      family_size: 4,
      family: [
        { metric: GD, r: 8, p_value: 0.0001, p_adjusted: 0.0003, reject: true },
        { metric: GAP, r: 8, p_value: 0.0421, p_adjusted: 0.0842, reject: false },
        { metric: AVWO_SR, r: 8, p_value: 0.0421, p_adjusted: 0.0842, reject: false },
        { metric: GD, r: 11, p_value: 0.0421, p_adjusted: 0.0842, reject: false },
      ],
    },
    redundancy: {
      measurement: {
        pearson: {
          metric_names: [GD, GAP, QKT_SR],
          matrix: [
            [1, 0.2, 0.1],
            [0.2, 1, 0.93],
            [0.1, 0.93, 1],
          ],
          excluded: [{ metric: WVWO_CN, reason: 'all values are NaN' }],
          redundant_pairs: [{ a: GAP, b: QKT_SR, rho: 0.9312 }],
        },
        spearman: { metric_names: [GD, GAP, QKT_SR], matrix: [[1, 0.2, 0.1], [0.2, 1, 0.8], [0.1, 0.8, 1]], excluded: [{ metric: WVWO_CN, reason: 'all values are NaN' }], redundant_pairs: [] },
      },
      predictive: { r: 11, pearson: { metric_names: [GD, GAP], matrix: [[1, 0.5], [0.5, 1]], excluded: [], redundant_pairs: [] } },
    },
    ranking: [
      { metric: GD, is_primary: true, best_max_auroc: PRIMARY_AUROC.gdR8, best_r: 8, horizon_at_best: 3, redundant_with: [] },
      { metric: GAP, is_primary: true, best_max_auroc: PRIMARY_AUROC.gapR8, best_r: 8, horizon_at_best: 2, redundant_with: [QKT_SR] },
      { metric: QKT_SR, is_primary: false, best_max_auroc: 0.66, best_r: 8, horizon_at_best: 0, redundant_with: [GAP] },
      { metric: AVWO_SR, is_primary: true, best_max_auroc: PRIMARY_AUROC.avwoR8, best_r: 8, horizon_at_best: 0, redundant_with: [] },
      { metric: WVWO_CN, is_primary: false, best_max_auroc: null, best_r: null, horizon_at_best: 0, redundant_with: [] },
    ],
    headline: [
      { r: 8, qkt_max_horizon: 3, avwo_max_horizon: 0, qkt_leads: true, gap: 3 },
      { r: 11, qkt_max_horizon: 4, avwo_max_horizon: 0, qkt_leads: true, gap: 4 },
    ],
    confirmatory: {
      description: 'Primary metrics recomputed on each half of the pre-registered split (seed 2026).',
      records: [
        { r: 8, metric: GD, n_violation: 47, n_control: 600, max_auroc: 0.8302, horizon: 2, exploratory_max_auroc: 0.8551, exploratory_horizon: 3, replicated: true },
        { r: 8, metric: AVWO_SR, n_violation: 47, n_control: 600, max_auroc: 0.5911, horizon: 0, exploratory_max_auroc: 0.634, exploratory_horizon: 0, replicated: false },
      ],
    },
  });
}

/** A run that went through analysis. */
export function succeededResult(configPatch: Parameters<typeof fixtureConfig>[0] = {}): ResultDocument {
  const config = fixtureConfig(configPatch);
  return resultSchema.parse({
    schema_version: '2.0',
    experiment_id: experimentId(config),
    status: 'succeeded',
    started_at: '2026-03-02T09:15:04.120Z',
    updated_at: '2026-03-02T09:21:47.900Z',
    description: config.description,
    tags: config.tags,
    config_hash: configHash(config),
    graph_config_hash: 'a1b2c3d4e5f60718',
    config,
    stages: [
      stage('graph', { n: 64, K: 4, edges: 812 }, { status: 'reused', cache: 'hit', reasons: [], attempts: 0, seconds: 0.002 }),
      stage('walks', { train: { walks: 12800 } }, { seconds: 6.1 }),
      stage('train', trainSummary(true), { seconds: 231.7 }),
      stage('evaluate', evaluateSummary(), { seconds: 41.9 }),
      stage('analyse', { metrics: 9 }, { seconds: 18.6 }),
    ],
    unavailable_stages: ['figures', 'report'],
    outputs: { 'result.json': '/results/x/result.json' },
    error: null,
    analysis: fixtureAnalysis(),
    metadata: {
      git_commit: GIT_COMMIT,
      package_version: '0.1.0',
      node_version: 'v20.20.2',
      host: 'lab-7',
      platform: 'linux-x64',
      cpu_model: 'AMD EPYC 7763',
      cpu_count: 16,
      threads: 16,
      store_root: '/store',
      seconds_total: 298.4,
    },
  });
}

/** A run stopped after training by `training.require_gate`. */
export function gateFailedResult(): ResultDocument {
  const config = fixtureConfig({ training: { require_gate: true } });
  const train = trainSummary(false);
  return resultSchema.parse({
    ...succeededResult({ training: { require_gate: true } }),
    experiment_id: experimentId(config),
    status: 'gate_failed',
    config_hash: configHash(config),
    config,
    stages: [
      stage('graph', { n: 64 }, { status: 'reused', cache: 'hit', reasons: [], attempts: 0, seconds: 0.002 }),
      stage('walks', { train: {} }, { status: 'reused', cache: 'hit', reasons: [], attempts: 0, seconds: 0.01 }),
      stage('train', train, { seconds: 402.3 }),
      stage('evaluate', null, { status: 'pending', key: null, digest: null, cache: null, reasons: [], attempts: 0, seconds: null, artifact_dir: null }),
      stage('analyse', null, { status: 'pending', key: null, digest: null, cache: null, reasons: [], attempts: 0, seconds: null, artifact_dir: null }),
    ],
    error: { stage: 'train', code: 'GATE_FAILED', message: `stopped after train: ${train.failure_reason as string}` },
    analysis: null,
  });
}

/** Small but real SVG documents, one per figure. */
export function fixtureFigures(prefix = 'fixture'): ReportFigure[] {
  return [
    {
      name: 'training_curves',
      title: 'Training loss and gate compliance',
      caption: 'Cross-entropy per step (nats) with a moving average; compliance per gate evaluation with the 0.95 and 0.80 thresholds.',
      svg: `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200" data-test="${prefix}-training"><rect width="400" height="200" fill="#fff"/><path d="M10 10 L390 190" stroke="#0072B2"/></svg>`,
    },
    {
      name: 'auroc_lookback',
      title: 'AUROC versus lookback per r',
      caption: 'Primary metrics emphasised; dashed line at the 0.75 threshold, dotted at chance.',
      svg: `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200" data-test="${prefix}-auroc"><defs><clipPath id="plot"><rect width="380" height="180"/></clipPath></defs><g clip-path="url(#plot)"><circle cx="200" cy="100" r="50" fill="#E69F00"/></g></svg>`,
    },
  ];
}
