/**
 * The SVD metric pool: jobs from the generator are decomposed by N worker threads while
 * generation goes on, and results come back in submission order per (target, layer).
 *
 * Design. Workers are stateless, so any worker can take any job and every thread stays busy
 * whatever the number of (target, layer) streams (routing a stream to one worker would cap the
 * parallelism at 2·layers). A job is sent as soon as it is admitted, to the worker with the
 * least work queued, and workers run their queued jobs back to back: they never wait for the
 * main thread to hand out the next one, which matters because the main thread can be busy for
 * a whole forward pass (onnxruntime-node runs `session.run` synchronously on it). The
 * Grassmannian distance needs the previous step of the
 * same sequence; instead of making step s+1 wait for step s, each worker returns the top-2 left
 * vectors (2·m float64 per matrix, ~1/16 of the input it received) and the main thread finishes
 * the Grassmannian slot when it delivers the job in order: four dot products of length m per
 * matrix against an SVD of ~m³ work. `finish()` is queued in the same order, so a sequence's
 * state is dropped exactly after the jobs submitted before it.
 */
import type { Worker } from 'node:worker_threads';
import { Cancelled, StageError } from '../../errors';
import { startTypeScriptWorker } from '../../workers/typescript-worker';
import { validateJob, type BlockOutput } from './compute';
import { GuardTotals, LeftVectorStore, describeJob, streamKey } from './left-store';
import { SerialSvdMetricPool, messageOf } from './serial';
import type { SvdJob, SvdJobResult, SvdMetricPool, SvdMetricPoolOptions } from './types';
import type { WorkerJobMessage, WorkerReply } from './worker';

/**
 * Creates the pool: `threads` worker threads, or the serial reference path when `threads` is 0.
 * Throws RangeError for bad options and Cancelled when `signal` is already aborted.
 */
export function createSvdMetricPool(options: SvdMetricPoolOptions): SvdMetricPool {
  const { threads } = options;
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`svd-pool: threads must be a non-negative integer, got ${threads}`);
  const queueLimit = options.queueLimit ?? Math.max(1, 2 * threads);
  if (!Number.isInteger(queueLimit) || queueLimit < 1) throw new RangeError(`svd-pool: queueLimit must be a positive integer, got ${queueLimit}`);
  if (options.signal?.aborted) throw new Cancelled('svd-pool: aborted', { cause: options.signal.reason });
  if (threads === 0) return new SerialSvdMetricPool(options);
  return new WorkerSvdMetricPool({ ...options, queueLimit });
}

/** A submitted job and, once a worker answered, its output. */
interface JobRecord {
  id: number;
  job: SvdJob;
  stream: Stream;
  output: BlockOutput | null;
}

/** One (target, layer): its results in submission order, interleaved with finish() markers. */
interface Stream {
  store: LeftVectorStore;
  pending: Array<JobRecord | { finish: number[] }>;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Jobs sent to this worker and not yet answered, in the order sent (it answers in that order). */
  running: JobRecord[];
  /** Estimated cost of `running` ({@link jobCost}). */
  load: number;
}

/** The worker-thread implementation behind {@link createSvdMetricPool}. */
class WorkerSvdMetricPool implements SvdMetricPool {
  readonly threads: number;
  readonly #queueLimit: number;
  readonly #onResult: (result: SvdJobResult) => void;
  readonly #onFailure: ((error: Error) => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #slots: Slot[];
  readonly #streams = new Map<string, Stream>();
  readonly #guards = new GuardTotals();
  /** Jobs waiting for room, in call order (their records are already in their streams). */
  readonly #admission: Array<{ record: JobRecord } & Waiter> = [];
  readonly #closers: Waiter[] = [];
  /** Admitted and not yet delivered: what the queue limit bounds. */
  #outstanding = 0;
  #nextId = 0;
  #closed = false;
  #stopped = false;
  #failure: Error | null = null;
  readonly #onAbort = (): void => this.#fail(new Cancelled('svd-pool: aborted', { cause: this.#signal?.reason }));

