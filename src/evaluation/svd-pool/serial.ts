/**
 * The serial reference path of the SVD metric pool: every job is computed on the calling
 * thread inside `submit`, with the Grassmannian distance taken directly from the live SVD
 * (no saved-vector round trip). The worker pool must match it bit for bit.
 */
import { Cancelled, StageError } from '../../errors';
import { BlockWorkspace, computeBlock, leftLength, validateJob } from './compute';
import { GuardTotals, LeftVectorStore, describeJob, streamKey } from './left-store';
import type { SvdJob, SvdJobResult, SvdMetricPool, SvdMetricPoolOptions } from './types';

/** {@link SvdMetricPool} with `threads = 0`: synchronous computation, same contract. */
export class SerialSvdMetricPool implements SvdMetricPool {
  readonly threads = 0;
  readonly #onResult: (result: SvdJobResult) => void;
  readonly #onFailure: ((error: Error) => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #workspace = new BlockWorkspace();
  readonly #stores = new Map<string, LeftVectorStore>();
  readonly #guards = new GuardTotals();
  #failure: Error | null = null;
  #closed = false;

  constructor(options: Pick<SvdMetricPoolOptions, 'onResult' | 'signal' | 'onFailure'>) {
    this.#onResult = options.onResult;
    this.#onFailure = options.onFailure;
    this.#signal = options.signal;
  }

  async submit(job: SvdJob): Promise<void> {
    this.#checkUsable();
    validateJob(job);
    try {
      this.#onResult(this.#compute(job));
    } catch (error) {
      this.#failure = error instanceof StageError ? error : new StageError(`svd-pool: job ${describeJob(job)} failed: ${messageOf(error)}`, { cause: error });
      this.#onFailure?.(this.#failure);
      throw this.#failure;
    }
  }

  finish(sequenceIds: Iterable<number>): void {
    const ids = [...sequenceIds];
    for (const store of this.#stores.values()) store.drop(ids);
  }

  guardCounts(): Map<string, number> {
    return this.#guards.snapshot();
  }

  async close(): Promise<void> {
    this.#checkUsable();
    this.#closed = true;
  }

  #compute(job: SvdJob): SvdJobResult {
    const store = this.#store(job);
    // Look every previous vector up before computing, so a step gap fails before any output.
    const previous = Array.from(job.sequences, (sequence) => store.previous(sequence, job));
    const perHead = leftLength(job.m, job.n);
    const output = computeBlock(job, this.#workspace, (row, head) => previous[row]?.subarray(head * perHead, (head + 1) * perHead) ?? null);
    store.update(job, output.left);
    this.#guards.add(job, output.guards);
    const { step, layer, target, heads, rows, sequences } = job;
    return { step, layer, target, heads, rows, sequences, metrics: output.metrics, guardCounts: output.guards };
  }

  #store(job: SvdJob): LeftVectorStore {
    const key = streamKey(job);
    let store = this.#stores.get(key);
    if (store === undefined) {
      store = new LeftVectorStore();
      this.#stores.set(key, store);
    }
    return store;
  }

  #checkUsable(): void {
    if (this.#signal?.aborted) throw new Cancelled('svd-pool: aborted', { cause: this.#signal.reason });
    if (this.#failure !== null) throw this.#failure;
    if (this.#closed) throw new StageError('svd-pool: used after close()');
  }
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
