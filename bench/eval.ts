/**
 * Throughput and memory of the evaluate stage (src/stages/evaluate.ts), end to end: generation
 * with attention extraction, the SVD metric pool, behaviour labels, the split and the three
 * Parquet tables, on random weights (no training needed: the work per step does not depend on
 * what the model learnt). Run alone:
 *
 *     npx tsx bench/eval.ts [small|anchor|memory]          or          npm run bench -- eval
 *
 * Shapes:
 *   small   configs/small.json's model and graph (d 64, 2 layers, w 16, n 100); holds the
 *           issue's target: >= 10x the original pipeline's 107 sequence-steps/s (0.3 s per
 *           generation step of 32 anchor sequences on a GPU).
 *   anchor  configs/anchor.json's (d 128, 4 layers, w 64, n 500): the study's shape.
 *   memory  a model with many small heads (w 8, d 32, 4 layers x 4 heads: 432 metric keys)
 *           and enough prompts that holding the whole metric table would need several times
 *           the measured peak RSS: the evidence that memory is bounded.
 *
 * Sequence-steps are token rows (one per generated token, short-context steps included), the
 * unit of the target. Each shape runs the stage several times (the machine is shared)
 * and reports the best run, with the breakdown of that run's wall time from the stage's profile
 * and the load average.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Manifest } from '../src/artifacts/artifact-store';
import { writeIntMatrix } from '../src/artifacts/parquet';
import { loadConfigFile, parseConfig } from '../src/config/load';
import type { ExperimentConfig } from '../src/config/schema';
import { generateSequences } from '../src/evaluation/generation/generate';
import { jumperTable } from '../src/evaluation/labels/jumper-table';
import { generateGraph } from '../src/graph/dcsbm';
import { designateJumpers, jumperReachSteps } from '../src/graph/jumpers';
import { buildReachability } from '../src/graph/reachability';
import { modelDims, type ModelDims } from '../src/model/model-dims';
import { initialParameters, parameterSpecs } from '../src/model/parameters';
import type { StageContext } from '../src/pipeline/stage';
import { Rng } from '../src/random/rng';
import { createEvaluateStage, type EvaluateProfile, type EvaluateSlice, type EvaluateStageOptions } from '../src/stages/evaluate';
import { writeGraphFiles } from '../src/stages/graph-artifact';
import { MODEL_WEIGHTS_FILE, writeModelWeights } from '../src/stages/model-weights-artifact';
import { formatTable, type BenchRow } from './bench-row';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** The original pipeline: 0.3 s per generation step of 32 anchor sequences (GPU), in sequence-steps/s. */
export const ORIGINAL_SEQUENCE_STEPS_PER_SECOND = 32 / 0.3;
/** The target for configs/small.json: at least 10x the original. */
export const EVAL_TARGET = `>= ${Math.round(10 * ORIGINAL_SEQUENCE_STEPS_PER_SECOND)}`;

/** The measured shapes. */
export type EvalShape = 'small' | 'anchor' | 'memory';

interface ShapePlan {
  config: ExperimentConfig;
  prompts: number;
  rounds: number;
  target?: string;
}

function plan(shape: EvalShape): ShapePlan {
  switch (shape) {
    case 'small':
      return { config: loadConfigFile(resolve(ROOT, 'configs/small.json')).config, prompts: 512, rounds: 3, target: EVAL_TARGET };
    case 'anchor':
      return { config: loadConfigFile(resolve(ROOT, 'configs/anchor.json')).config, prompts: 64, rounds: 2 };
    case 'memory': {
      const raw = {
        seed: 7,
        graph: { n: 100, K: 4, p_in: 0.4, p_out: 0.04, n_jumpers_per_block: 2 },
        model: { d_model: 32, n_layers: 4, n_heads: 4 },
        training: { w: 8, walk_length: 32, r: 7, corpus_size: 9 * 9216 },
      };
      return { config: parseConfig(raw).config, prompts: 9216, rounds: 1 };
    }
  }
}

/** Random weights: the reference initialisation scaled up 10x, so attention is far from uniform. */
function randomWeights(dims: ModelDims, seed: number): Map<string, Float32Array> {
  const weights = initialParameters(dims, seed);
  for (const spec of parameterSpecs(dims)) if (spec.std > 0) weights.get(spec.name)!.forEach((v, i, a) => (a[i] = 10 * v));
  return weights;
}

