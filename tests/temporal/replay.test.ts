/**
 * Determinism: committed histories replay against the real workflow code without a server.
 * Cases: linear success, progress signals while a stage runs, a failed stage resumed by an
 * operator signal, an operator abort,
 * and parallel branches (the same workflow body on a diamond DAG). Negative cases: an
 * unguarded change is a DeterminismViolationError; the same change behind `patched()`
 * replays. Every replay runs under a timeout, because a malformed history can hang it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { HistoryBuilder } from './history-builder';
import { HISTORIES_DIR, SCENARIOS, experimentInput } from './history-scenarios';

const REPLAY_TIMEOUT_MS = 20_000;
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

function fixture(name: keyof typeof SCENARIOS): unknown {
  return JSON.parse(readFileSync(join(HISTORIES_DIR, name), 'utf8'));
}

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: replay did not finish within ${REPLAY_TIMEOUT_MS} ms`)), REPLAY_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function replay(bundle: WorkflowBundle, name: keyof typeof SCENARIOS): Promise<void> {
  return withTimeout(Worker.runReplayHistory({ workflowBundle: bundle, replayName: name }, fixture(name)), name);
}

async function bundle(workflowsPath: string, workflowInterceptorModules: string[] = []): Promise<WorkflowBundle> {
  return { code: (await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: silent })).code };
}

describe('replay of committed histories', () => {
  let real: WorkflowBundle;
  let diamond: WorkflowBundle;

  beforeAll(async () => {
    // Replay workers log every state change at INFO; keep the test output to failures.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      // The negative cases make core warn about the nondeterminism they provoke on purpose.
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
    });
    [real, diamond] = await Promise.all([bundle(path('../../src/workflows/index.ts')), bundle(path('../workflows/fixtures/diamond-workflow.ts'))]);
  });

  it('the committed fixtures are exactly what the builder scripts produce', () => {
    for (const [name, build] of Object.entries(SCENARIOS)) {
      expect(fixture(name as keyof typeof SCENARIOS), name).toEqual(JSON.parse(build().toJSON()));
    }
  });

  it('a linear run (graph, walks, results) replays', async () => {
    await replay(real, 'linear-success.json');
  });

  it('stageProgress signals (valid, stale and malformed) while a stage runs issue no commands and replay', async () => {
    await replay(real, 'progress-signals.json');
  });

  it('a stage that exhausted its retries waits for an operator and a resume signal retries it', async () => {
    await replay(real, 'operator-resume.json');
  });

  it('an abort signal while waiting writes the results and fails the workflow', async () => {
    await replay(real, 'operator-abort.json');
  });

  it('a failed stage that no operator answers within the configured wait (--operator-wait 30m) fails the workflow with its own error', async () => {
    await replay(real, 'operator-timeout.json');
  });

  it('the operator wait is the one the experiment was submitted with (a timer of exactly 30 minutes)', async () => {
    const thirtyMinutes = await bundle(path('../../src/workflows/index.ts'), [path('../workflows/fixtures/thirty-minute-timers.ts')]);
    await replay(thirtyMinutes, 'operator-timeout.json');
    // The same history submitted without --operator-wait: the interceptor refuses the default
    // wait's timer (7 days), the workflow takes another path, and the replay diverges.
    const history = JSON.parse(readFileSync(join(HISTORIES_DIR, 'operator-timeout.json'), 'utf8'));
    const started = history.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
    const input = JSON.parse(Buffer.from(started.data, 'base64').toString('utf8'));
    delete input.timeouts;
    started.data = Buffer.from(JSON.stringify(input)).toString('base64');
    const run = Worker.runReplayHistory({ workflowBundle: thirtyMinutes, replayName: 'default-wait' }, history);
    await expect(withTimeout(run, 'default-wait')).rejects.toThrow(DeterminismViolationError);
  });

  it('independent stages are scheduled together in one workflow task (parallel branches)', async () => {
    await replay(diamond, 'parallel-diamond.json');
  });

  it('a sweep starts one child experiment per grid point within its concurrency limit', async () => {
    await replay(real, 'sweep-two-points.json');
  });

  it('a sweep told its history is large waits for its running children, then continues as new', async () => {
    await replay(real, 'sweep-continue-as-new.json');
  });

  it('the continued sweep starts after the carried points and returns the carried counts', async () => {
    await replay(real, 'sweep-continued.json');
  });

  it('EXPECTED FAILURE - a history where a failed stage was retried without waiting for an operator does not replay', async () => {
    const history = new HistoryBuilder('experimentWorkflow', [experimentInput()], 'dcsbm-cpu');
    history.workflowTask();
    history.upsertSearchAttributes();
    history.upsertSearchAttributes();
    const first = history.scheduleActivity('graph.1', 'runStage', 'dcsbm-cpu');
    history.failActivity(first, { message: 'disk full', type: 'RESOURCE_ERROR' });
    history.workflowTask();
    history.upsertSearchAttributes();
    history.scheduleActivity('graph.2', 'runStage', 'dcsbm-cpu');
    const run = Worker.runReplayHistory({ workflowBundle: real, replayName: 'no-operator-wait' }, JSON.parse(history.toJSON()));
    await expect(withTimeout(run, 'no-operator-wait')).rejects.toThrow(DeterminismViolationError);
  });

  it('EXPECTED FAILURE - an unguarded change to the awaited commands is a DeterminismViolationError', async () => {
    const changed = await bundle(path('../workflows/fixtures/unguarded-change-workflow.ts'));
    await expect(replay(changed, 'linear-success.json')).rejects.toThrow(DeterminismViolationError);
  });

  it('the same change behind patched() replays old histories', async () => {
    const patched = await bundle(path('../workflows/fixtures/patched-change-workflow.ts'));
    await replay(patched, 'linear-success.json');
    await replay(patched, 'operator-resume.json');
  });
});
