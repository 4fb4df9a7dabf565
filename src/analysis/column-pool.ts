/**
 * Analyses the metric columns, one column per task, on the main thread or in worker threads.
 * Columns are independent (each has its own permutation and bootstrap streams), so the results
 * are the same for any worker count; the main thread reads the next column while the workers
 * compute, and at most one column per worker is in flight, so memory stays bounded.
 */
import type { Worker } from 'node:worker_threads';
import { Cancelled, StageError } from '../errors';
import { startTypeScriptWorker } from '../workers/typescript-worker';
import { analyseColumn, type ColumnContext, type ColumnResult } from './column-analysis';
import type { ColumnTask, ColumnWorkerMessage } from './column-worker';
import { TokenRowIndex } from './lookback-values';

export interface ColumnPoolOptions {
  /** Worker threads; 0 analyses on the calling thread. */
  workers: number;
  signal?: AbortSignal;
  /** Called after each finished column with the number done. */
  onColumn?: (done: number, key: string) => void;
}

/** The results of every column of `keys`, in the order of `keys`. */
export async function analyseColumns(context: ColumnContext, keys: readonly string[], readColumn: (key: string) => Promise<Float64Array>, options: ColumnPoolOptions): Promise<ColumnResult[]> {
  if (options.workers <= 0 || keys.length <= 1) return analyseInProcess(context, keys, readColumn, options);
  const workers = Array.from({ length: Math.min(options.workers, keys.length) }, () => startTypeScriptWorker(new URL('./column-worker.ts', import.meta.url), context));
  try {
    const results = new Array<ColumnResult>(keys.length);
    let next = 0;
    let done = 0;
    const drive = async (worker: Worker): Promise<void> => {
      while (next < keys.length) {
        const i = next++;
        checkAborted(options.signal, keys[i]);
        const column = await readColumn(keys[i]);
        results[i] = await runTask(worker, { key: keys[i], column }, options.signal);
        options.onColumn?.(++done, keys[i]);
      }
    };
    await Promise.all(workers.map(drive));
    return results;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

async function analyseInProcess(context: ColumnContext, keys: readonly string[], readColumn: (key: string) => Promise<Float64Array>, options: ColumnPoolOptions): Promise<ColumnResult[]> {
  const index = new TokenRowIndex(context.lengths);
  const results: ColumnResult[] = [];
  for (const key of keys) {
    checkAborted(options.signal, key);
    results.push(await analyseColumn(context, key, await readColumn(key), index));
    options.onColumn?.(results.length, key);
  }
  return results;
}

function checkAborted(signal: AbortSignal | undefined, key: string): void {
  if (signal?.aborted) throw new Cancelled(`analysis interrupted before metric ${key}`, { cause: signal.reason });
}

/** Sends one column (transferred) and waits for its result. */
function runTask(worker: Worker, task: ColumnTask, signal: AbortSignal | undefined): Promise<ColumnResult> {
  return new Promise<ColumnResult>((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
    };
    const onMessage = (message: ColumnWorkerMessage): void => {
      cleanup();
      if (message.type === 'result') resolve(message.result);
      else reject(new StageError(`analysis of metric ${message.key} failed: ${message.name}: ${message.message}`));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new StageError(`analysis worker failed on metric ${task.key}: ${error.message}`, { cause: error }));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new StageError(`analysis worker exited with code ${code} while analysing metric ${task.key}`));
    };
    const onAbort = (): void => {
      cleanup();
      reject(new Cancelled(`analysis interrupted during metric ${task.key}`, { cause: signal?.reason }));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage(task, [task.column.buffer as ArrayBuffer]);
  });
}
