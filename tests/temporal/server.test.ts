/**
 * Integration with a real Temporal server: submit an experiment and watch it succeed; a
 * stage that exhausts its retries waits for an operator and a resume signal finishes it;
 * configs/quick.json through the workflow and through `npm run experiment`'s runner (each
 * with its own store) publishes the same artifacts.
 * Runs only when TEMPORAL_ADDRESS points at a server whose search attributes are registered
 * (docker compose up, or `temporal server start-dev` with the flags in docs/operations.md);
 * otherwise reported as skipped, never faked. Holds the server-test lock (server-lock.ts):
 * its worker polls the fixed task queues.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStageInput } from '../../src/activities/contract';
import { FileArtifactStore } from '../../src/artifacts/artifact-store-impl';
import { loadConfigFile } from '../../src/config/load';
import { runExperiment } from '../../src/pipeline/local-runner';
import { resultSchema } from '../../src/pipeline/result-schema';
import { STAGE_IMPLEMENTATIONS } from '../../src/stages/index';
import { connectClient, temporalSettings } from '../../src/cli/temporal-connection';
import { experimentInput } from '../../src/client';
import { StageError } from '../../src/errors';
import { TASK_QUEUES, progressQuery, resumeSignal, type ExperimentInput } from '../../src/workflows/definitions';
import type { experimentWorkflow } from '../../src/workflows/experiment-workflow';
import { WORKFLOWS_PATH } from '../../src/worker';
import { activityWorkspace, tinyConfig, type ActivityWorkspace } from '../activities/helpers';
import { PROJECT_ROOT, RecordingSink } from '../pipeline/helpers';
import { acquireServerLock } from './server-lock';

const server = process.env.TEMPORAL_ADDRESS;

describe.skipIf(server === undefined || server === '')('with a Temporal server (TEMPORAL_ADDRESS)', () => {
  let client: Client;
  let ws: ActivityWorkspace;
  let workers: Worker[] = [];
  let running: Promise<unknown>;
  let connection: NativeConnection;
  /** Graph attempts to fail before it succeeds (the resume test sets it). */
  let failuresLeft = 0;
  let release: (() => void) | undefined;

  beforeAll(async () => {
    release = await acquireServerLock();
    const settings = temporalSettings();
    client = await connectClient(settings, 5000);
    ws = await activityWorkspace();
    connection = await NativeConnection.connect({ address: settings.address, tls: settings.tls });
    const runStage = async (input: RunStageInput) => {
      if (input.stage === 'graph' && failuresLeft > 0) {
        failuresLeft--;
        throw new StageError('injected failure for the resume test');
      }
      return ws.activities.runStage(input);
    };
    // Unique queue names are not possible (the workflow routes by fixed queue), so the test
    // workers join dcsbm-cpu (workflows, CPU stages) and dcsbm-gpu (train, evaluate): run them
    // against a development server with no other workers.
    const activities = { ...ws.activities, runStage };
    workers = [
      await Worker.create({ connection, namespace: settings.namespace, taskQueue: TASK_QUEUES.cpu, workflowsPath: WORKFLOWS_PATH, activities, shutdownGraceTime: '1s' }),
      await Worker.create({ connection, namespace: settings.namespace, taskQueue: TASK_QUEUES.gpu, activities, shutdownGraceTime: '1s' }),
    ];
    running = Promise.all(workers.map((worker) => worker.run()));
  }, 25 * 60_000);

  afterAll(async () => {
    workers.forEach((worker) => worker.shutdown());
    await running;
    await connection?.close();
    await client?.connection.close();
    release?.();
  });

  function uniqueInput(): ExperimentInput {
    const input = experimentInput(tinyConfig());
    return { ...input, experimentId: `${input.experimentId}_${randomUUID().slice(0, 8)}`, timeouts: { operatorWait: '2m' } };
  }

  it('submits an experiment that runs every stage and writes its results folder', async () => {
    const input = uniqueInput();
    const outcome = await client.workflow.execute<typeof experimentWorkflow>('experimentWorkflow', { taskQueue: TASK_QUEUES.cpu, workflowId: input.experimentId, args: [input] });
    expect(outcome.status).toBe('succeeded');
    expect(existsSync(join(ws.resultsRoot, input.experimentId, 'result.json'))).toBe(true);
  });

  it('a stage that exhausted its retries waits for an operator, and resume finishes the run', async () => {
    failuresLeft = 3;
    const input = uniqueInput();
    const handle = await client.workflow.start<typeof experimentWorkflow>('experimentWorkflow', { taskQueue: TASK_QUEUES.cpu, workflowId: input.experimentId, args: [input] });
    for (let i = 0; i < 60; i++) {
      if ((await handle.query(progressQuery)).status === 'waiting-for-operator') break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const waiting = await handle.query(progressQuery);
    expect(waiting.status).toBe('waiting-for-operator');
    expect(waiting.stages[0]).toMatchObject({ name: 'graph', status: 'waiting-for-operator', attempts: 3, error: { code: 'STAGE_ERROR' } });
    await handle.signal(resumeSignal, {});
    expect((await handle.result()).status).toBe('succeeded');
  });

  it('configs/quick.json: the workflow publishes what npm run experiment publishes (same key and digest for every stage)', async () => {
    const { config } = loadConfigFile(join(PROJECT_ROOT, 'configs', 'quick.json'));
    const input = experimentInput(config);
    const id = `${input.experimentId}_${randomUUID().slice(0, 8)}`;
    const outcome = await client.workflow.execute<typeof experimentWorkflow>('experimentWorkflow', { taskQueue: TASK_QUEUES.cpu, workflowId: id, args: [{ ...input, experimentId: id }] });
    expect(outcome.status).toBe('succeeded');
    const submitted = resultSchema.parse(JSON.parse(readFileSync(join(ws.resultsRoot, id, 'result.json'), 'utf8')));
    // The embedded runner with a store of its own computes every stage again.
    const local = await runExperiment({
      config, projectRoot: PROJECT_ROOT, store: await FileArtifactStore.open(join(ws.root, 'quick-local-store')), resultsRoot: join(ws.root, 'quick-local-results'),
      implementations: STAGE_IMPLEMENTATIONS, sink: new RecordingSink(), signal: new AbortController().signal,
    });
    expect(local.result.stages.every((stage) => stage.status === 'computed')).toBe(true);
    expect(submitted.stages.map((stage) => [stage.name, stage.key, stage.digest])).toEqual(local.result.stages.map((stage) => [stage.name, stage.key, stage.digest]));
  }, 20 * 60_000);
});