  constructor(options: SvdMetricPoolOptions & { queueLimit: number }) {
    this.threads = options.threads;
    this.#queueLimit = options.queueLimit;
    this.#onResult = options.onResult;
    this.#onFailure = options.onFailure;
    this.#signal = options.signal;
    this.#slots = Array.from({ length: options.threads }, () => this.#startWorker());
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  submit(job: SvdJob): Promise<void> {
    try {
      this.#checkUsable();
      validateJob(job);
    } catch (error) {
      return Promise.reject(error);
    }
    const record: JobRecord = { id: this.#nextId++, job, stream: this.#stream(job), output: null };
    record.stream.pending.push(record);
    if (this.#admission.length === 0 && this.#outstanding < this.#queueLimit) {
      this.#admit(record);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => this.#admission.push({ record, resolve, reject }));
  }

  finish(sequenceIds: Iterable<number>): void {
    if (this.#failure !== null) return;
    const ids = [...sequenceIds];
    for (const stream of this.#streams.values()) {
      stream.pending.push({ finish: ids });
      this.#flush(stream);
    }
  }

  guardCounts(): Map<string, number> {
    return this.#guards.snapshot();
  }

  close(): Promise<void> {
    try {
      this.#checkUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    this.#closed = true;
    const done = new Promise<void>((resolve, reject) => this.#closers.push({ resolve, reject }));
    this.#settleClosers();
    return done;
  }

  #checkUsable(): void {
    if (this.#failure !== null) throw this.#failure;
    if (this.#closed) throw new StageError('svd-pool: used after close()');
  }

  #stream(job: SvdJob): Stream {
    const key = streamKey(job);
    let stream = this.#streams.get(key);
    if (stream === undefined) {
      stream = { store: new LeftVectorStore(), pending: [] };
      this.#streams.set(key, stream);
    }
    return stream;
  }

  /**
   * Sends an admitted job at once to the worker with the least work queued. Workers queue their
   * messages and run them back to back, so they never wait for the main thread to hand out the
   * next job: it may be busy for a long while (onnxruntime runs a forward pass synchronously
   * on it), and the admission limit already bounds what is queued.
   */
  #admit(record: JobRecord): void {
    this.#outstanding++;
    const slot = this.#slots.reduce((best, candidate) => (candidate.load < best.load ? candidate : best));
    slot.running.push(record);
    slot.load += jobCost(record.job);
    const { target, heads, rows, m, n, matrices } = record.job;
    const message: WorkerJobMessage = { type: 'job', id: record.id, block: { target, heads, rows, m, n, matrices } };
    // Transfer only a buffer the array covers whole: detaching a shared or larger buffer
    // would take data the caller still owns (structured clone copies or shares those).
    const whole = matrices.buffer instanceof ArrayBuffer && matrices.byteOffset === 0 && matrices.byteLength === matrices.buffer.byteLength;
    slot.worker.ref();
    slot.worker.postMessage(message, whole ? [matrices.buffer as ArrayBuffer] : []);
  }

  #startWorker(): Slot {
    const worker = startTypeScriptWorker(new URL('./worker.ts', import.meta.url), null);
    const slot: Slot = { worker, running: [], load: 0 };
    // An idle worker must not keep the process alive; a busy one must (a result is awaited).
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.#onReply(slot, reply));
    worker.on('error', (error) => this.#fail(new StageError(`svd-pool: worker failed ${runningText(slot)}: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.#fail(new StageError(`svd-pool: worker exited with code ${code} ${runningText(slot)}`)));
    return slot;
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    const record = slot.running[0];
    if (this.#failure !== null || record === undefined || record.id !== reply.id) return;
    slot.running.shift();
    slot.load -= jobCost(record.job);
    if (slot.running.length === 0) slot.worker.unref();
    if (reply.type === 'error') {
      this.#fail(new StageError(`svd-pool: job ${describeJob(record.job)} failed in a worker: ${reply.name}: ${reply.message}`));
      return;
    }
    record.output = { metrics: reply.metrics, left: reply.left, guards: reply.guards };
    this.#flush(record.stream);
  }

  /** Delivers the stream's finished head jobs and applies finish() markers, in submission order. */
  #flush(stream: Stream): void {
    while (this.#failure === null && stream.pending.length > 0) {
      const head = stream.pending[0];
      if ('finish' in head) {
        stream.store.drop(head.finish);
      } else if (head.output !== null) {
        this.#deliver(head, head.output);
      } else {
        return;
      }
      stream.pending.shift();
    }
    this.#settleClosers();
  }

  #deliver(record: JobRecord, output: BlockOutput): void {
    const { job } = record;
    try {
      record.stream.store.fillGrassmannian(job, output.metrics, output.left);
      this.#guards.add(job, output.guards);
      const { step, layer, target, heads, rows, sequences } = job;
      this.#onResult({ step, layer, target, heads, rows, sequences, metrics: output.metrics, guardCounts: output.guards });
    } catch (error) {
      this.#fail(error instanceof StageError ? error : new StageError(`svd-pool: delivering job ${describeJob(job)} failed: ${messageOf(error)}`, { cause: error }));
      return;
    }
    this.#outstanding--;
    while (this.#admission.length > 0 && this.#outstanding < this.#queueLimit) {
      const next = this.#admission.shift() as { record: JobRecord } & Waiter;
      this.#admit(next.record);
      next.resolve();
    }
  }

  #settleClosers(): void {
    if (!this.#closed || this.#failure !== null || this.#outstanding > 0 || this.#admission.length > 0) return;
    this.#stopWorkers();
    for (const closer of this.#closers.splice(0)) closer.resolve();
  }

  /** First failure wins: stop everything and reject whoever waits. */
  #fail(error: Error): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#stopWorkers();
    for (const waiter of [...this.#admission.splice(0), ...this.#closers.splice(0)]) waiter.reject(error);
    this.#onFailure?.(error);
  }

  #stopWorkers(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    for (const slot of this.#slots) {
      // Terminating fires 'exit'; it must not count as a failure.
      slot.worker.removeAllListeners('exit');
      slot.worker.removeAllListeners('error');
      slot.worker.on('error', () => undefined); // an 'error' without a listener would throw
      void slot.worker.terminate();
    }
  }
}

function runningText(slot: Slot): string {
  return slot.running.length === 0 ? 'while idle' : `while running job ${describeJob(slot.running[0].job)}`;
}

/** Relative cost of a job's SVDs: rows · heads · m · n · min(m, n) (Householder bidiagonalisation). */
function jobCost(job: SvdJob): number {
  return job.rows * job.heads * job.m * job.n * Math.min(job.m, job.n);
}
