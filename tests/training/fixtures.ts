/**
 * Fixtures of the training tests: an easy hand-made graph whose jumper rules every walk obeys
 * by construction, uniform random walks on it, and ready-made loop inputs.
 */
import type { IntMatrix } from '../../src/artifacts/parquet';
import { modelSchema } from '../../src/config/schema';
import type { DcsbmGraph, Jumper } from '../../src/graph/graph';
import { Rng } from '../../src/random/rng';
import { gatePrompts } from '../../src/training/gate';
import type { LoopData, LoopSettings } from '../../src/training/loop';
import type { TrainerShape } from '../../src/training/trainer-backend';
import { windowSet } from '../../src/training/windows';
import { makeGraph } from '../graph/fixtures';
import { createBigramTrainer } from './bigram-backend';

/**
 * n = 12, K = 2: within each block of 6 a ring with steps +1 and +2, plus 5 -> 6 and 11 -> 0
 * between the blocks (strongly connected). Jumper 2 (r = 1, target block 0) and jumper 8
 * (r = 2, target block 1) are obeyed by every walk: all their 1- resp. 2-step successors lie
 * in the target block.
 */
export function easyGraph(): { graph: DcsbmGraph; jumpers: Jumper[] } {
  const edges: [number, number][] = [];
  for (let b = 0; b < 2; b++) {
    for (let i = 0; i < 6; i++) {
      edges.push([6 * b + i, 6 * b + ((i + 1) % 6)], [6 * b + i, 6 * b + ((i + 2) % 6)]);
    }
  }
  edges.push([5, 6], [11, 0]);
  const graph = makeGraph(12, 2, edges);
  const jumpers: Jumper[] = [
    { vertex: 2, sourceBlock: 0, targetBlock: 0, r: 1 },
    { vertex: 8, sourceBlock: 1, targetBlock: 1, r: 2 },
  ];
  return { graph, jumpers };
}

/** `rows` uniform random walks of `length` tokens from uniform random starts. */
export function randomWalks(graph: DcsbmGraph, rows: number, length: number, seed: number): IntMatrix {
  const rng = Rng.derive(seed, 'test-walks');
  const values = new Int32Array(rows * length);
  for (let row = 0; row < rows; row++) {
    let vertex = rng.int(graph.n);
    for (let t = 0; t < length; t++) {
      values[row * length + t] = vertex;
      const degree = graph.rowPtr[vertex + 1] - graph.rowPtr[vertex];
      vertex = graph.colIdx[graph.rowPtr[vertex] + rng.int(degree)];
    }
  }
  return { values, rows, width: length };
}

/** w = 4, walks of 16 tokens: 3 windows per walk; 200 walks give 600 windows, 38 batches of 16 (the last wraps). */
export const W = 4;
export const WALK_LENGTH = 16;
export const SHAPE: TrainerShape = { vocab: 12, context: W, batch: 16, generationBatch: 5 };
export const HYPER = { weightDecay: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 1.0 };
export const MODEL = modelSchema.parse({ d_model: 8, n_layers: 1 });

/** Loop settings that learn the easy graph within 150 steps. */
export function settings(overrides: Partial<LoopSettings> = {}): LoopSettings {
  return { seed: 7, learningRate: 0.05, maxSteps: 150, maxEpochs: null, evalInterval: 50, checkpointInterval: 40, earlyStop: false, ...overrides };
}

/** Loop data over the easy graph: 200 training walks, gate prompts from 60 eval walks. */
export function loopData(): LoopData {
  const { graph, jumpers } = easyGraph();
  const train = randomWalks(graph, 200, WALK_LENGTH, 1);
  const evalWalks = randomWalks(graph, 60, WALK_LENGTH, 2);
  return { windows: windowSet(train, W), gate: { prompts: gatePrompts(evalWalks), length: WALK_LENGTH, graph, jumpers } };
}

/** A fresh bigram backend for the fixtures' shape. */
export function bigram(seed = 7, model = MODEL) {
  return createBigramTrainer(model, SHAPE, HYPER, seed, { device: 'cpu', threads: 1 });
}
