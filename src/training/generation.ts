/**
 * Autoregressive generation through a backend's `nextLogits`: prompts are extended one token
 * at a time, the context being the last <= w tokens, in batches of the backend's generation
 * batch. The token choice is a parameter so greedy (the gate, the reference protocol) and
 * sampled (evaluation) decoding share this loop.
 */
import type { IntMatrix } from '../artifacts/parquet';
import { Cancelled } from '../errors';
import type { TrainerBackend, TrainerShape } from './trainer-backend';

/**
 * Picks the next token of row `row` from its logits, `logits[offset .. offset + vocab)`.
 * Called in row order within a batch and step order across steps, so a sampler may keep one
 * random stream per call sequence.
 */
export type TokenPicker = (logits: Float32Array, offset: number, vocab: number, row: number) => number;

/** Greedy decoding: the arg-max token, the lowest index on ties (deterministic). */
export const greedyPicker: TokenPicker = (logits, offset, vocab) => {
  let best = 0;
  let bestValue = logits[offset];
  for (let v = 1; v < vocab; v++) {
    if (logits[offset + v] > bestValue) {
      bestValue = logits[offset + v];
      best = v;
    }
  }
  return best;
};

/** Options of {@link generate}. */
export interface GenerationOptions {
  /** Tokens per generated sequence, prompt included. */
  length: number;
  pick: TokenPicker;
  /** Checked between model calls; aborting rejects with Cancelled. */
  signal?: AbortSignal;
}

/**
 * Extends each single-token prompt to `options.length` tokens. Returns prompts.length x length
 * sequences whose first column is the prompts.
 */
export async function generate(
  backend: Pick<TrainerBackend, 'nextLogits'>,
  shape: Pick<TrainerShape, 'vocab' | 'context' | 'generationBatch'>,
  prompts: Int32Array,
  options: GenerationOptions,
): Promise<IntMatrix> {
  const { length } = options;
  const sequences: IntMatrix = { values: new Int32Array(prompts.length * length), rows: prompts.length, width: length };
  for (let first = 0; first < prompts.length; first += shape.generationBatch) {
    const count = Math.min(shape.generationBatch, prompts.length - first);
    await generateBatch(backend, shape, prompts, sequences, first, count, options);
  }
  return sequences;
}

async function generateBatch(
  backend: Pick<TrainerBackend, 'nextLogits'>,
  shape: Pick<TrainerShape, 'vocab' | 'context' | 'generationBatch'>,
  prompts: Int32Array,
  sequences: IntMatrix,
  first: number,
  count: number,
  options: GenerationOptions,
): Promise<void> {
  const { values, width } = sequences;
  const { context: w, vocab } = shape;
  const contexts = new Int32Array(shape.generationBatch * w);
  const lengths = new Int32Array(shape.generationBatch).fill(1);
  for (let i = 0; i < count; i++) values[(first + i) * width] = prompts[first + i];
  for (let t = 1; t < width; t++) {
    if (options.signal?.aborted) throw new Cancelled('generation aborted', { cause: options.signal.reason });
    const used = Math.min(t, w);
    for (let i = 0; i < count; i++) {
      const row = (first + i) * width;
      contexts.set(values.subarray(row + t - used, row + t), i * w);
      lengths[i] = used;
    }
    const logits = await backend.nextLogits(contexts, lengths, count);
    for (let i = 0; i < count; i++) values[(first + i) * width + t] = options.pick(logits, i * vocab, vocab, first + i);
  }
}
