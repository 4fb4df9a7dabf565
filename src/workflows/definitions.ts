/**
 * The public contract of the experiment and sweep workflows: inputs, outputs, the progress
 * view and the signal/query definitions. The client imports this file; it is sandbox-safe.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { StageHeartbeat, StageProgressUpdate } from '../activities/contract';
import type { ExperimentConfig } from '../config/schema';
import type { StageName } from '../pipeline/dag';

import type { QueueKind } from './task-queues';

export { TASK_QUEUES, type QueueKind } from './task-queues';

/** Timeouts of an experiment's activities and of the operator wait. */
export interface ExperimentTimeouts {
  /** Longest a single attempt of a stage may run, per queue. @default { cpu: '6h', gpu: '48h' } */
  startToClose?: Partial<Record<QueueKind, Duration>>;
  /** An attempt that has not heartbeated for this long is retried elsewhere. @default '5m' */
  heartbeat?: Duration;
  /** How long a failed stage waits for `resume` or `abort` before the workflow fails. @default '7d' */
  operatorWait?: Duration;
}

/** Input of `experimentWorkflow`. */
export interface ExperimentInput {
  /** The normalised config (validated by the submitting client). */
  config: ExperimentConfig;
  experimentId: string;
  /**
   * The stages to run, fixed when the experiment is submitted (`stagesUpTo(until)` in the
   * client). Part of the input, not derived in the workflow, so that an experiment started
   * before a new stage landed replays and resumes with the DAG it was started with.
   */
  stages: StageName[];
  /** Full config hash (search attribute); computed by the client, which has node:crypto. */
  configHash?: string;
  /** Stages to recompute even when cached. */
  force?: string[];
  /** Run only up to this stage (and its inputs). */
  until?: StageName;
  timeouts?: ExperimentTimeouts;
}

/** Lifecycle of an experiment as the progress query and search attributes report it. */
export type ExperimentStatus = 'running' | 'waiting-for-operator' | 'succeeded' | 'failed' | 'gate_failed' | 'aborted' | 'cancelled';

/** Lifecycle of one stage in the progress table. */
export type StageStatus = 'pending' | 'running' | 'computed' | 'reused' | 'waiting-for-operator' | 'failed' | 'cancelled';

/** One row of the progress table. */
export interface StageRow {
  name: StageName;
  queue: QueueKind;
  status: StageStatus;
  /** Activity attempts so far, over every operator round. */
  attempts: number;
  /** Operator rounds (1 + number of `resume`s this stage received). */
  round: number;
  /** Activity id of the current or last round (`<stage>.<round>`), to match pending activities. */
  activityId: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  seconds: number | null;
  cache: 'hit' | 'miss' | null;
  reasons: string[];
  key: string | null;
  digest: string | null;
  artifactDir: string | null;
  summary: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  /**
   * Latest heartbeat details the workflow knows: from the running attempt's `stageProgress`
   * signals (throttled: 30 s apart or more, see src/activities/progress-signal.ts), or
   * from a failed attempt. `status` overlays the server's fresher pending-activity heartbeat
   * when it has one.
   */
  lastHeartbeat: StageHeartbeat | null;
  /**
   * Temporal attempt number of the running round's activity, as its latest progress signal
   * reported it; null before the first signal and once the round has ended. `attempts`
   * counts the attempts of ended rounds only.
   */
  currentAttempt: number | null;
}

/** What the `progress` query returns. */
export interface ProgressView {
  experimentId: string;
  status: ExperimentStatus;
  startedAt: string;
  updatedAt: string;
  stages: StageRow[];
  error: { stage: string | null; code: string; message: string } | null;
  /** Results folder once written (a path on the worker that wrote it). */
  resultDir: string | null;
}

/** What `experimentWorkflow` returns on success. */
export interface ExperimentOutcome {
  experimentId: string;
  status: 'succeeded';
  resultDir: string;
  stages: { name: string; status: StageStatus; digest: string | null }[];
}

/** Retry a stage that is waiting for an operator (all waiting stages when `stage` is omitted). */
export const resumeSignal = defineSignal<[{ stage?: string }?]>('resume');
/** Stop the experiment: waiting stages fail at once and running ones are cancelled. */
export const abortSignal = defineSignal<[{ reason?: string }?]>('abort');
/** The stage table, with each running stage's latest progress details. */
export const progressQuery = defineQuery<ProgressView>('progress');
/**
 * Sent by a running `runStage` activity to its own workflow: the attempt's latest heartbeat.
 * Best effort and throttled by the sender; stale or malformed updates are ignored.
 */
export const stageProgressSignal = defineSignal<[StageProgressUpdate]>('stageProgress');
