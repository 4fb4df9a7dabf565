/**
 * A/B of two training-step graphs in ONE process: the step's speed drifts by tens of percent
 * over minutes on a shared machine, so comparing two `npm run bench -- train` runs cannot see
 * a 3% change. This runs a saved baseline graph and the current code's graph alternately on
 * the same inputs, and reports both medians and how far their outputs differ.
 *
 *   npx tsx bench/train-graph-ab.ts --save before.onnx    # the current code's anchor graph
 *   ... change src/model or src/onnx ...
 *   npx tsx bench/train-graph-ab.ts before.onnx [rounds]  # baseline vs the current code
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { isMainModule } from '../src/cli/is-main';
import { FLAT_STATE, paramInput, TRAINING_IO } from '../src/model/graph-names';
import { modelDims, type ModelDims } from '../src/model/model-dims';
import { initialParameters, parameterSpecs } from '../src/model/parameters';
import { buildTrainingGraph } from '../src/model/training-graph';
import { createSession } from '../src/onnx/session';
import { Rng } from '../src/random/rng';

/** The graphs' shape: model and batch. */
export interface AbShape {
  layers: number;
  dModel: number;
  heads: 1 | 2 | 4;
  context: number;
  batch: number;
  vocab: number;
}

/** Result of one comparison. */
export interface AbResult {
  baselineMedianMs: number;
  candidateMedianMs: number;
  /** candidate / baseline medians: below 1, the candidate is faster. */
  ratio: number;
  /** Output name -> largest absolute difference between the two graphs' outputs. */
  maxAbsDifference: Record<string, number>;
}

const ANCHOR: AbShape = { layers: 4, dModel: 128, heads: 1, context: 64, batch: 64, vocab: 500 };
const HYPER = { weightDecay: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 1 };

function dimsOf(shape: AbShape): ModelDims {
  const model = { d_model: shape.dModel, n_layers: shape.layers, n_heads: shape.heads, dropout: 0 };
  return modelDims(model, { vocab: shape.vocab, context: shape.context });
}

/** The current code's flat-state training graph for `shape`. */
export function currentTrainingGraph(shape: AbShape): Uint8Array {
  return buildTrainingGraph(dimsOf(shape), shape.batch, HYPER, { flatState: true }).toBytes();
}

/**
 * Feeds for either graph: seeded tokens, the reference initialisation, small random moments.
 * Parameters are given both flat and as per-tensor views, so graphs from before and after the
 * views replaced the Split both find their inputs.
 */
function sharedFeeds(shape: AbShape): Record<string, ort.Tensor> {
  const dims = dimsOf(shape);
  const rng = Rng.derive(0, 'train-graph-ab');
  const params = initialParameters(dims, 0);
  const specs = parameterSpecs(dims);
  const total = specs.reduce((sum, s) => sum + (params.get(s.name) as Float32Array).length, 0);
  const flat = new Float32Array(total);
  const feeds: Record<string, ort.Tensor> = {};
  let offset = 0;
  for (const spec of specs) {
    const values = params.get(spec.name) as Float32Array;
    flat.set(values, offset);
    feeds[paramInput(spec.name)] = new ort.Tensor('float32', flat.subarray(offset, offset + values.length), [...spec.shape]);
    offset += values.length;
  }
  const tokens = () => new ort.Tensor('int32', Int32Array.from({ length: shape.batch * shape.context }, () => rng.int(shape.vocab)), [shape.batch, shape.context]);
  const moments = (scale: number, signed: boolean) =>
    new ort.Tensor('float32', Float32Array.from({ length: total }, () => scale * (signed ? rng.float() - 0.5 : rng.float())), [total]);
  return {
    ...feeds,
    [TRAINING_IO.inputs]: tokens(),
    [TRAINING_IO.targets]: tokens(),
    [TRAINING_IO.learningRate]: new ort.Tensor('float32', Float32Array.of(3e-4), []),
    [TRAINING_IO.step]: new ort.Tensor('float32', Float32Array.of(3), []),
    [FLAT_STATE.param]: new ort.Tensor('float32', flat, [total]),
    [FLAT_STATE.firstMoment]: moments(1e-4, true),
    [FLAT_STATE.secondMoment]: moments(1e-6, false),
  };
}

