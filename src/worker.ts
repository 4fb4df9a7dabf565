/**
 * The Temporal worker process: `npm run worker -- --queues cpu,gpu [--concurrency N]`.
 * A CPU worker hosts the workflows and the CPU stages (dcsbm-cpu); a GPU worker polls only
 * activity tasks on dcsbm-gpu. SIGINT/SIGTERM stop polling, give running stages
 * `--shutdown-grace` seconds, then cancel them (they stop at their next check and resume
 * from the store on another worker).
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities } from './activities/index';
import { interruptOnSignals } from './cli/interrupt';
import { isMainModule } from './cli/is-main';
import { runCli } from './cli/main';
import { PROJECT_ROOT } from './cli/setup';
import { serverUnreachable, temporalSettings } from './cli/temporal-connection';
import { checkExecutionProvider, checkStoreWritable } from './cli/temporal-preflight';
import { WORKER_USAGE, parseWorkerArgs, type WorkerArgs } from './cli/temporal-worker-args';
import { ExitCode } from './errors';
import { TASK_QUEUES, type QueueKind } from './workflows/definitions';

/** Activities at a time per queue when `--concurrency` is not given: GPU stages own the device. */
const DEFAULT_CONCURRENCY: Record<QueueKind, number> = { cpu: 2, gpu: 1 };

/** The workflow entry the CPU worker bundles. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** Options of the worker for one queue. Only the CPU queue registers workflows. */
export function workerOptionsFor(kind: QueueKind, args: WorkerArgs, connection: NativeConnection, namespace: string, activities: Activities): WorkerOptions {
  return {
    connection,
    namespace,
    taskQueue: TASK_QUEUES[kind],
    activities,
    ...(kind === 'cpu' ? { workflowsPath: WORKFLOWS_PATH } : {}),
    maxConcurrentActivityTaskExecutions: args.concurrency ?? DEFAULT_CONCURRENCY[kind],
    shutdownGraceTime: `${args.shutdownGraceSeconds}s`,
  };
}

/**
 * Temporal's Runtime starts the graceful shutdown on the first SIGINT/SIGTERM and then stops
 * listening, so a second signal would kill the process with no grace: under `npm run`, one
 * Ctrl-C arrives twice (from the terminal and forwarded by npm). This listener absorbs that
 * copy; a signal a second or more later exits at once, as the message says.
 */
export function guardShutdownSignals(graceSeconds: number, print: (line: string) => void): { stop: () => void } {
  return interruptOnSignals({
    onInterrupt: (signal) => print(`${signal} received: polling stops; running stages get ${graceSeconds}s, then are cancelled (press again to exit at once)...`),
    onForcedExit: (signal) => print(`${signal} again: exiting immediately.`),
  });
}

/** Runs the worker until it is signalled to stop. */
export async function workerCommand(argv: readonly string[], print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    print(WORKER_USAGE);
    return ExitCode.success;
  }
  const args = parseWorkerArgs(argv);
  const settings = temporalSettings();
  const { FileArtifactStore, resolveStoreRoot } = await import('./artifacts/artifact-store-impl');
  const store = await FileArtifactStore.open(resolveStoreRoot(PROJECT_ROOT));
  await checkStoreWritable(store.root);
  const provider = await checkExecutionProvider(args.queues.includes('gpu'));
  const { NativeConnection, Worker } = await import('@temporalio/worker');
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: settings.address, tls: settings.tls });
  } catch (error) {
    throw serverUnreachable(settings.address, error);
  }
  const { STAGE_IMPLEMENTATIONS } = await import('./stages/index');
  const busiest = Math.max(...args.queues.map((kind) => args.concurrency ?? DEFAULT_CONCURRENCY[kind]));
  const activities = createActivities({
    store,
    projectRoot: PROJECT_ROOT,
    resultsRoot: resolve(process.env.DCSBM_RESULTS ?? join(process.cwd(), 'results')),
    implementations: STAGE_IMPLEMENTATIONS,
    // Concurrent stages share the machine's cores.
    threads: Math.max(1, Math.floor(availableParallelism() / busiest)),
  });
  try {
    const workers = await Promise.all(args.queues.map((kind) => Worker.create(workerOptionsFor(kind, args, connection, settings.namespace, activities))));
    print(`worker on ${settings.address} (namespace ${settings.namespace}): queues ${args.queues.map((kind) => TASK_QUEUES[kind]).join(', ')}; store ${store.root}; stages run on ${provider.provider}`);
    const interrupt = guardShutdownSignals(args.shutdownGraceSeconds, print);
    try {
      await Promise.all(workers.map((worker) => worker.run()));
    } finally {
      interrupt.stop();
    }
  } finally {
    await connection.close();
  }
  return ExitCode.success;
}

if (isMainModule(import.meta.url)) runCli(() => workerCommand(process.argv.slice(2)));
