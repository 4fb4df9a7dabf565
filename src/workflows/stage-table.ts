/**
 * The progress table of an experiment: one row per stage, updated as activities start,
 * finish and fail. Pure bookkeeping (no Temporal calls), so it is sandbox-safe and testable
 * on its own; the workflow supplies timestamps from its deterministic clock.
 */
import type { RunStageResult, StageHeartbeat, StageProgressUpdate } from '../activities/contract';
import type { StageDeclaration, StageName } from '../pipeline/dag';
import type { StageRecord } from '../pipeline/result-schema';
import { stageActivityId } from './activity-ids';
import type { StageRow } from './definitions';

/** Rows keyed by stage, in topological order. */
export class StageTable {
  readonly #rows = new Map<StageName, StageRow>();

  constructor(stages: readonly StageDeclaration[]) {
    for (const stage of stages) this.#rows.set(stage.name, emptyRow(stage));
  }

  /** A copy of every row (query handlers must not hand out live state). */
  rows(): StageRow[] {
    // JSON round trip: the workflow sandbox has no structuredClone, and rows are plain JSON.
    return [...this.#rows.values()].map((row) => JSON.parse(JSON.stringify(row)) as StageRow);
  }

  /** Stages currently running or waiting for an operator. */
  active(): StageName[] {
    return [...this.#rows.values()].filter((row) => row.status === 'running' || row.status === 'waiting-for-operator').map((row) => row.name);
  }

  /** A new round of `stage` has been scheduled. */
  start(stage: StageName, round: number, now: Date): void {
    Object.assign(this.#row(stage), {
      status: 'running',
      round,
      activityId: stageActivityId(stage, round),
      startedAt: now.toISOString(),
      finishedAt: null,
      seconds: null,
      error: null,
      currentAttempt: null,
    } satisfies Partial<StageRow>);
  }

  /** The activity returned the stage's artifact. */
  finish(result: RunStageResult, now: Date): void {
    const row = this.#row(result.stage);
    Object.assign(row, {
      status: result.outcome,
      attempts: row.attempts + result.attempt,
      finishedAt: now.toISOString(),
      seconds: result.seconds,
      cache: result.cache,
      reasons: result.reasons,
      key: result.key,
      digest: result.digest,
      artifactDir: result.artifactDir,
      summary: result.summary,
      currentAttempt: null,
    } satisfies Partial<StageRow>);
  }

  /** The round failed after `attempts` activity attempts. */
  fail(stage: StageName, error: { code: string; message: string }, attempts: number, heartbeat: StageHeartbeat | null, now: Date): void {
    const row = this.#row(stage);
    Object.assign(row, {
      status: 'failed',
      attempts: row.attempts + attempts,
      finishedAt: now.toISOString(),
      seconds: row.startedAt === null ? null : (now.getTime() - Date.parse(row.startedAt)) / 1000,
      error,
      lastHeartbeat: heartbeat ?? row.lastHeartbeat,
      currentAttempt: null,
    } satisfies Partial<StageRow>);
  }

  /**
   * Records a `stageProgress` signal: the running round's latest heartbeat and attempt.
   * Never throws (a signal handler that throws would fail the workflow task): an update that
   * is malformed, names another stage or round, or is older than what the row holds is
   * ignored and `false` returned.
   */
  noteProgress(update: unknown): boolean {
    if (!isProgressUpdate(update)) return false;
    const row = this.#rows.get(update.heartbeat.stage);
    if (row === undefined || row.status !== 'running' || row.activityId !== update.activityId) return false;
    if (row.currentAttempt !== null && update.attempt < row.currentAttempt) return false;
    if (row.currentAttempt === update.attempt && row.lastHeartbeat !== null && update.heartbeat.at <= row.lastHeartbeat.at) return false;
    const { stage, fraction, details, at } = update.heartbeat;
    row.lastHeartbeat = { stage, fraction, details: { ...details }, at };
    row.currentAttempt = update.attempt;
    return true;
  }

  /** Sets a stage's status (waiting-for-operator, cancelled, failed after the wait). */
  mark(stage: StageName, status: StageRow['status']): void {
    this.#row(stage).status = status;
  }

  /** The first `gate_passed` boolean any stage summary reports, or null. */
  gatePassed(): boolean | null {
    for (const row of this.#rows.values()) {
      const gate = row.summary?.gate_passed;
      if (typeof gate === 'boolean') return gate;
    }
    return null;
  }

  /** The rows in result.json's stage-record schema (the same as the embedded runner's). */
  records(): StageRecord[] {
    return [...this.#rows.values()].map(toRecord);
  }

  #row(stage: StageName): StageRow {
    const row = this.#rows.get(stage);
    if (row === undefined) throw new RangeError(`stage '${stage}' is not part of this experiment`);
    return row;
  }
}

function emptyRow(stage: StageDeclaration): StageRow {
  return {
    name: stage.name,
    queue: stage.resources.kind,
    status: 'pending',
    attempts: 0,
    round: 0,
    activityId: null,
    startedAt: null,
    finishedAt: null,
    seconds: null,
    cache: null,
    reasons: [],
    key: null,
    digest: null,
    artifactDir: null,
    summary: null,
    error: null,
    lastHeartbeat: null,
    currentAttempt: null,
  };
}

/** Shape check of a signal payload (signals are not validated by Temporal). */
function isProgressUpdate(value: unknown): value is StageProgressUpdate {
  if (typeof value !== 'object' || value === null) return false;
  const { activityId, attempt, heartbeat } = value as Partial<StageProgressUpdate>;
  if (typeof activityId !== 'string' || typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) return false;
  if (typeof heartbeat !== 'object' || heartbeat === null) return false;
  const { stage, fraction, details, at } = heartbeat;
  if (typeof stage !== 'string' || typeof fraction !== 'number' || !Number.isFinite(fraction) || typeof at !== 'string') return false;
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return false;
  return Object.values(details).every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));
}

/** Workflow statuses that result.json does not have are folded into its closest status. */
const RECORD_STATUS: Record<StageRow['status'], StageRecord['status']> = {
  pending: 'pending',
  running: 'running',
  computed: 'computed',
  reused: 'reused',
  'waiting-for-operator': 'failed',
  failed: 'failed',
  cancelled: 'interrupted',
};

function toRecord(row: StageRow): StageRecord {
  return {
    name: row.name,
    status: RECORD_STATUS[row.status],
    key: row.key,
    digest: row.digest,
    cache: row.cache,
    reasons: row.reasons,
    attempts: row.attempts,
    seconds: row.seconds,
    artifact_dir: row.artifactDir,
    summary: row.summary,
    error: row.error,
    // Progress lives in the workflow's `progress` query and the activity heartbeats.
    progress: null,
  };
}
