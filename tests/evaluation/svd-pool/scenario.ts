/**
 * A deterministic evaluation-like stream of SVD jobs for the pool tests: two layers, both step
 * targets, two heads, sequences that start late, finish early and have their ids reused, and
 * a few non-finite entries for the guard.
 */
import type { SvdJob, SvdJobResult, SvdMetricPool } from '../../../src/evaluation/svd-pool';
import type { StepTarget } from '../../../src/evaluation/svd-pool/types';

/** One call on a pool. */
export type Operation = { kind: 'job'; job: SvdJob } | { kind: 'finish'; ids: number[] };

export const T = 8;
export const D = 12;
export const HEADS = 2;
export const LAYERS = 2;
export const STEPS = 6;

/** Steps [first, last] of each sequence life; id 1 lives twice (reused after finish). */
export const LIVES: ReadonlyArray<{ id: number; first: number; last: number }> = [
  { id: 0, first: 0, last: 5 },
  { id: 1, first: 0, last: 2 },
  { id: 3, first: 0, last: 3 },
  { id: 2, first: 1, last: 5 },
  { id: 1, first: 4, last: 5 },
];

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  };
}

/** Fresh operations (new buffers every call: the pool detaches the matrices it transfers). */
export function scenario(): Operation[] {
  const next = random(7);
  const ops: Operation[] = [];
  for (let step = 0; step < STEPS; step++) {
    const live = LIVES.filter((life) => life.first <= step && step <= life.last).map((life) => life.id);
    // Rows in a different order on odd steps: state must follow the id, not the row.
    if (step % 2 === 1) live.reverse();
    for (let layer = 0; layer < LAYERS; layer++) {
      for (const target of ['qkt', 'avwo'] as const) ops.push({ kind: 'job', job: makeJob(step, layer, target, live, next) });
    }
    const ending = LIVES.filter((life) => life.last === step && step < STEPS - 1).map((life) => life.id);
    if (ending.length > 0) ops.push({ kind: 'finish', ids: ending });
  }
  return ops;
}

function makeJob(step: number, layer: number, target: StepTarget, sequences: number[], next: () => number): SvdJob {
  const m = T;
  const n = target === 'qkt' ? T : D;
  const rows = sequences.length;
  const matrices = new Float32Array(rows * HEADS * m * n);
  for (let i = 0; i < matrices.length; i++) {
    const r = Math.floor(i / n) % m;
    const c = i % n;
    matrices[i] = target === 'qkt' && c > r ? 0 : next();
  }
  // Guard triggers: qkt.layer_1.head_1 at step 2 (NaN), avwo.layer_0.head_0 at step 3 (+∞ and −∞).
  if (target === 'qkt' && layer === 1 && step === 2) matrices[(0 * HEADS + 1) * m * n + 3] = Number.NaN;
  if (target === 'avwo' && layer === 0 && step === 3) {
    matrices[5] = Number.POSITIVE_INFINITY;
    matrices[(1 * HEADS + 0) * m * n + 7] = Number.NEGATIVE_INFINITY;
  }
  return { step, layer, target, heads: HEADS, rows, m, n, sequences: Int32Array.from(sequences), matrices };
}

/** Results grouped by `{target}.layer_{l}`, in delivery order. */
export type Delivered = Map<string, SvdJobResult[]>;

/** A collector for `onResult`. */
export function collector(): { delivered: Delivered; onResult: (result: SvdJobResult) => void } {
  const delivered: Delivered = new Map();
  return {
    delivered,
    onResult: (result) => {
      const key = `${result.target}.layer_${result.layer}`;
      delivered.set(key, [...(delivered.get(key) ?? []), result]);
    },
  };
}

/** Plays the operations on a pool, awaiting each submit, then closes it. */
export async function play(pool: SvdMetricPool, ops: Operation[]): Promise<void> {
  for (const op of ops) {
    if (op.kind === 'job') await pool.submit(op.job);
    else pool.finish(op.ids);
  }
  await pool.close();
}
