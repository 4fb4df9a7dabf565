/**
 * The worker's set-up without a server: per-queue options (only the CPU worker hosts
 * workflows; a GPU worker polls activity tasks only), startup checks with messages that say
 * what to fix, and a clear failure when no server answers.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NativeConnection } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { Activities } from '../../src/activities/index';
import { checkExecutionProvider, checkStoreWritable } from '../../src/cli/temporal-preflight';
import { ResourceError } from '../../src/errors';
import { probeExecutionProvider } from '../../src/onnx/provider-probe';
import type { SessionIdentity } from '../../src/onnx/session';
import { WORKFLOWS_PATH, workerOptionsFor } from '../../src/worker';
import { PROJECT_ROOT } from '../pipeline/helpers';

const connection = {} as NativeConnection;
const activities = {} as Activities;

describe('worker options', () => {
  it('the CPU worker hosts the workflows and CPU activities with a shutdown grace time', () => {
    const options = workerOptionsFor('cpu', { queues: ['cpu'], concurrency: undefined, shutdownGraceSeconds: 30 }, connection, 'default', activities);
    expect(options).toMatchObject({ taskQueue: 'dcsbm-cpu', workflowsPath: WORKFLOWS_PATH, maxConcurrentActivityTaskExecutions: 2, shutdownGraceTime: '30s' });
  });

  it('a GPU worker registers no workflows, so it polls only activity tasks', () => {
    const options = workerOptionsFor('gpu', { queues: ['gpu'], concurrency: 3, shutdownGraceSeconds: 10 }, connection, 'lab', activities);
    expect(options).toMatchObject({ taskQueue: 'dcsbm-gpu', namespace: 'lab', maxConcurrentActivityTaskExecutions: 3, shutdownGraceTime: '10s' });
    expect(options.workflowsPath).toBeUndefined();
    expect(options.workflowBundle).toBeUndefined();
  });
});

describe('worker startup checks', () => {
  it('a writable store passes', async () => {
    await checkStoreWritable(mkdtempSync(join(tmpdir(), 'dcsbm-store-')));
  });

  it.skipIf(process.getuid?.() === 0)('EXPECTED FAILURE - a read-only store is a ResourceError naming the path and DCSBM_STORE', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dcsbm-store-'));
    chmodSync(root, 0o500);
    await expect(checkStoreWritable(root)).rejects.toThrow(ResourceError);
    await expect(checkStoreWritable(root)).rejects.toThrow(/not writable \(EACCES\); set DCSBM_STORE/);
  });

  it('EXPECTED FAILURE - a store path that is a file is a ResourceError naming the path', async () => {
    await expect(checkStoreWritable('/dev/null/store')).rejects.toThrow(/the artifact store at \/dev\/null\/store is not writable/);
  });

  const identity = (provider: 'cpu' | 'cuda', fallbackReason: string | null = null) => async () => ({ provider, fallbackReason }) as unknown as SessionIdentity;

  it('a CPU worker runs its stages on the provider the probe finds; a GPU worker on CUDA', async () => {
    expect(await checkExecutionProvider(false, identity('cpu'))).toEqual({ provider: 'cpu' });
    expect(await checkExecutionProvider(true, identity('cuda'))).toEqual({ provider: 'cuda' });
  });

  it('EXPECTED FAILURE - a GPU worker where CUDA does not load is a ResourceError with the install command and the way out', async () => {
    const check = checkExecutionProvider(true, identity('cpu', 'CUDA execution provider unavailable: libcudart.so.12 missing'));
    await expect(check).rejects.toThrow(ResourceError);
    await expect(check).rejects.toThrow(/--queues gpu: .*cannot be loaded here \(CUDA execution provider unavailable: libcudart\.so\.12 missing\)\. Install the CUDA build \(ONNXRUNTIME_NODE_INSTALL=cuda12 .*or run this worker with --queues cpu/);
  });

  it('EXPECTED FAILURE - onnxruntime that cannot create a session is a ResourceError with the reinstall command', async () => {
    const failing = async () => {
      throw new Error('libonnxruntime.so.1: cannot open shared object file');
    };
    await expect(checkExecutionProvider(false, failing)).rejects.toThrow(/onnxruntime-node cannot create a session on this host \(libonnxruntime\.so\.1: cannot open shared object file\)/);
  });

  it('the real onnxruntime-node of this checkout creates a CPU session; on this host (no CUDA libraries) a GPU worker is refused', async () => {
    expect(await checkExecutionProvider(false)).toEqual({ provider: 'cpu' });
    const cuda = await probeExecutionProvider('cuda');
    if (cuda.provider !== 'cuda') await expect(checkExecutionProvider(true)).rejects.toThrow(/--queues gpu/);
  });
});

describe('worker without a server', () => {
  it('EXPECTED FAILURE - exits 1 with the message that says how to start a server', () => {
    const store = mkdtempSync(join(tmpdir(), 'dcsbm-store-'));
    const result = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['src/worker.ts', '--queues', 'cpu'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', DCSBM_STORE: store },
      encoding: 'utf8',
      timeout: 40_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the Temporal server at 127\.0\.0\.1:1/);
  });
});
