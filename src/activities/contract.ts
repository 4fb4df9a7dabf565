/**
 * What crosses the workflow/activity boundary: small manifests (keys, digests, summaries),
 * never arrays of data. Types only, so the workflow sandbox can import this file.
 */
import type { ExperimentConfig } from '../config/schema';
import type { SweepDefinition } from '../ops/sweep-spec';
import type { StageName } from '../pipeline/dag';
import type { StageRecord } from '../pipeline/result-schema';
import type { ProgressDetails } from '../pipeline/stage';

/** A published artifact, by reference: the activity re-reads and verifies it from the store. */
export interface StageRef {
  stage: StageName;
  key: string;
  /** Content digest; downstream cache keys depend on it. */
  digest: string;
}

/** Input of the `runStage` activity. */
export interface RunStageInput {
  stage: StageName;
  /** The normalised config (validated again by the activity). */
  config: ExperimentConfig;
  experimentId: string;
  /** References to the published artifacts of the stage's inputs. */
  upstream: StageRef[];
  /** Recompute even when the store has a valid artifact (first attempt only). */
  forced: boolean;
}

/** Output of the `runStage` activity. */
export interface RunStageResult extends StageRef {
  outcome: 'computed' | 'reused';
  cache: 'hit' | 'miss';
  /** Why it was a miss. */
  reasons: string[];
  /** Temporal's attempt number of the activity that produced this result (1-based). */
  attempt: number;
  seconds: number;
  /** Where the artifact lives in the (shared) store. */
  artifactDir: string;
  /** The stage's small JSON summary. */
  summary: Record<string, unknown>;
}

/** The heartbeat details of a running stage (also what a retry reads as its resume point). */
export interface StageHeartbeat {
  stage: StageName;
  /** Progress in [0, 1]. */
  fraction: number;
  /** Step, loss, walks/s, ... as the stage reported them. */
  details: ProgressDetails;
  /** ISO time of the report. */
  at: string;
}

/**
 * The `stageProgress` signal's payload: the latest heartbeat of one activity attempt, sent
 * by `runStage` to its own workflow (throttled, see progress-signal.ts) so that the
 * workflow's `progress` query carries live details without the server's pending-activity list.
 */
export interface StageProgressUpdate {
  /** `<stage>.<round>` of the reporting activity; the workflow ignores other rounds. */
  activityId: string;
  /** Temporal's attempt number of that activity (1-based). */
  attempt: number;
  heartbeat: StageHeartbeat;
}

/** The final state of an experiment, as `writeResults` records it. */
export interface WriteResultsInput {
  experimentId: string;
  config: ExperimentConfig;
  status: 'succeeded' | 'failed' | 'gate_failed' | 'interrupted';
  /** ISO times from the workflow clock. */
  startedAt: string;
  finishedAt: string;
  /** One record per stage, in topological order (result.json's schema). */
  stages: StageRecord[];
  /** Published artifacts whose files are linked into the results folder. */
  published: StageRef[];
  error: { stage: string | null; code: string; message: string } | null;
}

/** Where `writeResults` wrote the folder (a path on the worker that ran it). */
export interface WriteResultsOutput {
  resultDir: string;
  outputs: number;
}

/** Input of the `sweepPoints` activity: one page of a sweep's points. */
export interface SweepPointsInput {
  /** The sweep as `readSweepDefinition` read it (src/ops/sweep-load.ts). */
  definition: SweepDefinition;
  /** The file it was read from, for messages. */
  source: string;
  offset: number;
  limit: number;
}

/** One point of a sweep: a validated, runnable experiment. */
export interface SweepPoint {
  /** 0-based, in expansion order (seeds innermost). */
  index: number;
  /** The point's coordinates, axis -> value, e.g. `{ 'graph.n': 500, seed: 7 }`. */
  values: Record<string, unknown>;
  experimentId: string;
  configHash: string;
  config: ExperimentConfig;
  /** Always null: an invalid point makes the whole sweep invalid (`expandSweep`). */
  problem: null;
}

/** A page of points and the sweep's size. */
export interface SweepPage {
  total: number;
  points: SweepPoint[];
}
