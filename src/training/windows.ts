/**
 * Training windows and batches (reference-pipeline.md section 7.1): every walk is cut into
 * floor(Lw / (w + 1)) non-overlapping windows of w + 1 tokens starting at 0, w + 1, ...;
 * input = the first w tokens, target = the last w. Each epoch visits the windows in a fresh
 * seeded permutation, in static-shape batches (docs/training.md, "Batches").
 */
import type { IntMatrix } from '../artifacts/parquet';
import { InputError } from '../errors';
import { Rng } from '../random/rng';

/** The windows of a walk corpus, addressed by index without copying the tokens. */
export interface WindowSet {
  /** The walk corpus, row-major nWalks x walkLength. */
  walks: IntMatrix;
  /** Context length: a window has w + 1 tokens. */
  w: number;
  /** Windows per walk: floor(walkLength / (w + 1)). */
  perWalk: number;
  /** Windows in the corpus: nWalks * perWalk (walk-major index: walk * perWalk + chunk). */
  count: number;
}

/** The windows of `walks` for context length `w`; throws InputError when there are none. */
export function windowSet(walks: IntMatrix, w: number): WindowSet {
  if (!(Number.isInteger(w) && w >= 1)) throw new RangeError(`windowSet: w must be a positive integer, got ${w}`);
  const perWalk = Math.floor(walks.width / (w + 1));
  const count = walks.rows * perWalk;
  if (count === 0) {
    throw new InputError(
      `training: no training windows: ${walks.rows} walks of length ${walks.width} hold no window of w + 1 = ${w + 1} tokens`,
    );
  }
  return { walks, w, perWalk, count };
}

/**
 * Optimizer steps per epoch: ceil(count / batch). The last, partial batch is kept and
 * completed by wrapping around to the start of the epoch's order (see `fillBatch`), so the
 * step count is the reference's (which keeps a smaller last batch) and the schedule matches it.
 */
export function stepsPerEpoch(count: number, batch: number): number {
  return Math.ceil(count / batch);
}

/** The window order of 0-based epoch `epoch`: a permutation of 0..count-1 from stream ('train', 'epoch', epoch). */
export function epochOrder(seed: number, epoch: number, count: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  Rng.derive(seed, 'train', 'epoch', epoch).shuffle(order);
  return order;
}

/**
 * Writes batch number `position` of an epoch into `inputs` and `targets` (each batch x w).
 * Row j holds window order[(position * batch + j) mod count]: the last batch of an epoch
 * wraps around to the epoch's first windows, because the backend's batch shape is static.
 */
export function fillBatch(windows: WindowSet, order: Int32Array, position: number, inputs: Int32Array, targets: Int32Array): void {
  const { walks, w, perWalk, count } = windows;
  const batch = inputs.length / w;
  if (!Number.isInteger(batch) || targets.length !== inputs.length) {
    throw new RangeError(`fillBatch: inputs (${inputs.length}) and targets (${targets.length}) must both be batch x w with w = ${w}`);
  }
  for (let j = 0; j < batch; j++) {
    const window = order[(position * batch + j) % count];
    const walk = Math.floor(window / perWalk);
    const start = walk * walks.width + (window % perWalk) * (w + 1);
    inputs.set(walks.values.subarray(start, start + w), j * w);
    targets.set(walks.values.subarray(start + 1, start + w + 1), j * w);
  }
}