interface Fixture {
  dir: string;
  slice: EvaluateSlice;
  dims: ModelDims;
  prompts: Int32Array;
  weights: Map<string, Float32Array>;
  table: ReturnType<typeof jumperTable>;
  /** What the graph stage's manifest summary holds (readGraphArtifact needs it). */
  graphSummary: Record<string, number>;
}

/** Graph (the graph stage's code), eval prompts (uniform vertices) and random weights on disk. */
async function fixture(shape: ShapePlan): Promise<Fixture> {
  const { config } = shape;
  const w = config.training.w;
  const dir = await mkdtemp(join(tmpdir(), 'bench-eval-'));
  for (const stage of ['graph', 'walks', 'train']) await mkdir(join(dir, stage), { recursive: true });
  const { graph } = generateGraph(config.graph, config.seed);
  const reach = buildReachability(graph, jumperReachSteps(config.graph, w));
  const { jumpers } = designateJumpers(graph, config.graph, w, config.seed, reach);
  await writeGraphFiles(graph, jumpers, (name) => join(dir, 'graph', name));
  const rng = Rng.derive(config.seed, 'bench-eval', 'prompts');
  const prompts = Int32Array.from({ length: shape.prompts }, () => rng.int(graph.n));
  // Walks of two tokens: the stage only reads each walk's first token.
  const walks = Int32Array.from({ length: 2 * shape.prompts }, (_, i) => prompts[i >> 1]);
  await writeIntMatrix(join(dir, 'walks', 'walks_eval.parquet'), { idColumn: 'walk', listColumn: 'tokens' }, { values: walks, rows: shape.prompts, width: 2 });
  const dims = modelDims(config.model, { vocab: graph.n, context: w });
  const weights = randomWeights(dims, config.seed);
  await writeModelWeights(join(dir, 'train', MODEL_WEIGHTS_FILE), weights);
  const slice: EvaluateSlice = {
    model: config.model,
    training: { w },
    evaluation: { protocol: config.evaluation.protocol, temperature: config.evaluation.temperature },
    analysis: { split_seed: config.analysis.split_seed },
    runtime: { device: 'cpu' },
    seed: config.seed,
  };
  const graphSummary = { n: graph.n, K: graph.K, block_size: graph.blockSize, attempt: graph.attempt };
  return { dir, slice, dims, prompts, weights, table: jumperTable(graph.n, jumpers), graphSummary };
}

function context(fx: Fixture, out: string, threads: number): StageContext<EvaluateSlice> {
  const manifest = (summary: Record<string, unknown>) => ({ key: 'f'.repeat(64), summary }) as unknown as Manifest;
  return {
    slice: fx.slice,
    experimentId: 'bench',
    threads,
    input: (name) => ({ manifest: manifest(name === 'graph' ? fx.graphSummary : {}), file: (file) => join(fx.dir, name, file) }),
    output: (name) => join(out, name),
    progress: () => undefined,
    signal: new AbortController().signal,
    log: () => undefined,
    checkpoint: { load: async () => null, save: async () => undefined },
  };
}

interface StageRun {
  seconds: number;
  steps: number;
  /** CPU seconds of the process (workers and onnxruntime threads included) per wall second. */
  cores: number;
  profile: EvaluateProfile;
}

