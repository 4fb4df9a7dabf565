/**
 * The on-disk form of a training checkpoint inside a stage checkpoint directory: the small
 * metadata as JSON (`meta.json`, written by the checkpoint store), the loss curve as float64
 * (`losses.bin`) and the backend's tensors concatenated as float32 (`state.bin`), both in the
 * platform's (little-endian) byte order. Binary keeps a 50,000-step curve and megabytes of
 * parameters exact and compact.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors';
import type { LoopCheckpoint } from './loop';

const STATE_FILE = 'state.bin';
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
  const { format: _format, backendStep, tensors: _index, ...position } = meta;
  return { ...position, losses, backend: { step: backendStep, tensors } };
}
