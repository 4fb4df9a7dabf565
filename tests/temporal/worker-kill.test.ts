/**
 * A worker killed mid-training, against a real Temporal server: the experiment is submitted,
 * its worker (a child process polling dcsbm-cpu and dcsbm-gpu, as `npm run worker -- --queues
 * cpu,gpu`) is SIGKILLed once the progress query shows the train stage running and a
 * checkpoint is in the store, a new worker is started, and the workflow completes with the
 * train stage resumed from that checkpoint and the same artifacts (cache keys and digests)
 * as `npm run experiment` on the same config.
 *
 * Runs only when TEMPORAL_ADDRESS points at a development server with the search attributes
 * registered (docs/operations.md) and no other workers on those queues; otherwise reported
 * as skipped, never faked. It has not run on the machine it was written on (no server there).
 *
 * The config is configs/tiny.json with a longer training (12,000 steps, a checkpoint every
 * 200, no early stop), because the tiny training ends in about a second, before any kill
 * could land between two checkpoints; and `runtime.threads: 1` in both runs, because
 * thread counts are recorded, not keyed (results may differ within a tolerance across them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, temporalSettings } from '../../src/cli/temporal-connection';
import { experimentInput } from '../../src/client';
import { parseConfig } from '../../src/config/load';
import { stageDeclaration, type StageName } from '../../src/pipeline/dag';
import { TASK_QUEUES, progressQuery, type ExperimentInput, type ProgressView } from '../../src/workflows/definitions';
import type { experimentWorkflow } from '../../src/workflows/experiment-workflow';
import { PROJECT_ROOT } from '../pipeline/helpers';
import { acquireServerLock } from './server-lock';

const server = process.env.TEMPORAL_ADDRESS;
const MINUTE = 60_000;

/**
 * Stages whose artifact records its own compute time (analyse: `seconds` in analysis.json),
 * so two runs never have the same digest; their files besides that one must match, and the
 * keys of stages downstream of them differ by that digest.
 */
const TIMED_STAGES: ReadonlySet<StageName> = new Set<StageName>(['analyse']);
const TIMED_FILES = new Set(['analysis.json']);

interface StageRecordLike {
  name: StageName;
  status: string;
  key: string | null;
  digest: string | null;
  attempts: number;
  summary: Record<string, unknown> | null;
}
interface ResultLike {
  status: string;
  stages: StageRecordLike[];
  outputs: Record<string, unknown>;
}

