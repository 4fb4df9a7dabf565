/**
 * The on-disk form of a training checkpoint inside a stage checkpoint directory: the small
 * metadata as JSON (`meta.json`, written by the checkpoint store), the loss curve as float64
 * (`losses.bin`) and the backend's tensors concatenated as float32 (`state.bin`), both in the
 * platform's (little-endian) byte order. Binary keeps a 50,000-step curve and megabytes of
 * parameters exact and compact.
 *
 * The same three files, with the meta's keys sorted so the bytes depend on the content only,
 * are the train artifact's `final_state/`: the run's last checkpoint, from which a longer run
 * with the same schedule continues (budget extension, docs/training.md).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors';
import type { LoopCheckpoint } from './loop';

const STATE_FILE = 'state.bin';
const META_FILE = 'meta.json';
/** The folder of the train artifact that holds the run's final state. */
export const FINAL_STATE_DIR = 'final_state';
const LOSSES_FILE = 'losses.bin';
/** Bump when the layout changes; older checkpoints are then refused, not misread. */
const FORMAT = 1;

/** The JSON half of a checkpoint. */
export interface CheckpointMeta extends Omit<LoopCheckpoint, 'backend' | 'losses'> {
  format: number;
  /** The backend's optimizer step count. */
  backendStep: number;
  /** Tensor names and lengths in `state.bin` order. */
  tensors: { name: string; length: number }[];
  /**
   * The shorter run this run continued from (budget extension), kept so a run resumed after a
   * crash still reports it. Not part of the loop state; never written into `final_state/`.
   */
  origin?: ContinuationOrigin | null;
}

/** Which shorter run a run continued from. */
export interface ContinuationOrigin {
  /** The step of the shorter run's final state. */
  step: number;
  /** The shorter run's train artifact key. */
  key: string;
  /** Its `training.max_steps`. */
  maxSteps: number;
}

/** The metadata to store for `checkpoint` (pass it to `CheckpointStore.save`). */
export function checkpointMeta(checkpoint: LoopCheckpoint): CheckpointMeta {
  const { backend, losses: _losses, ...position } = checkpoint;
  const tensors = Object.entries(backend.tensors).map(([name, data]) => ({ name, length: data.length }));
  return { ...position, format: FORMAT, backendStep: backend.step, tensors };
}

/** Writes the binary half of `checkpoint` into `dir`. */
export async function writeCheckpointFiles(dir: string, checkpoint: LoopCheckpoint): Promise<void> {
  const tensors = Object.values(checkpoint.backend.tensors);
  const state = Buffer.concat(tensors.map((t) => Buffer.from(t.buffer, t.byteOffset, t.byteLength)));
  await writeFile(join(dir, STATE_FILE), state);
  const losses = Float64Array.from(checkpoint.losses);
  await writeFile(join(dir, LOSSES_FILE), Buffer.from(losses.buffer));
}

/** Reads back a checkpoint saved with `checkpointMeta` and `writeCheckpointFiles`; InputError when it does not fit. */
export async function readCheckpoint(meta: CheckpointMeta, dir: string): Promise<LoopCheckpoint> {
  if (meta.format !== FORMAT) throw new InputError(`training checkpoint in ${dir} has format ${meta.format}, expected ${FORMAT}`);
  const state = await readFile(join(dir, STATE_FILE));
  const expectedBytes = meta.tensors.reduce((sum, t) => sum + 4 * t.length, 0);
  const lossBytes = await readFile(join(dir, LOSSES_FILE));
  if (state.byteLength !== expectedBytes || lossBytes.byteLength !== 8 * meta.step) {
    throw new InputError(
      `training checkpoint in ${dir} is truncated: ${STATE_FILE} ${state.byteLength} bytes (expected ${expectedBytes}), ` +
        `${LOSSES_FILE} ${lossBytes.byteLength} bytes (expected ${8 * meta.step})`,
    );
  }
  const tensors: Record<string, Float32Array> = {};
  let offset = 0;
  for (const { name, length } of meta.tensors) {
    // Copy into fresh, aligned buffers: a Buffer's offset in its pool need not be a multiple of 4.
    tensors[name] = new Float32Array(state.buffer.slice(state.byteOffset + offset, state.byteOffset + offset + 4 * length));
    offset += 4 * length;
  }
  const losses = Array.from(new Float64Array(lossBytes.buffer.slice(lossBytes.byteOffset, lossBytes.byteOffset + lossBytes.byteLength)));
  const { format: _format, backendStep, tensors: _index, origin: _origin, ...position } = meta;
  return { ...position, losses, backend: { step: backendStep, tensors } };
}

/**
 * Writes `checkpoint` as a self-contained folder `dir` (meta.json with sorted keys, state.bin,
 * losses.bin): the same state gives the same bytes, whichever way the run reached it.
 */
export async function writeFinalState(dir: string, checkpoint: LoopCheckpoint): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeCheckpointFiles(dir, checkpoint);
  await writeFile(join(dir, META_FILE), `${JSON.stringify(sortedKeys(checkpointMeta(checkpoint)))}\n`);
}

/** Reads a folder written by {@link writeFinalState}; InputError when it is missing or does not fit. */
export async function readFinalState(dir: string): Promise<LoopCheckpoint> {
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as CheckpointMeta;
  } catch (error) {
    throw new InputError(`training: no readable final state in ${dir} (${error instanceof Error ? error.message : String(error)})`);
  }
  return readCheckpoint(meta, dir);
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, sortedKeys(record[key])]));
}
