/**
 * Stage declarations map to Temporal activity options: the stage's queue, timeouts, and
 * its retry policy with the non-retryable error codes.
 */
import { describe, expect, it } from 'vitest';
import { STAGES, stageDeclaration } from '../../src/pipeline/dag';
import { DEFAULT_RETRY_POLICY } from '../../src/pipeline/retry-policy';
import { stageActivityId, stageOfActivityId } from '../../src/workflows/activity-ids';
import { DEFAULT_HEARTBEAT_TIMEOUT, NON_RETRYABLE_ERROR_TYPES, stageActivityOptions, toTemporalRetryPolicy } from '../../src/workflows/activity-options';

describe('activity options of a stage', () => {
  it('every implemented stage runs on the queue of its resource kind with both timeouts', () => {
    for (const stage of STAGES) {
      const options = stageActivityOptions(stage, 1);
      expect(options.taskQueue).toBe(stage.resources.kind === 'gpu' ? 'dcsbm-gpu' : 'dcsbm-cpu');
      expect(options.startToCloseTimeout).toBeDefined();
      expect(options.heartbeatTimeout).toBe(DEFAULT_HEARTBEAT_TIMEOUT);
    }
  });

  it('a GPU stage goes to dcsbm-gpu and honours per-queue timeouts', () => {
    const gpu = { ...stageDeclaration('walks'), resources: { kind: 'gpu' as const, memoryMiB: () => 1 } };
    const options = stageActivityOptions(gpu, 2, { startToClose: { gpu: '3h' }, heartbeat: '1m' });
    expect(options).toMatchObject({ taskQueue: 'dcsbm-gpu', startToCloseTimeout: '3h', heartbeatTimeout: '1m', activityId: 'walks.2' });
  });

  it('the retry policy keeps attempts and backoff and never retries config, input or cancellation errors', () => {
    expect(toTemporalRetryPolicy(DEFAULT_RETRY_POLICY)).toEqual({
      maximumAttempts: 3,
      initialInterval: 1000,
      backoffCoefficient: 2,
      maximumInterval: 60_000,
      nonRetryableErrorTypes: ['CONFIG_ERROR', 'INPUT_ERROR', 'CANCELLED'],
    });
    expect(NON_RETRYABLE_ERROR_TYPES).not.toContain('STAGE_ERROR');
    expect(NON_RETRYABLE_ERROR_TYPES).not.toContain('RESOURCE_ERROR');
  });

  it('activity ids name the stage and round, and can be read back', () => {
    expect(stageActivityId('graph', 3)).toBe('graph.3');
    expect(stageOfActivityId('graph.3')).toBe('graph');
    expect(stageOfActivityId('7')).toBeNull();
  });
});