describe.skipIf(server === undefined || server === '')('with a Temporal server: a worker killed mid-training (TEMPORAL_ADDRESS)', () => {
  let release: (() => void) | undefined;
  let client: Client;
  let root: string;
  let configPath: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    release = await acquireServerLock();
    client = await connectClient(temporalSettings(), 5000);
    root = mkdtempSync(join(tmpdir(), 'dcsbm-worker-kill-'));
    const tiny = JSON.parse(readFileSync(join(PROJECT_ROOT, 'configs', 'tiny.json'), 'utf8')) as { training: Record<string, unknown> } & Record<string, unknown>;
    const config = { ...tiny, training: { ...tiny.training, max_steps: 12_000, eval_interval: 4000, checkpoint_interval: 200, early_stop: false }, runtime: { threads: 1 } };
    configPath = join(root, 'tiny-long.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
  }, 25 * MINUTE);

  afterAll(async () => {
    for (const worker of workers) killGroup(worker);
    await client?.connection.close();
    release?.();
  });

  /** `npm run worker -- --queues cpu,gpu` as its own process group, over the test's store and results. */
  async function startWorker(label: string): Promise<{ process: ChildProcess; output: () => string }> {
    // node itself (not the tsx wrapper, which forks) so that the pid is the worker.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts', '--queues', 'cpu,gpu', '--shutdown-grace', '1'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DCSBM_STORE: join(root, 'temporal', 'store'), DCSBM_RESULTS: join(root, 'temporal', 'results') },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(`${label} to start`, 2 * MINUTE, async () => {
      if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}:\n${output}`);
      return /^worker on /m.test(output);
    });
    return { process: child, output: () => output };
  }

  it('completes with train resumed from its checkpoint and the artifacts of `npm run experiment`', { timeout: 20 * MINUTE }, async () => {
    const { config } = parseConfig(JSON.parse(readFileSync(configPath, 'utf8')));
    const base = experimentInput(config);
    // A fresh workflow id per run of this test; keys do not depend on the experiment id.
    const input: ExperimentInput = { ...base, experimentId: `${base.experimentId}_${randomUUID().slice(0, 8)}`, timeouts: { heartbeat: '20s', operatorWait: '2m' } };
    const storeRoot = join(root, 'temporal', 'store');

    const first = await startWorker('the first worker');
    const handle = await client.workflow.start<typeof experimentWorkflow>('experimentWorkflow', { taskQueue: TASK_QUEUES.cpu, workflowId: input.experimentId, args: [input] });

    // Kill when train runs and has saved a checkpoint (so the retry has one to resume from).
    const seen: { progress: ProgressView | null } = { progress: null };
    await waitFor('the train stage to run and checkpoint', 5 * MINUTE, async () => {
      const view = await handle.query(progressQuery).catch(() => null);
      const train = view?.stages.find((row) => row.name === 'train');
      if (train?.status === 'running' && train.lastHeartbeat !== null) seen.progress = view!;
      return train?.status === 'running' && checkpointExists(storeRoot, 'train');
    });
    const exited = new Promise((resolve) => first.process.once('exit', resolve));
    killGroup(first.process);
    await exited;
    // The progress query carried the running stage's details (stageProgress signals).
    expect(seen.progress, 'the progress query never showed train heartbeat details').not.toBeNull();
    expect(seen.progress!.stages.find((row) => row.name === 'train')!.lastHeartbeat!.details).toHaveProperty('step');

    // The attempt times out after the heartbeat timeout; its retry runs on the new worker.
    await startWorker('the second worker');
    const outcome = await handle.result();
    expect(outcome.status).toBe('succeeded');

    const temporal = readResult(join(root, 'temporal', 'results', input.experimentId));
    expect(temporal.status).toBe('succeeded');
    const train = temporal.stages.find((stage) => stage.name === 'train')!;
    expect(train.attempts).toBeGreaterThanOrEqual(2);
    expect(train.summary?.resumed_from_step).toEqual(expect.any(Number));
    expect(train.summary!.resumed_from_step as number).toBeGreaterThan(0);
    const final = await handle.query(progressQuery);
    expect(final.stages.find((row) => row.name === 'train')!.attempts).toBeGreaterThanOrEqual(2);

    // The same config through the embedded runner, in its own store.
    const embedded = await runEmbedded(configPath, join(root, 'embedded'));
    expect(embedded.code, embedded.output).toBe(0);
    const reference = readResult(onlyFolder(join(root, 'embedded', 'results')));
    expect(reference.stages.map((s) => s.name)).toEqual(temporal.stages.map((s) => s.name));
    expect(Object.keys(temporal.outputs).sort()).toEqual(Object.keys(reference.outputs).sort());
    for (const stage of reference.stages) {
      const other = temporal.stages.find((s) => s.name === stage.name)!;
      if (!dependsOnTimed(stage.name)) expect(other.key, `${stage.name} key`).toBe(stage.key);
      if (!TIMED_STAGES.has(stage.name)) expect(other.digest, `${stage.name} digest`).toBe(stage.digest);
      else expect(untimedFiles(storeRoot, other), `${stage.name} files`).toEqual(untimedFiles(join(root, 'embedded', 'store'), stage));
    }
  });
});

/** Polls `check` every half second until it is true; fails after `timeoutMs`. */
async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function checkpointExists(storeRoot: string, stage: string): boolean {
  const dir = join(storeRoot, '.checkpoints', stage);
  return existsSync(dir) && readdirSync(dir).some((key) => existsSync(join(dir, key, 'current')));
}

function readResult(resultDir: string): ResultLike {
  return JSON.parse(readFileSync(join(resultDir, 'result.json'), 'utf8')) as ResultLike;
}

function onlyFolder(resultsRoot: string): string {
  const folders = readdirSync(resultsRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  expect(folders).toHaveLength(1);
  return join(resultsRoot, folders[0].name);
}

/** A stage whose key depends (through its inputs) on a timed stage's digest. */
function dependsOnTimed(stage: StageName): boolean {
  return stageDeclaration(stage).inputs.some((input) => TIMED_STAGES.has(input) || dependsOnTimed(input));
}

/** name -> sha256 of the artifact's files, without the ones that record a time. */
function untimedFiles(storeRoot: string, stage: StageRecordLike): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(storeRoot, stage.name, stage.key!, 'manifest.json'), 'utf8')) as { files: { name: string; sha256: string }[] };
  return Object.fromEntries(manifest.files.filter((file) => !TIMED_FILES.has(file.name)).map((file) => [file.name, file.sha256]));
}

/** `npm run experiment -- <config> --skip-preflight` over its own store and results folder. */
function runEmbedded(config: string, dir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/experiment.ts', config, '--skip-preflight'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DCSBM_STORE: join(dir, 'store'), DCSBM_RESULTS: join(dir, 'results') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}
