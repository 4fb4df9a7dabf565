/**
 * Worker-thread entry of the `worker` forward passes (forward-passes.ts): runs
 * {@link LocalForwardPasses} on this thread, one request at a time in arrival order, and
 * posts each result back, transferring freshly copied outputs (onnxruntime's own buffers
 * cannot be handed over).
 * @internal
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LocalForwardPasses, type ForwardPassesSpec, type ForwardReply, type ForwardRequest } from './forward-passes';

type Port = NonNullable<typeof parentPort>;

function serve(port: Port, spec: ForwardPassesSpec): void {
  const passes = new LocalForwardPasses(spec);
  // Requests run one after the other even though handling them is asynchronous.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: ForwardRequest) => {
    queue = queue.then(() => handle(port, passes, request));
  });
}

async function handle(port: Port, passes: LocalForwardPasses, request: ForwardRequest): Promise<void> {
  try {
    if (request.type === 'short') {
      const logits = (await passes.short(request.contexts, request.count, request.used)).slice();
      post(port, { type: 'short', id: request.id, logits }, [logits]);
    } else if (request.type === 'extract') {
      const outputs = await passes.extract(request.contexts);
      const owned = { logits: outputs.logits.slice(), qkt: outputs.qkt.map((q) => q.slice()), avwo: outputs.avwo.map((a) => a.slice()) };
      post(port, { type: 'extract', id: request.id, outputs: owned }, [owned.logits, ...owned.qkt, ...owned.avwo]);
    } else {
      await passes.release();
      post(port, { type: 'released', id: request.id }, []);
    }
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    post(port, { type: 'error', id: request.id, name, message }, []);
  }
}

function post(port: Port, reply: ForwardReply, arrays: Float32Array[]): void {
  port.postMessage(reply, arrays.map((array) => array.buffer as ArrayBuffer));
}

if (parentPort !== null) serve(parentPort, workerData as ForwardPassesSpec);
