/**
 * The `analysis` section of result.json (docs/results.md): what the analyse stage concluded,
 * validated on every write. Non-finite numbers are written as null, so every statistic that may
 * be undefined (too few events, constant values) is nullable.
 */
import { z } from 'zod';

/** The analyse artifact's file holding this section. */
export const ANALYSIS_FILE = 'analysis.json';

const statistic = () => z.number().nullable();
const count = () => z.int().min(0);

const contaminationCountsSchema = z.strictObject({ total: count(), excluded: count(), exclusion_rate: z.number().min(0).max(1) });

export const permutationResultSchema = z.strictObject({
  n_permutations: count(),
  /** (1 + #{null max >= observed max}) / (1 + N). */
  p_value: statistic(),
  null_mean: statistic(),
  null_p95: statistic(),
  /** The reference's warning: the 95th percentile of the null maximum exceeds 0.6. */
  flag: z.boolean(),
});

export const bootstrapResultSchema = z.strictObject({
  /** The lookback whose AUROC the interval is for (the max-AUROC lookback). */
  lookback: z.int().min(1),
  low: statistic(),
  high: statistic(),
  method: z.enum(['bca', 'percentile']),
  n_resamples: count(),
});

export const metricRecordSchema = z.strictObject({
  r: z.int().min(1),
  metric: z.string(),
  is_primary: z.boolean(),
  tier: z.enum(['skip', 'low_n', 'moderate_n', 'full']),
  n_violation: count(),
  n_control: count(),
  /** AUROC at lookback j = index + 1; > 0.5 means higher values before violations. */
  auroc_by_lookback: z.array(statistic()),
  n_valid_by_lookback: z.array(count()),
  cohens_d_by_lookback: z.array(statistic()),
  max_auroc: statistic(),
  /** 1-based; 0 when no lookback has an AUROC. */
  max_auroc_lookback: z.int().min(0),
  /** The reference's horizon: the largest j with AUROC > threshold. */
  horizon: z.int().min(0),
  /** The largest J with AUROC > threshold at every j <= J. */
  contiguous_horizon: z.int().min(0),
  direction_free: z.strictObject({
    /** max over j of max(A, 1 - A). */
    max_auroc: statistic(),
    horizon: z.int().min(0),
    /** +1 higher before violations, -1 lower, 0 undecided. */
    sign: z.union([z.literal(1), z.literal(-1), z.literal(0)]),
  }),
  permutation: permutationResultSchema.nullable(),
  bootstrap: bootstrapResultSchema.nullable(),
  /** Holm-Bonferroni over the primary (metric, r) family; null outside the family. */
  holm: z.strictObject({ p_adjusted: z.number().min(0).max(1), reject: z.boolean() }).nullable(),
});
export type MetricRecord = z.infer<typeof metricRecordSchema>;

const correlationSchema = z.strictObject({
  metric_names: z.array(z.string()),
  matrix: z.array(z.array(statistic())),
  excluded: z.array(z.strictObject({ metric: z.string(), reason: z.string() })),
  redundant_pairs: z.array(z.strictObject({ a: z.string(), b: z.string(), rho: z.number() })),
});

export const analysisSectionSchema = z.strictObject({
  settings: z.strictObject({
    n_permutations: count(),
    n_bootstrap: count(),
    horizon_threshold: z.number(),
    alpha: z.number(),
    seed: z.int(),
    dedupe: z.boolean(),
  }),
  sequences: z.strictObject({ total: count(), analysed: count(), distinct: count() }),
  events: z.strictObject({ total: count(), kept: count(), violations: count(), controls: count(), first_violations: count() }),
  contamination: contaminationCountsSchema.extend({ flagged: z.boolean(), by_r: z.record(z.string(), contaminationCountsSchema) }),
  groups: z.array(z.strictObject({ r: z.int(), n_violation: count(), n_control: count(), tier: z.string() })),
  metrics: z.array(metricRecordSchema),
  holm: z.strictObject({
    alpha: z.number(),
    family_size: count(),
    family: z.array(z.strictObject({ metric: z.string(), r: z.int(), p_value: z.number(), p_adjusted: z.number(), reject: z.boolean() })),
  }),
  redundancy: z.strictObject({
    /** Values at lookback 1 of every kept event (all r), aligned by event id, pairwise complete. */
    measurement: z.strictObject({ pearson: correlationSchema, spearman: correlationSchema }),
    /** AUROC curves over lookbacks at the largest r (NaN as 0.5, as the reference). */
    predictive: z.strictObject({ r: z.int().nullable(), pearson: correlationSchema }),
  }),
  ranking: z.array(
    z.strictObject({
      metric: z.string(),
      is_primary: z.boolean(),
      best_max_auroc: statistic(),
      best_r: z.int().nullable(),
      horizon_at_best: z.int().min(0),
      redundant_with: z.array(z.string()),
    }),
  ),
  headline: z.array(
    z.strictObject({ r: z.int(), qkt_max_horizon: z.int(), avwo_max_horizon: z.int(), qkt_leads: z.boolean(), gap: z.int() }),
  ),
  confirmatory: z.strictObject({
    description: z.string(),
    records: z.array(
      z.strictObject({
        r: z.int(),
        metric: z.string(),
        n_violation: count(),
        n_control: count(),
        max_auroc: statistic(),
        horizon: z.int().min(0),
        exploratory_max_auroc: statistic(),
        exploratory_horizon: z.int().min(0),
        /** Both halves have a horizon > 0: the exploratory finding holds on the held-out half. */
        replicated: z.boolean(),
      }),
    ),
  }),
});
export type AnalysisSection = z.infer<typeof analysisSectionSchema>;