/**
 * Runs `baseline` and `candidate` alternately and compares them. Each round runs one session
 * twice and times the second run (see the comment in the loop), then the other. The halves
 * swap everything that is not the graph: which session is created first and which graph
 * leads the alternating pattern. Here, with a fixed pattern, the same graph measured 0.97-0.98
 * of itself; timing every run, 0.92-0.97.
 */
export async function compareTrainingGraphs(baseline: Uint8Array, candidate: Uint8Array, shape: AbShape, rounds: number, threads = 2): Promise<AbResult> {
  const shared = sharedFeeds(shape);
  const times: [number[], number[]] = [[], []];
  let maxAbsDifference: Record<string, number> = {};
  for (const baselineFirst of [true, false]) {
    const order = baselineFirst ? [baseline, candidate] : [candidate, baseline];
    const created: ort.InferenceSession[] = [];
    for (const bytes of order) created.push((await createSession(bytes, { device: 'cpu', threads })).session);
    const [a, b] = baselineFirst ? created : [created[1], created[0]];
    try {
      const feedsFor = (s: ort.InferenceSession) => Object.fromEntries(s.inputNames.map((n) => [n, shared[n]]));
      const [feedsA, feedsB] = [feedsFor(a), feedsFor(b)];
      const [outA, outB] = [await a.run(feedsA), await b.run(feedsB)];
      // Timed runs write into these (as the trainer does): no output allocation in the timing.
      const [fetchesA, fetchesB] = [outA, outB].map((out) => Object.fromEntries(Object.entries(out).map(([name, t]) => [name, new ort.Tensor('float32', new Float32Array(t.size), t.dims)])));
      maxAbsDifference = Object.fromEntries(a.outputNames.map((name) => [name, maxAbsDiff(outA[name].data as Float32Array, outB[name].data as Float32Array)]));
      for (let round = 0; round < Math.ceil(rounds / 2); round++) {
        type Turn = [ort.InferenceSession, Record<string, ort.Tensor>, Record<string, ort.Tensor>, number[]];
        const turns: Turn[] = [[a, feedsA, fetchesA, times[0]], [b, feedsB, fetchesB, times[1]]];
        // Which graph leads the round pattern swaps with the halves too (see the doc comment).
        if ((round % 2 === 1) === baselineFirst) turns.reverse();
        for (const [session, feeds, fetches, into] of turns) {
          // The first run after the other session's is slowed by that session's pool threads,
          // still spinning for work: time the run after it.
          await session.run(feeds, fetches);
          const start = performance.now();
          await session.run(feeds, fetches);
          into.push(performance.now() - start);
        }
      }
    } finally {
      await Promise.all(created.map((s) => s.release()));
    }
  }
  const [baselineMedianMs, candidateMedianMs] = times.map(median);
  return { baselineMedianMs, candidateMedianMs, ratio: candidateMedianMs / baselineMedianMs, maxAbsDifference };
}

function maxAbsDiff(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  return worst;
}

function median(values: number[]): number {
  const sorted = [...values].sort((p, q) => p - q);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(args: string[]): Promise<void> {
  if (args[0] === '--save' && args[1]) {
    writeFileSync(args[1], currentTrainingGraph(ANCHOR));
    console.log(`saved the current anchor training graph to ${args[1]}`);
    return;
  }
  if (!args[0]) throw new Error('usage: train-graph-ab.ts --save <file> | <baseline.onnx> [rounds]');
  const rounds = Number(args[1] ?? 40);
  const result = await compareTrainingGraphs(readFileSync(args[0]), currentTrainingGraph(ANCHOR), ANCHOR, rounds);
  console.log(`baseline ${result.baselineMedianMs.toFixed(1)} ms, current ${result.candidateMedianMs.toFixed(1)} ms (medians of ${rounds}), current/baseline ${result.ratio.toFixed(3)}`);
  for (const [name, diff] of Object.entries(result.maxAbsDifference)) console.log(`  ${name}: max |difference| ${diff.toExponential(2)}`);
}

if (isMainModule(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
