/**
 * Worker-thread entry of the SVD metric pool: computes one block at a time and posts back the
 * metrics, the saved left vectors and the guard flags, transferring the buffers. Stateless:
 * the Grassmannian distance is finished on the main thread, so any worker can take any job.
 * @internal
 */
import { parentPort } from 'node:worker_threads';
import { BlockWorkspace, computeBlock, type MatrixBlock } from './compute';

/** A job as sent to a worker. */
export interface WorkerJobMessage {
  type: 'job';
  id: number;
  block: MatrixBlock;
}

/** Messages a pool worker posts. */
export type WorkerReply =
  | { type: 'result'; id: number; metrics: Float64Array; left: Float64Array; guards: Int32Array }
  | { type: 'error'; id: number; name: string; message: string };

function serve(port: NonNullable<typeof parentPort>): void {
  const workspace = new BlockWorkspace();
  port.on('message', (message: WorkerJobMessage) => {
    try {
      const { metrics, left, guards } = computeBlock(message.block, workspace);
      const reply: WorkerReply = { type: 'result', id: message.id, metrics, left, guards };
      port.postMessage(reply, [metrics.buffer as ArrayBuffer, left.buffer as ArrayBuffer, guards.buffer as ArrayBuffer]);
    } catch (error) {
      const { name, message: text } = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ type: 'error', id: message.id, name, message: text } satisfies WorkerReply);
    }
  });
}

if (parentPort !== null) serve(parentPort);
