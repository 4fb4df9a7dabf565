/**
 * Milliseconds per training step of the onnxruntime backend (forward, backward, clipping and
 * AdamW in one graph run, plus feeding parameters and moments back), on random tokens.
 *
 * Run alone to print the anchor-shape numbers:
 *   npx tsx bench/train-step.ts [threads]
 */
import { isMainModule } from '../src/cli/is-main';
import { createOnnxTrainer } from '../src/model/onnx-trainer';
import { Rng } from '../src/random/rng';
import type { TrainShape } from './train';

/** Shape of one benchmark point: the train suite's shape (bench/train.ts). */
export type TrainStepShape = TrainShape;

/** Result of one benchmark point. */
export interface TrainStepResult {
  /** Median wall time of the timed steps. */
  msPerStep: number;
  stepsMeasured: number;
}

const WARMUP_STEPS = 3;
const MIN_STEPS = 5;
const MAX_STEPS = 30;
/** Timed steps stop once this much time has been spent (after MIN_STEPS). */
const TIME_BUDGET_MS = 6_000;

/** Builds a trainer for `shape` and times its steps: warm-up, then the median of timed steps. */
export async function benchTrainStep(shape: TrainStepShape): Promise<TrainStepResult> {
  if (![1, 2, 4].includes(shape.heads)) throw new RangeError(`benchTrainStep: heads must be 1, 2 or 4, got ${shape.heads}`);
  const model = { d_model: shape.dModel, n_layers: shape.layers, n_heads: shape.heads as 1 | 2 | 4, dropout: 0 };
  const trainerShape = { vocab: shape.vocab, context: shape.context, batch: shape.batch, generationBatch: 1 };
  const hyper = { weightDecay: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 1 };
  const trainer = await createOnnxTrainer(model, trainerShape, hyper, 0, { device: 'cpu', threads: shape.threads });
  const rng = Rng.derive(0, 'bench-train-step');
  const tokens = () => Int32Array.from({ length: shape.batch * shape.context }, () => rng.int(shape.vocab));
  const batches = Array.from({ length: 4 }, () => ({ inputs: tokens(), targets: tokens() }));
  try {
    for (let s = 0; s < WARMUP_STEPS; s++) await trainer.step(batches[s % 4].inputs, batches[s % 4].targets, 1e-4);
    const times: number[] = [];
    const start = performance.now();
    while (times.length < MAX_STEPS && (times.length < MIN_STEPS || performance.now() - start < TIME_BUDGET_MS)) {
      const batch = batches[times.length % 4];
      const t0 = performance.now();
      await trainer.step(batch.inputs, batch.targets, 1e-4);
      times.push(performance.now() - t0);
    }
    return { msPerStep: median(times), stepsMeasured: times.length };
  } finally {
    await trainer.release();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The anchor-shape points printed when run alone. */
export const ANCHOR_POINTS: readonly Omit<TrainStepShape, 'threads'>[] = [
  { layers: 4, dModel: 128, heads: 1, context: 64, batch: 64, vocab: 500 },
  { layers: 4, dModel: 128, heads: 4, context: 64, batch: 64, vocab: 500 },
  { layers: 2, dModel: 64, heads: 1, context: 16, batch: 64, vocab: 100 },
];

async function main(): Promise<void> {
  const threads = Number(process.argv[2] ?? 2);
  for (const point of ANCHOR_POINTS) {
    const result = await benchTrainStep({ ...point, threads });
    const label = `L=${point.layers} d=${point.dModel} H=${point.heads} T=${point.context} B=${point.batch} V=${point.vocab} threads=${threads}`;
    console.log(`${label}: ${result.msPerStep.toFixed(1)} ms/step (median of ${result.stepsMeasured})`);
  }
}

if (isMainModule(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
