/**
 * The schema of `results/<experiment-id>/result.json`, validated on every write. Later
 * stages add their sections; the document never contains NaN or Infinity (null instead).
 */
import { z } from 'zod';
import { analysisSectionSchema } from '../analysis/analysis-schema';

export const stageRecordSchema = z.strictObject({
  name: z.string(),
  status: z.enum(['pending', 'running', 'computed', 'reused', 'failed', 'interrupted', 'skipped']),
  /** Cache key (null while pending behind a recomputed upstream). */
  key: z.string().nullable(),
  /** Content digest of the artifact, once there is one. */
  digest: z.string().nullable(),
  cache: z.enum(['hit', 'miss']).nullable(),
  /** Why it was a miss. */
  reasons: z.array(z.string()),
  attempts: z.int().min(0),
  seconds: z.number().min(0).nullable(),
  artifact_dir: z.string().nullable(),
  /** The stage's own summary (counts, measured compliance, ...). */
  summary: z.record(z.string(), z.unknown()).nullable(),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  /**
   * A running stage's latest progress (stage-progress.ts); null before it reports and once it
   * finishes; a failed or interrupted stage keeps its last entry (how far it got).
   */
  progress: z
    .strictObject({
      fraction: z.number().min(0).max(1),
      eta_seconds: z.number().min(0).nullable(),
      details: z.record(z.string(), z.union([z.string(), z.number()])),
      at: z.iso.datetime({ offset: true }),
    })
    .nullable()
    .default(null),
});
export type StageRecord = z.infer<typeof stageRecordSchema>;

export const resultSchema = z.strictObject({
  schema_version: z.literal('2.0'),
  experiment_id: z.string(),
  status: z.enum(['running', 'succeeded', 'failed', 'gate_failed', 'interrupted']),
  started_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
  description: z.string(),
  tags: z.array(z.string()),
  config_hash: z.string(),
  graph_config_hash: z.string(),
  /** The normalised config (also in config.json beside this file). */
  config: z.record(z.string(), z.unknown()),
  stages: z.array(stageRecordSchema),
  /** Stages of the full pipeline that this version of the engine does not implement yet. */
  unavailable_stages: z.array(z.string()),
  /** Files in the results folder, linked or copied from the artifacts. */
  outputs: z.record(z.string(), z.string()),
  error: z.strictObject({ stage: z.string().nullable(), code: z.string(), message: z.string() }).nullable(),
  /** The analyse stage's conclusions (docs/results.md); null until that stage has run. */
  analysis: analysisSectionSchema.nullable().default(null),
  /**
   * The sweep point this run was, when `npm run sweep` ran it: the sweep file, the point's
   * place in the grid and its coordinates (experiment ids do not show them). Null otherwise.
   */
  sweep_point: z
    .strictObject({ source: z.string(), index: z.int().min(1), of: z.int().min(1), coordinates: z.array(z.strictObject({ axis: z.string(), value: z.unknown() })) })
    .nullable()
    .default(null),
  metadata: z.strictObject({
    git_commit: z.string(),
    package_version: z.string(),
    node_version: z.string(),
    host: z.string(),
    platform: z.string(),
    cpu_model: z.string(),
    cpu_count: z.int(),
    threads: z.int(),
    store_root: z.string(),
    seconds_total: z.number().min(0),
  }),
});
export type ResultDocument = z.infer<typeof resultSchema>;

/** Validates and serialises a result document; throws naming the first invalid field. */
export function serializeResult(document: ResultDocument): string {
  const parsed = resultSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`result.json failed its schema at ${issue.path.join('.')}: ${issue.message}`);
  }
  return `${JSON.stringify(parsed.data, rejectNonFinite, 2)}\n`;
}

function rejectNonFinite(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}
