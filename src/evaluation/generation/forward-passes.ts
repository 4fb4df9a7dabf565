/**
 * The forward passes of evaluation generation: short contexts through the next-token
 * inference graph (with lengths), full windows through the {@link Extractor}. Each runs on
 * sessions of static batches rows, ⌈rows/2⌉, ⌈rows/4⌉, … 1, opened on first use; a step runs on
 * the smallest session that holds its active rows, so the tail of a batch (the few sequences a
 * late jumper extended) does not pay for the whole batch. The sessions compute every row
 * independently of the others, so the results are the same bits whatever the session (the
 * generation tests check it).
 *
 * Two homes: `local` runs the sessions on the calling thread; `worker` runs them in a worker
 * thread of their own. onnxruntime-node's `session.run` is synchronous (it blocks the thread
 * for the whole pass), so several generation lanes only run in parallel from workers, and the
 * main thread stays free to feed the SVD pool and write rows meanwhile.
 */
import type { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { StageError } from '../../errors';
import { INFERENCE_IO } from '../../model/graph-names';
import { buildInferenceGraph } from '../../model/inference-graph';
import type { ModelDims } from '../../model/model-dims';
import { checkWeights, type ModelWeights } from '../../model/model-weights';
import { createSession } from '../../onnx/session';
import { startTypeScriptWorker } from '../../workers/typescript-worker';
import { Extractor, type ExtractionOutputs, type ExtractionRuntime } from '../extraction/extractor';

/** One model's forward passes for batches of up to `rows` sequences. */
export interface ForwardPasses {
  /** Logits [count, vocab] for `count` left-aligned contexts of `used` tokens (`contexts` is count x w). */
  short(contexts: Int32Array, count: number, used: number): Promise<Float32Array>;
  /** The extractor's outputs for `contexts`: full windows of 1 .. rows sequences. */
  extract(contexts: Int32Array): Promise<ExtractionOutputs>;
  /** Releases every session (and the worker). */
  release(): Promise<void>;
}

/** What the passes are built from; also the worker's `workerData` (structured clone). */
export interface ForwardPassesSpec {
  weights: ModelWeights;
  dims: ModelDims;
  /** The largest static batch. */
  rows: number;
  runtime: ExtractionRuntime;
}

/** Opens the passes on this thread (`local`) or in a worker thread of their own (`worker`). */
export function openForwardPasses(spec: ForwardPassesSpec, home: 'local' | 'worker'): ForwardPasses {
  return home === 'local' ? new LocalForwardPasses(spec) : new WorkerForwardPasses(spec);
}

/** The sessions on the calling thread. */
export class LocalForwardPasses implements ForwardPasses {
  readonly #spec: ForwardPassesSpec;
  readonly #sizes: number[];
  readonly #inference = new Map<number, Promise<ort.InferenceSession>>();
  readonly #extractors = new Map<number, Promise<Extractor>>();

  constructor(spec: ForwardPassesSpec) {
    checkWeights(spec.dims, spec.weights);
    this.#spec = spec;
    const sizes = [spec.rows];
    while (sizes[sizes.length - 1] > 1) sizes.push(Math.ceil(sizes[sizes.length - 1] / 2));
    this.#sizes = sizes.reverse();
  }

  async short(contexts: Int32Array, count: number, used: number): Promise<Float32Array> {
    const { dims, weights, runtime } = this.#spec;
    const { context: w, vocab } = dims;
    const size = this.#size(count);
    const session = await open(this.#inference, size, async () => (await createSession(buildInferenceGraph(dims, size, weights).toBytes(), runtime)).session);
    // A static batch: padding rows keep token 0 and length 1.
    const tokens = new Int32Array(size * w);
    tokens.set(contexts.subarray(0, count * w));
    const lengths = new Int32Array(size).fill(1).fill(used, 0, count);
    const feeds = {
      [INFERENCE_IO.tokens]: new ort.Tensor('int32', tokens, [size, w]),
      [INFERENCE_IO.lengths]: new ort.Tensor('int32', lengths, [size]),
    };
    const logits = (await session.run(feeds))[INFERENCE_IO.logits].data as Float32Array;
    return logits.subarray(0, count * vocab);
  }

  async extract(contexts: Int32Array): Promise<ExtractionOutputs> {
    const { dims, weights, runtime } = this.#spec;
    const size = this.#size(contexts.length / dims.context);
    const extractor = await open(this.#extractors, size, () => Extractor.create(weights, dims, size, runtime));
    return extractor.run(contexts);
  }

  /** Releases every session opened (a session whose opening failed has nothing to release). */
  async release(): Promise<void> {
    const opened = [...this.#inference.values(), ...this.#extractors.values()];
    await Promise.all(opened.map((session) => session.then((s) => s.release(), () => undefined)));
  }

  /** The smallest static batch that holds `count` rows. */
  #size(count: number): number {
    return this.#sizes.find((size) => size >= count) ?? this.#spec.rows;
  }
}

function open<T>(sessions: Map<number, Promise<T>>, size: number, create: () => Promise<T>): Promise<T> {
  let session = sessions.get(size);
  if (session === undefined) {
    session = create();
    sessions.set(size, session);
  }
  return session;
}

// ---------------------------------------------------------------------------------------------
// Worker home: the same passes behind a message protocol.

/** Requests to a forward worker. */
export type ForwardRequest =
  | { type: 'short'; id: number; contexts: Int32Array; count: number; used: number }
  | { type: 'extract'; id: number; contexts: Int32Array }
  | { type: 'release'; id: number };

/** Replies of a forward worker, one per request, in request order. */
export type ForwardReply =
  | { type: 'short'; id: number; logits: Float32Array }
  | { type: 'extract'; id: number; outputs: ExtractionOutputs }
  | { type: 'released'; id: number }
  | { type: 'error'; id: number; name: string; message: string };

interface Call {
  resolve: (reply: ForwardReply) => void;
  reject: (error: Error) => void;
}

/** {@link ForwardPasses} whose sessions live in a worker thread (forward-worker.ts). */
class WorkerForwardPasses implements ForwardPasses {
  readonly #worker: Worker;
  readonly #calls = new Map<number, Call>();
  #nextId = 0;
  #failure: Error | null = null;

  constructor(spec: ForwardPassesSpec) {
    checkWeights(spec.dims, spec.weights);
    this.#worker = startTypeScriptWorker(new URL('./forward-worker.ts', import.meta.url), spec);
    this.#worker.on('message', (reply: ForwardReply) => this.#onReply(reply));
    this.#worker.on('error', (error) => this.#fail(new StageError(`generation: forward worker failed: ${error.message}`, { cause: error })));
    this.#worker.on('exit', (code) => this.#fail(new StageError(`generation: forward worker exited with code ${code}`)));
  }

  async short(contexts: Int32Array, count: number, used: number): Promise<Float32Array> {
    const reply = await this.#call({ type: 'short', id: this.#nextId++, contexts: contexts.slice(), count, used });
    return (reply as Extract<ForwardReply, { type: 'short' }>).logits;
  }

  async extract(contexts: Int32Array): Promise<ExtractionOutputs> {
    const reply = await this.#call({ type: 'extract', id: this.#nextId++, contexts: contexts.slice() });
    return (reply as Extract<ForwardReply, { type: 'extract' }>).outputs;
  }

  async release(): Promise<void> {
    try {
      if (this.#failure === null) await this.#call({ type: 'release', id: this.#nextId++ });
    } finally {
      this.#worker.removeAllListeners('exit');
      await this.#worker.terminate();
    }
  }

  #call(request: ForwardRequest): Promise<ForwardReply> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise<ForwardReply>((resolve, reject) => {
      this.#calls.set(request.id, { resolve, reject });
      // The contexts are a copy made for this call (the caller keeps its own): transfer them.
      this.#worker.postMessage(request, 'contexts' in request ? [request.contexts.buffer as ArrayBuffer] : []);
    });
  }

  #onReply(reply: ForwardReply): void {
    const call = this.#calls.get(reply.id);
    if (call === undefined) return;
    this.#calls.delete(reply.id);
    if (reply.type === 'error') {
      call.reject(new StageError(`generation: forward pass failed in its worker: ${reply.name}: ${reply.message}`));
    } else {
      call.resolve(reply);
    }
  }

  /** First failure wins: every pending and later call rejects with it. */
  #fail(error: Error): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    for (const call of this.#calls.values()) call.reject(error);
    this.#calls.clear();
  }
}