async function runStage(fx: Fixture, threads: number, options: EvaluateStageOptions = {}): Promise<StageRun> {
  const out = await mkdtemp(join(fx.dir, 'out-'));
  try {
    const profile: Partial<EvaluateProfile> = {};
    const cpu = process.cpuUsage();
    const started = performance.now();
    const summary = await createEvaluateStage({ ...options, profile }).run(context(fx, out, threads));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { seconds, steps: summary.n_token_rows as number, cores: (used.user + used.system) / 1e6 / seconds, profile: profile as EvaluateProfile };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Generation alone (no SVD, labels or files) with the stage's lanes, in sequence-steps per second. */
async function generationOnly(fx: Fixture, lanes: number): Promise<number> {
  const started = performance.now();
  const generated = await generateSequences({
    weights: fx.weights,
    dims: fx.dims,
    prompts: fx.prompts,
    protocol: fx.slice.evaluation.protocol,
    temperature: fx.slice.evaluation.temperature,
    seed: fx.slice.seed,
    w: fx.slice.training.w,
    table: fx.table,
    batchRows: 64,
    lanes,
    runtime: { device: 'cpu', threads: 1 },
  });
  const steps = generated.lengths.reduce((total, length) => total + length - 1, 0);
  return steps / ((performance.now() - started) / 1000);
}

/** Bytes of the in-memory metric table the stage held before streaming: sequences x (maxLength - 1) x keys x 8. */
function fullTableMiB(fx: Fixture, maxLength: number): number {
  const keys = 3 * fx.dims.layers * fx.dims.heads * 9;
  return (fx.prompts.length * (maxLength - 1) * keys * 8) / 2 ** 20;
}

/** The rows of one shape; run each shape in its own process for its own peak RSS. */
export async function benchEval(shape?: EvalShape): Promise<BenchRow[]> {
  if (shape === undefined) {
    const rows: BenchRow[] = [];
    for (const each of ['small', 'anchor', 'memory'] as const) rows.push(...(await benchEval(each)));
    return rows;
  }
  const shapePlan = plan(shape);
  const threads = availableParallelism();
  const fx = await fixture(shapePlan);
  try {
    const load = loadavg()[0];
    const label = `${shape} (d ${fx.dims.dModel}, ${fx.dims.layers} layers x ${fx.dims.heads} heads, w ${fx.dims.context}, ${fx.prompts.length} prompts)`;
    const rows: BenchRow[] = [{ name: `${shape}: system load average, 1 min (${threads} cores)`, value: load, unit: 'tasks' }];
    if (shapePlan.target !== undefined) {
      rows.push({ name: 'original pipeline: 0.3 s per generation step of 32 anchor sequences (GPU)', value: ORIGINAL_SEQUENCE_STEPS_PER_SECOND, unit: 'seq-step/s' });
    }
    let best: StageRun | null = null;
    for (let round = 0; round < shapePlan.rounds; round++) {
      const run = await runStage(fx, threads);
      if (best === null || run.seconds < best.seconds) best = run;
    }
    const run = best as StageRun;
    const p = run.profile;
    rows.push(
      { name: `${label}: evaluate stage wall time`, value: run.seconds, unit: 's' },
      { name: `${shape}: end to end`, value: run.steps / run.seconds, unit: 'seq-step/s', target: shapePlan.target },
      { name: `${shape}: end to end / original pipeline (107 seq-step/s)`, value: run.steps / run.seconds / ORIGINAL_SEQUENCE_STEPS_PER_SECOND, unit: 'x' },
      { name: `${shape}:   generation: forward passes + sampling, lanes: ${p.lanes}`, value: p.generationSeconds, unit: 'lane-s' },
      { name: `${shape}:   generation waiting for SVD queue room`, value: p.svdWaitSeconds, unit: 'lane-s' },
      { name: `${shape}:   generation waiting for earlier row writes`, value: p.writeWaitSeconds, unit: 'lane-s' },
      { name: `${shape}:   SVD drain after generation`, value: p.drainSeconds, unit: 's' },
      { name: `${shape}:   labels (overlaps generation)`, value: p.labelSeconds, unit: 's' },
      { name: `${shape}:   token_metrics columns + row groups (overlaps generation)`, value: p.writeSeconds, unit: 's' },
      { name: `${shape}:   token_metrics close + sequences + encounters`, value: p.closeSeconds, unit: 's' },
      { name: `${shape}:   CPU cores kept busy (main, lanes, workers, Parquet)`, value: run.cores, unit: 'cores' },
      { name: `${shape}: max sequences held at once (${fx.prompts.length} prompts)`, value: p.maxHeldSequences, unit: 'seqs' },
    );
    if (shape !== 'memory') {
      const generation = await generationOnly(fx, p.lanes);
      rows.push({ name: `${shape}: generation alone (no SVD, labels or files), lanes: ${p.lanes}`, value: generation, unit: 'seq-step/s' });
    }
    const peak = process.resourceUsage().maxRSS / 1024;
    const table = fullTableMiB(fx, p.maxLength);
    rows.push({ name: `${shape}: peak RSS`, value: peak, unit: 'MiB' });
    rows.push({ name: `${shape}: metric table of these prompts if held whole (before streaming)`, value: table, unit: 'MiB' });
    if (shape === 'memory') rows.push({ name: `${shape}: whole table / peak RSS`, value: table / peak, unit: 'x', target: '>= 2' });
    return rows;
  } finally {
    await rm(fx.dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const shape = process.argv[2] as EvalShape | undefined;
  console.log(`Evaluate stage throughput and memory, node ${process.version}`);
  console.log(formatTable(await benchEval(shape)));
}
