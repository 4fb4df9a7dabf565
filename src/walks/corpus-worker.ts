/**
 * Worker-thread entry of {@link generateCorpusParallel}: generates one index range of a corpus
 * into the parent's shared walk array and posts back the events (transferred, not copied) and stats.
 * @internal
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DcsbmGraph, Jumper } from '../graph/graph';
import type { Reachability } from '../graph/reachability';
import { generateCorpus, type Corpus, type CorpusOptions } from './corpus';

/** What the parent passes in `workerData`. */
export interface CorpusWorkerData {
  graph: DcsbmGraph;
  jumpers: Jumper[];
  tables: Reachability;
  /** `options.output` is a view of the parent's SharedArrayBuffer, written in place. */
  options: Omit<CorpusOptions, 'onProgress'> & { output: Int32Array };
}

/** Messages a corpus worker posts. */
export type CorpusWorkerMessage =
  | { type: 'progress'; walksDone: number }
  | { type: 'result'; corpus: Corpus }
  | { type: 'error'; name: string; message: string };

function run(port: NonNullable<typeof parentPort>, data: CorpusWorkerData): void {
  try {
    const corpus = generateCorpus(data.graph, data.jumpers, data.tables, {
      ...data.options,
      onProgress: (walksDone) => port.postMessage({ type: 'progress', walksDone } satisfies CorpusWorkerMessage),
    });
    const { events } = corpus;
    const transfer = [events.walk, events.vertex, events.step, events.targetBlock, events.arrivalStep].map((a) => a.buffer as ArrayBuffer);
    // The walks already sit in the parent's shared output; sending them back would only copy.
    const result: Corpus = { ...corpus, walks: new Int32Array(0) };
    port.postMessage({ type: 'result', corpus: result } satisfies CorpusWorkerMessage, transfer);
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: 'error', name, message } satisfies CorpusWorkerMessage);
  }
}

if (parentPort !== null) run(parentPort, workerData as CorpusWorkerData);
