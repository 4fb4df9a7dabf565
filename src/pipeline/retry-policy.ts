/**
 * Retry policy of a stage, shared by the embedded runner and (later) Temporal activity
 * options. Only errors whose `retryable` flag is set are retried.
 */

export interface RetryPolicy {
  /** Total attempts including the first. @default 3 */
  maximumAttempts: number;
  /** Delay before the first retry, in milliseconds. @default 1000 */
  initialIntervalMs: number;
  /** Multiplier applied to the delay after each retry. @default 2 */
  backoffCoefficient: number;
  /** Upper bound on the delay, in milliseconds. @default 60000 */
  maximumIntervalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maximumAttempts: 3,
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalMs: 60_000,
};

/** Delay before retry number `retry` (1-based: the delay after the first failed attempt is retry 1). */
export function retryDelayMs(policy: RetryPolicy, retry: number): number {
  const delay = policy.initialIntervalMs * policy.backoffCoefficient ** (retry - 1);
  return Math.min(delay, policy.maximumIntervalMs);
}
