/**
 * The one error boundary of the activities: every thrown value becomes either Temporal's
 * cancellation (when the attempt was cancelled) or an `ApplicationFailure` whose `type` is
 * the project's error code and whose `nonRetryable` flag is the error's own `retryable`.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ErrorCode, toPipelineError } from '../errors';

/**
 * What an activity throws for `error`. A cancelled attempt rethrows the signal's reason (a
 * `CancelledFailure`), so the worker reports it as cancelled rather than failed, except on
 * worker shutdown: that attempt fails retryably, so Temporal runs it again on another worker,
 * which resumes from the store.
 */
export function toActivityFailure(error: unknown, context: { stage: string | null; attempt: number; signal: AbortSignal }): unknown {
  const details = [{ stage: context.stage, attempt: context.attempt }];
  if (context.signal.aborted && context.signal.reason !== undefined) {
    const reason: unknown = context.signal.reason;
    if (!(reason instanceof CancelledFailure && reason.message === 'WORKER_SHUTDOWN')) return reason;
    const where = context.stage === null ? '' : ` during stage ${context.stage}`;
    return ApplicationFailure.create({ message: `the worker shut down${where}; another worker resumes it`, type: ErrorCode.resource, nonRetryable: false, details });
  }
  const pipelineError = toPipelineError(error, context.stage ?? undefined);
  return ApplicationFailure.create({
    message: pipelineError.message,
    type: pipelineError.code,
    nonRetryable: !pipelineError.retryable,
    details,
    cause: pipelineError,
  });
}
