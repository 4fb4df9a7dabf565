/**
 * Reading an activity's failure in the workflow: the error code and message for the stage
 * table, how many attempts were made, and the last heartbeat of a timed-out attempt.
 */
import { RetryState } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation } from '@temporalio/workflow';
import type { StageHeartbeat } from '../activities/contract';
import { ErrorCode } from '../errors';
import type { StageDeclaration } from '../pipeline/dag';

/** What the workflow records about a failed round of a stage. */
export interface StageFailure {
  code: string;
  message: string;
  attempts: number;
  /** True when retrying cannot help (bad config): the workflow then fails without waiting. */
  permanent: boolean;
  heartbeat: StageHeartbeat | null;
}

/** Details an activity attaches to its ApplicationFailure (see activities/failure.ts). */
export interface StageFailureDetails {
  stage: string;
  attempt: number;
}

/** Describes `error` thrown by a stage's activity; null when it is a cancellation (rethrow it). */
export function describeStageFailure(stage: StageDeclaration, error: unknown): StageFailure | null {
  if (isCancellation(error)) return null;
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const exhausted = error instanceof ActivityFailure && error.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED;
  const attemptsIfUnknown = exhausted ? stage.retry.maximumAttempts : 1;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as Partial<StageFailureDetails> | undefined;
    return {
      code: cause.type ?? ErrorCode.stage,
      message: cause.message,
      attempts: typeof details?.attempt === 'number' ? details.attempt : attemptsIfUnknown,
      permanent: cause.type === ErrorCode.config,
      heartbeat: null,
    };
  }
  if (cause instanceof TimeoutFailure) {
    const heartbeat = (cause.lastHeartbeatDetails as StageHeartbeat | undefined) ?? null;
    return { code: `TIMEOUT_${cause.timeoutType ?? 'UNKNOWN'}`, message: cause.message, attempts: attemptsIfUnknown, permanent: false, heartbeat };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { code: ErrorCode.stage, message, attempts: attemptsIfUnknown, permanent: false, heartbeat: null };
}
