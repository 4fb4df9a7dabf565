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
  /** Results already known (from a checkpoint): those columns are not analysed again. */
  known?: ReadonlyMap<string, ColumnResult>;
  /** Called with the result of each column analysed by this call. */
  onResult?: (key: string, result: ColumnResult) => void;
}

/** The results of every column of `keys`, in the order of `keys`. */
export async function analyseColumns(context: ColumnContext, keys: readonly string[], readColumn: (key: string) => Promise<Float64Array>, options: ColumnPoolOptions): Promise<ColumnResult[]> {
  const results = keys.map((key) => options.known?.get(key));
  const todo = keys.flatMap((key, i) => (results[i] === undefined ? [i] : []));
  let done = keys.length - todo.length;
  const finish = (i: number, result: ColumnResult): void => {
    results[i] = result;
    options.onResult?.(keys[i], result);
    options.onColumn?.(++done, keys[i]);
  };
  if (options.workers <= 0 || todo.length <= 1) {
    const index = new TokenRowIndex(context.lengths);
    for (const i of todo) {
      checkAborted(options.signal, keys[i]);
      finish(i, await analyseColumn(context, keys[i], await readColumn(keys[i]), index));
    }
    return results as ColumnResult[];
  }
  const workers = Array.from({ length: Math.min(options.workers, todo.length) }, () => startTypeScriptWorker(new URL('./column-worker.ts', import.meta.url), context));
  // The first failure (an abort included) stops every worker from taking a new column, but a
  // column in flight is finished, never cut off: a worker thread terminated inside an
  // onnxruntime call (the permutation control's subset sums) aborts the whole process
  // ("terminate called after throwing an instance of 'Napi::Error'"). So a worker is only
  // terminated once it is idle; a column finished meanwhile is kept (and checkpointed).
  let next = 0;
  let failure: { error: unknown } | null = null;
  const drive = async (worker: Worker): Promise<void> => {
    try {
      while (next < todo.length && failure === null) {
        const i = todo[next++];
        checkAborted(options.signal, keys[i]);
        const column = await readColumn(keys[i]);
        finish(i, await runTask(worker, { key: keys[i], column }));
      }
    } catch (error) {
      failure ??= { error };
    }
  };
  try {
    await Promise.all(workers.map(drive));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results as ColumnResult[];
}

function checkAborted(signal: AbortSignal | undefined, key: string): void {
  if (signal?.aborted) throw new Cancelled(`analysis interrupted before metric ${key}`, { cause: signal.reason });
}

/** Sends one column (transferred) and waits for its result (an abort waits for it too: see above). */
function runTask(worker: Worker, task: ColumnTask): Promise<ColumnResult> {
  return new Promise<ColumnResult>((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
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
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(task, [task.column.buffer as ArrayBuffer]);
  });
}
