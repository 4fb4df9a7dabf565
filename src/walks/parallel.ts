/**
 * Corpus generation split across worker threads. Because walk i depends only on its own random
 * stream, contiguous index ranges are generated independently and concatenated; the result is
 * byte-identical to {@link generateCorpus} over the whole range, for any thread count.
 */
import type { Worker } from 'node:worker_threads';
import { Cancelled, InputError, StageError } from '../errors';
import type { DcsbmGraph, Jumper } from '../graph/graph';
import type { Reachability } from '../graph/reachability';
import { corpusRange, mergeCorpora, type Corpus, type CorpusOptions } from './corpus';
import type { CorpusWorkerData, CorpusWorkerMessage } from './corpus-worker';
import { startTypeScriptWorker } from '../workers/typescript-worker';

/** Options of {@link generateCorpusParallel}. */
export interface ParallelCorpusOptions extends Omit<CorpusOptions, 'onProgress'> {
  /** Worker threads (at least 1; fewer are started when there are fewer walks). */
  threads: number;
  /** Called with the fraction of walks done (0..1), roughly every couple of thousand walks per worker. */
  onProgress?: (fraction: number) => void;
  /** Aborting terminates every worker and rejects with {@link Cancelled}. */
  signal?: AbortSignal;
}

/**
 * Generates `options.range` (default the whole corpus) in `threads` worker threads and merges
 * the parts. Work runs off the main thread even with one thread, so the event loop stays free.
 * The returned `walks` view a SharedArrayBuffer: pass it to other threads as is (it is shared,
 * not copied); it cannot be put in a transfer list.
 * Rejects with InputError when generation fails for a data reason, Cancelled when aborted,
 * StageError for any other worker failure.
 */
export async function generateCorpusParallel(
  graph: DcsbmGraph,
  jumpers: readonly Jumper[],
  tables: Reachability,
  options: ParallelCorpusOptions,
): Promise<Corpus> {
  const { threads, onProgress, signal, ...corpusOptions } = options;
  if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`generateCorpusParallel: threads must be a positive integer, got ${threads}`);
  const [first, end] = corpusRange(corpusOptions);
  const ranges = splitRange(first, end, threads);
  const L = corpusOptions.walkLength;
  // Workers write straight into one shared array: no transfer back and no concatenation copy.
  const walks = new Int32Array(new SharedArrayBuffer((end - first) * L * Int32Array.BYTES_PER_ELEMENT));
  const done = new Array<number>(ranges.length).fill(0);
  const total = Math.max(1, end - first);
  const workers: Worker[] = [];
  const stopAll = (): void => workers.forEach((w) => void w.terminate());
  try {
    signal?.throwIfAborted();
    const parts = await Promise.all(
      ranges.map((range, i) => {
        const output = walks.subarray((range[0] - first) * L, (range[1] - first) * L);
        const data: CorpusWorkerData = { graph, jumpers: [...jumpers], tables, options: { ...corpusOptions, range, output } };
        return runWorker(data, workers, signal, (walksDone) => {
          done[i] = walksDone;
          onProgress?.(done.reduce((a, b) => a + b, 0) / total);
        });
      }),
    );
    return mergeCorpora(parts, walks);
  } catch (error) {
    stopAll();
    if (signal?.aborted) throw new Cancelled(`walks: corpus generation aborted`, { cause: signal.reason });
    throw error;
  }
}

/** Splits [first, end) into at most `parts` contiguous non-empty ranges of near-equal size (one empty range if none). */
export function splitRange(first: number, end: number, parts: number): [number, number][] {
  const length = end - first;
  const count = Math.max(1, Math.min(parts, length));
  return Array.from({ length: count }, (_, i): [number, number] => [
    first + Math.floor((length * i) / count),
    first + Math.floor((length * (i + 1)) / count),
  ]);
}

function runWorker(
  data: CorpusWorkerData,
  workers: Worker[],
  signal: AbortSignal | undefined,
  onWalksDone: (walksDone: number) => void,
): Promise<Corpus> {
  return new Promise<Corpus>((resolve, reject) => {
    const worker = startTypeScriptWorker(new URL('./corpus-worker.ts', import.meta.url), data);
    workers.push(worker);
    let settled = false;
    const onAbort = (): void => settle(() => reject(new Cancelled('walks: corpus generation aborted', { cause: signal?.reason })));
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      action();
    };
    worker.on('message', (message: CorpusWorkerMessage) => {
      if (message.type === 'progress') onWalksDone(message.walksDone);
      else if (message.type === 'result') settle(() => resolve(message.corpus));
      else settle(() => reject(message.name === 'InputError' ? new InputError(message.message) : new StageError(`walks worker: ${message.name}: ${message.message}`)));
      if (message.type !== 'progress') void worker.terminate();
    });
    worker.on('error', (error) => settle(() => reject(new StageError(`walks worker failed: ${error.message}`, { cause: error }))));
    worker.on('exit', (code) => settle(() => reject(new StageError(`walks worker exited with code ${code} before sending its result`))));
  });
}
