/**
 * Worker-thread entry of the column pool (column-pool.ts): receives the shared context once in
 * `workerData`, then analyses each column it is sent and posts the result back.
 * @internal
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyseColumn, type ColumnContext, type ColumnResult } from './column-analysis';
import { TokenRowIndex } from './lookback-values';

/** A column to analyse. */
export interface ColumnTask {
  key: string;
  column: Float64Array;
}

/** Messages a column worker posts. */
export type ColumnWorkerMessage = { type: 'result'; key: string; result: ColumnResult } | { type: 'error'; key: string; name: string; message: string };

const port = parentPort;
if (port !== null) {
  const context = workerData as ColumnContext;
  const index = new TokenRowIndex(context.lengths);
  port.on('message', (task: ColumnTask) => {
    analyseColumn(context, task.key, task.column, index).then(
      (result) => port.postMessage({ type: 'result', key: task.key, result } satisfies ColumnWorkerMessage, [result.atLookback1.buffer as ArrayBuffer, ...result.nulls.map((n) => n.nullMax.buffer as ArrayBuffer)]),
      (error: unknown) => {
        const { name, message } = error instanceof Error ? error : new Error(String(error));
        port.postMessage({ type: 'error', key: task.key, name, message } satisfies ColumnWorkerMessage);
      },
    );
  });
}
