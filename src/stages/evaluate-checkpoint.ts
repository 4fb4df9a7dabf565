/**
 * Checkpoints of the evaluate stage, so an interrupted or crashed evaluation continues where
 * it stopped instead of starting over (hours at the anchor shape). A checkpoint holds what the
 * stage has WRITTEN, which always ends at a batch boundary: the token_metrics parts of those
 * batches (hard links of the spill files), the generated tokens and lengths, the per-sequence
 * failure indices and violation counts, the encounters, the exact Welford state of the summary
 * moments and the guard counts of those batches. Generation then starts with the next batch;
 * every sequence draws from its own random stream and the SVD state of a sequence lives only
 * within its batch, so the outputs are those of an uninterrupted run, byte for byte.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { linkOrCopy } from '../artifacts/link-or-copy';
import { emptySequences, type GeneratedSequences } from '../evaluation/generation/generate';
import type { CheckpointStore } from '../pipeline/stage';
import type { MomentsState } from './evaluate-metrics';
import type { StreamState, TokenMetricsState } from './evaluate-outputs';

/** The run a checkpoint must belong to: the same prompts, lengths, batches and metric columns. */
export interface EvaluateRunShape {
  prompts: number;
  maxLength: number;
  batchRows: number;
  keys: number;
}

/** What the stage continues from. */
export interface EvaluateResume {
  stream: StreamState;
  tokenMetrics: TokenMetricsState;
  /** All N sequences' arrays; the first `stream.sequences` are filled. */
  generated: GeneratedSequences;
}

interface CheckpointMeta extends EvaluateRunShape {
  version: 1;
  sequences: number;
  bytesPerRow: number;
  /** File names of the token_metrics parts under `parts/`, in order. */
  parts: string[];
  moments: MomentsState;
  guards: [string, number][];
  encounters: StreamState['encounters'];
}

const VERSION = 1;
const ARRAYS = 'arrays.bin';
const PARTS = 'parts';

/** Saves what `stream` and `tokenMetrics` have written, with the tokens of those sequences. */
export async function saveEvaluateCheckpoint(store: CheckpointStore, shape: EvaluateRunShape, state: EvaluateResume): Promise<void> {
  const { stream, tokenMetrics, generated } = state;
  const n = stream.sequences;
  const meta: CheckpointMeta = {
    version: VERSION,
    ...shape,
    sequences: n,
    bytesPerRow: tokenMetrics.spill.bytesPerRow,
    parts: tokenMetrics.spill.parts.map((part) => basename(part)),
    moments: stream.moments,
    guards: stream.guards,
    encounters: stream.encounters,
  };
  // Copied now: the generator goes on filling these arrays while the files are written.
  const arrays = [generated.tokens.slice(0, n * generated.maxLength), generated.lengths.slice(0, n), stream.failureIndex, stream.violations];
  await store.save(meta, async (dir) => {
    await mkdir(join(dir, PARTS));
    for (const [i, part] of tokenMetrics.spill.parts.entries()) await linkOrCopy(part, join(dir, PARTS, meta.parts[i]));
    await writeFile(join(dir, ARRAYS), Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
  });
}

/**
 * The newest checkpoint of this run, or null when there is none or it belongs to another run
 * shape (`reject` says why; the stage then starts over).
 */
export async function loadEvaluateCheckpoint(store: CheckpointStore, shape: EvaluateRunShape, reject: (why: string) => void): Promise<EvaluateResume | null> {
  const saved = await store.load<CheckpointMeta>();
  if (saved === null) return null;
  const { meta, dir } = saved;
  const mismatch = (['prompts', 'maxLength', 'batchRows', 'keys'] as const).find((field) => meta[field] !== shape[field]);
  if (meta.version !== VERSION || mismatch !== undefined) {
    reject(`the evaluate checkpoint belongs to another run (${mismatch ?? 'version'}: ${mismatch === undefined ? meta.version : meta[mismatch]} vs ${mismatch === undefined ? VERSION : shape[mismatch]})`);
    return null;
  }
  const n = meta.sequences;
  const bytes = await readFile(join(dir, ARRAYS));
  const expected = n * shape.maxLength + 3 * n;
  if (bytes.byteLength !== 4 * expected) {
    reject(`the evaluate checkpoint's ${ARRAYS} holds ${bytes.byteLength} bytes, expected ${4 * expected}`);
    return null;
  }
  // Copied into an aligned buffer: a Buffer may start at any byte of its pool.
  const ints = new Int32Array(expected);
  new Uint8Array(ints.buffer).set(bytes);
  const generated = emptySequences(shape.prompts, shape.maxLength);
  generated.tokens.set(ints.subarray(0, n * shape.maxLength));
  let at = n * shape.maxLength;
  const take = () => ints.slice(at, (at += n));
  generated.lengths.set(take());
  const parts = meta.parts.map((name) => join(dir, PARTS, name));
  return {
    generated,
    stream: { sequences: n, failureIndex: take(), violations: take(), encounters: meta.encounters, moments: meta.moments, guards: meta.guards },
    tokenMetrics: { sequences: n, spill: { parts, bytesPerRow: meta.bytesPerRow } },
  };
}
