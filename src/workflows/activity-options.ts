/**
 * Mapping a stage declaration to Temporal activity options: its queue, timeouts and its
 * retry policy in Temporal's terms. Pure and sandbox-safe.
 */
import type { ActivityOptions, Duration, RetryPolicy as TemporalRetryPolicy } from '@temporalio/common';
import { ErrorCode } from '../errors';
import type { StageDeclaration } from '../pipeline/dag';
import type { RetryPolicy } from '../pipeline/retry-policy';
import { stageActivityId } from './activity-ids';
import type { ExperimentTimeouts } from './definitions';
import { TASK_QUEUES, type QueueKind } from './task-queues';

/** Default attempt limits per queue: GPU stages (training) run far longer. */
export const DEFAULT_START_TO_CLOSE: Record<QueueKind, Duration> = { cpu: '6h', gpu: '48h' };
/** @see ExperimentTimeouts.heartbeat */
export const DEFAULT_HEARTBEAT_TIMEOUT: Duration = '5m';
/** @see ExperimentTimeouts.operatorWait */
export const DEFAULT_OPERATOR_WAIT: Duration = '7d';

/**
 * Error codes Temporal must never retry: bad input stays bad, and a cancelled attempt was
 * cancelled on purpose. Activities also set `nonRetryable` from the error's own flag.
 */
export const NON_RETRYABLE_ERROR_TYPES: readonly string[] = [ErrorCode.config, ErrorCode.input, ErrorCode.cancelled];

/** The project's retry policy in Temporal's terms. */
export function toTemporalRetryPolicy(policy: RetryPolicy): TemporalRetryPolicy {
  return {
    maximumAttempts: policy.maximumAttempts,
    initialInterval: policy.initialIntervalMs,
    backoffCoefficient: policy.backoffCoefficient,
    maximumInterval: policy.maximumIntervalMs,
    nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
  };
}

/** The activity options of one round of `stage` (`round` makes the activity id unique). */
export function stageActivityOptions(stage: StageDeclaration, round: number, timeouts: ExperimentTimeouts = {}): ActivityOptions {
  const kind = stage.resources.kind;
  return {
    taskQueue: TASK_QUEUES[kind],
    activityId: stageActivityId(stage.name, round),
    summary: `${stage.name} (round ${round})`,
    startToCloseTimeout: timeouts.startToClose?.[kind] ?? DEFAULT_START_TO_CLOSE[kind],
    heartbeatTimeout: timeouts.heartbeat ?? DEFAULT_HEARTBEAT_TIMEOUT,
    retry: toTemporalRetryPolicy(stage.retry),
  };
}

/** Options of the bookkeeping activities (results folder, sweep grid): short, CPU queue. */
export const BOOKKEEPING_ACTIVITY_OPTIONS: ActivityOptions = {
  taskQueue: TASK_QUEUES.cpu,
  startToCloseTimeout: '10m',
  retry: { maximumAttempts: 5, initialInterval: '1s', backoffCoefficient: 2, nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES] },
};
