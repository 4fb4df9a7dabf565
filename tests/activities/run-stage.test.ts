/**
 * The runStage activity under MockActivityEnvironment, running the real graph and walks
 * stages on configs/tiny.json in a temporary store: heartbeats, resume on a retry,
 * cancellation, and non-retryable input and config errors.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunStageInput, RunStageResult, StageHeartbeat } from '../../src/activities/contract';
import { experimentId } from '../../src/config/hash';
import type { ExperimentConfig } from '../../src/config/schema';
import { activityWorkspace, tinyConfig, type ActivityWorkspace } from './helpers';

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function environment(info: { attempt?: number; heartbeatDetails?: unknown } = {}): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: quietLogger });
}

function input(config: ExperimentConfig, stage: 'graph' | 'walks' | 'train', upstream: RunStageResult[] = [], forced = false): RunStageInput {
  return { stage, config, experimentId: experimentId(config), upstream: upstream.map(({ stage: s, key, digest }) => ({ stage: s, key, digest })), forced };
}

describe('runStage activity', () => {
  let ws: ActivityWorkspace;
  let config: ExperimentConfig;
  let graph: RunStageResult;
  const heartbeats: StageHeartbeat[] = [];

  beforeAll(async () => {
    ws = await activityWorkspace();
    config = tinyConfig();
    const env = environment();
    env.on('heartbeat', (details: StageHeartbeat) => heartbeats.push(details));
    graph = await env.run(ws.activities.runStage, input(config, 'graph'));
  });

  it('computes the graph stage and returns a manifest reference, not data', () => {
    expect(graph).toMatchObject({ stage: 'graph', outcome: 'computed', cache: 'miss', attempt: 1 });
    expect(graph.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(graph).length).toBeLessThan(16_000);
  });

  it('heartbeats the stage progress with its details', () => {
    expect(heartbeats.length).toBeGreaterThan(1);
    expect(heartbeats.every((beat) => beat.stage === 'graph')).toBe(true);
    expect(heartbeats.some((beat) => beat.fraction > 0 && Object.keys(beat.details).length > 0)).toBe(true);
  });

  it('reuses the published artifact on the next call (a cache hit)', async () => {
    const again = await environment().run(ws.activities.runStage, input(config, 'graph'));
    expect(again).toMatchObject({ outcome: 'reused', cache: 'hit', key: graph.key, digest: graph.digest });
  });

  it('a retried attempt resumes from the published upstream artifact and records its attempt', async () => {
    const previous: StageHeartbeat = { stage: 'walks', fraction: 0.4, details: { walks: 100 }, at: new Date().toISOString() };
    const walks = await environment({ attempt: 2, heartbeatDetails: previous }).run(ws.activities.runStage, input(config, 'walks', [graph]));
    expect(walks).toMatchObject({ stage: 'walks', outcome: 'computed', attempt: 2 });
  });

  it('EXPECTED FAILURE - a missing upstream artifact is a non-retryable INPUT_ERROR naming the store', async () => {
    const missing = { ...graph, key: 'f'.repeat(64) };
    const error = await environment().run(ws.activities.runStage, input(config, 'walks', [missing])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'INPUT_ERROR', nonRetryable: true });
    expect((error as Error).message).toMatch(/graph artifact ffffffffffff .* is missing: every worker must use the same shared DCSBM_STORE/);
  });

  it('EXPECTED FAILURE - an invalid config is a non-retryable CONFIG_ERROR naming the field', async () => {
    const bad = { ...config, graph: { ...config.graph, K: 3 } };
    const error = await environment().run(ws.activities.runStage, input(bad, 'graph')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'CONFIG_ERROR', nonRetryable: true });
    expect((error as Error).message).toMatch(/graph\.K|K/);
  });

  it('a worker shutdown fails the attempt retryably (RESOURCE_ERROR) so another worker resumes it', async () => {
    const env = environment();
    env.once('heartbeat', () => env.cancel('WORKER_SHUTDOWN'));
    const error = await env.run(ws.activities.runStage, input(config, 'walks', [graph], true)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'RESOURCE_ERROR', nonRetryable: false });
    expect((error as Error).message).toMatch(/the worker shut down during stage walks; another worker resumes it/);
  });

  it('cancellation aborts a running stage and reports a CancelledFailure, publishing nothing', async () => {
    const env = environment();
    env.once('heartbeat', () => env.cancel());
    const forced = input(config, 'graph', [], true);
    const error = await env.run(ws.activities.runStage, forced).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledFailure);
    // The forced recompute removed the old artifact and the cancelled one was discarded.
    expect(await ws.store.read('graph', graph.key)).toBeNull();
  });
});

describe('runStage activity on training', () => {
  it('a training attempt stopped by a worker shutdown is resumed by the retry from its checkpoint; heartbeats name the checkpoint step', async () => {
    const ws = await activityWorkspace();
    // Long enough (~2 s of steps) that the cancellation lands well before the last step.
    const tiny = tinyConfig();
    const config = { ...tiny, training: { ...tiny.training, max_steps: 4000, eval_interval: 4000, checkpoint_interval: 1000 } };
    const graph: RunStageResult = await environment().run(ws.activities.runStage, input(config, 'graph'));
    const walks: RunStageResult = await environment().run(ws.activities.runStage, input(config, 'walks', [graph]));
    const first = environment();
    first.on('heartbeat', (beat: StageHeartbeat) => {
      if (beat.details.phase === 'train' && Number(beat.details.step) >= 40) first.cancel('WORKER_SHUTDOWN');
    });
    const error = await first.run(ws.activities.runStage, input(config, 'train', [graph, walks])).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'RESOURCE_ERROR', nonRetryable: false });

    const retry = environment({ attempt: 2 });
    const retryBeats: StageHeartbeat[] = [];
    retry.on('heartbeat', (beat: StageHeartbeat) => retryBeats.push(beat));
    const train: RunStageResult = await retry.run(ws.activities.runStage, input(config, 'train', [graph, walks]));
    const resumedFrom = (train.summary as { resumed_from_step: number | null }).resumed_from_step;
    expect(train).toMatchObject({ stage: 'train', outcome: 'computed', attempt: 2 });
    expect(resumedFrom).toBeGreaterThanOrEqual(40);
    expect(resumedFrom).toBeLessThan(config.training.max_steps);
    expect(retryBeats.find((beat) => beat.details.phase === 'train')?.details.checkpoint_step).toBe(resumedFrom);
  });
});
