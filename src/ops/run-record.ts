/**
 * The operations commands' view of a `result.json`: the fields they need, read leniently
 * (unknown fields are kept, not rejected) so that results written by a newer or older
 * runner still list. The runner's own strict schema is `pipeline/result-schema.ts`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const stageSchema = z.looseObject({
  name: z.string(),
  status: z.string(),
  key: z.string().nullable().optional(),
  digest: z.string().nullable().optional(),
  cache: z.string().nullable().optional(),
  attempts: z.number().optional(),
  seconds: z.number().nullable().optional(),
  summary: z.record(z.string(), z.unknown()).nullable().optional(),
  error: z.looseObject({ code: z.string(), message: z.string() }).nullable().optional(),
  progress: z.looseObject({ fraction: z.number(), eta_seconds: z.number().nullable().optional() }).nullable().optional(),
});

const recordSchema = z.looseObject({
  experiment_id: z.string(),
  status: z.string(),
  started_at: z.string(),
  updated_at: z.string(),
  config_hash: z.string(),
  description: z.string().optional(),
  config: z.record(z.string(), z.unknown()),
  stages: z.array(stageSchema),
  error: z.looseObject({ stage: z.string().nullable(), code: z.string(), message: z.string() }).nullable().optional(),
  sweep_point: z
    .looseObject({ source: z.string(), index: z.number(), of: z.number(), coordinates: z.array(z.looseObject({ axis: z.string(), value: z.unknown() })) })
    .nullable()
    .optional(),
  metadata: z
    .looseObject({
      git_commit: z.string().optional(),
      host: z.string().optional(),
      seconds_total: z.number().optional(),
      execution_provider: z.string().optional(),
    })
    .optional(),
});

/** One stage's entry in a result.json. */
export type StageEntry = z.infer<typeof stageSchema>;
/** A result.json as the operations commands read it. */
export type RunRecord = z.infer<typeof recordSchema>;

/** `#5 of 8 in configs/sweeps/tiny-grid.json: training.walk_length=24 graph.p_in=0.4 seed=1`. */
export function describeSweepPoint(point: NonNullable<RunRecord['sweep_point']>): string {
  const coordinates = point.coordinates.map(({ axis, value }) => `${axis}=${JSON.stringify(value)}`).join(' ');
  return `#${point.index} of ${point.of} in ${point.source}${coordinates === '' ? '' : `: ${coordinates}`}`;
}

/** A result.json that could not be read or has an unexpected shape. */
export interface UnreadableRecord {
  path: string;
  problem: string;
}

/** Reads and checks `path`; returns the record or a description of the problem (never throws). */
export function readRunRecord(path: string): RunRecord | UnreadableRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { path, problem: `cannot be read as JSON (${(error as Error).message})` };
  }
  return parseRunRecord(raw, path);
}

/** Checks an in-memory result document (`path` names it in the problem). */
export function parseRunRecord(raw: unknown, path: string): RunRecord | UnreadableRecord {
  const parsed = recordSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { path, problem: `field ${issue.path.join('.') || '<root>'}: ${issue.message}` };
}

/** True for the problem half of {@link readRunRecord}'s result. */
export function isUnreadable(value: RunRecord | UnreadableRecord): value is UnreadableRecord {
  return 'problem' in value && !('experiment_id' in value);
}
