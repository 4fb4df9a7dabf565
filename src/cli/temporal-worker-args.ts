/**
 * Argument parsing of the worker (`src/worker.ts`):
 * `--queues cpu,gpu` (default cpu), `--concurrency N` (activities at a time per queue),
 * `--shutdown-grace <seconds>` (default 30).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { TASK_QUEUES, type QueueKind } from '../workflows/definitions';

export interface WorkerArgs {
  queues: QueueKind[];
  /** Activities run at the same time per queue; undefined = per-queue default (cpu 2, gpu 1). */
  concurrency: number | undefined;
  /** Seconds running activities get to finish after SIGINT/SIGTERM before they are cancelled. */
  shutdownGraceSeconds: number;
}

export const WORKER_USAGE = 'usage: npm run worker -- [--queues cpu,gpu] [--concurrency N] [--shutdown-grace <seconds>]';

/** Parses `argv` (without node and script). */
export function parseWorkerArgs(argv: readonly string[]): WorkerArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { queues: { type: 'string', default: 'cpu' }, concurrency: { type: 'string' }, 'shutdown-grace': { type: 'string', default: '30' } },
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${WORKER_USAGE}`);
  }
  const queues = [...new Set(values.queues.split(',').map((queue) => queue.trim()).filter((queue) => queue !== ''))];
  const known = Object.keys(TASK_QUEUES);
  const unknown = queues.filter((queue) => !known.includes(queue));
  if (queues.length === 0 || unknown.length > 0) {
    throw new ConfigError(`--queues: '${values.queues}' — expected a comma-separated list of ${known.join(', ')}`);
  }
  return {
    queues: queues as QueueKind[],
    concurrency: values.concurrency === undefined ? undefined : integer('--concurrency', values.concurrency, 1),
    shutdownGraceSeconds: integer('--shutdown-grace', values['shutdown-grace'], 0),
  };
}

function integer(flag: string, value: string, min: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new ConfigError(`${flag}: '${value}' — must be an integer >= ${min}`);
  return number;
}
