import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Manifest } from '../../src/artifacts/artifact-store';
import { columnData, readParquet, writeIntMatrix, type IntMatrix, type Table } from '../../src/artifacts/parquet';
import { modelSchema } from '../../src/config/schema';
import { Cancelled, StageError } from '../../src/errors';
import { generateSequences, type GeneratedBatch } from '../../src/evaluation/generation/generate';
import { labelSequence } from '../../src/evaluation/labels/behaviour';
import { jumperTable } from '../../src/evaluation/labels/jumper-table';
import { lengthPlan } from '../../src/evaluation/labels/sequence-length';
import { SerialSvdMetricPool, type SvdJobResult } from '../../src/evaluation/svd-pool';
import { METRIC_NAMES, metricKey, metricKeys } from '../../src/evaluation/svd/metrics';
import { createOnnxTrainer } from '../../src/model/onnx-trainer';
import { modelDims } from '../../src/model/model-dims';
import { weightsFromState, type ModelWeights } from '../../src/model/model-weights';
import { wvwoProducts } from '../../src/model/wvwo';
import { checkpointStore } from '../../src/pipeline/checkpoints';
import { evaluateStageDeclaration } from '../../src/pipeline/dag';
import type { StageContext } from '../../src/pipeline/stage';
import { Rng } from '../../src/random/rng';
import { createEvaluateStage, type EvaluateProfile, type EvaluateSlice, type EvaluateStageOptions } from '../../src/stages/evaluate';
import { metricMoments, wvwoMetrics } from '../../src/stages/evaluate-metrics';
import { TokenRowStream, type TokenRowSink } from '../../src/stages/evaluate-outputs';
import { writeGraphFiles } from '../../src/stages/graph-artifact';
import { MODEL_WEIGHTS_FILE, writeModelWeights } from '../../src/stages/model-weights-artifact';
import { easyGraph, HYPER, randomWalks } from '../training/fixtures';

/** w = 4: sequences of 16 tokens, up to 19 with a late jumper (max r = 2). */
const W = 4;
const MODEL = modelSchema.parse({ d_model: 8, n_layers: 2, n_heads: 2 });
const SEQUENCES = 24;
/** A second eval corpus, five times larger, for the memory bound. */
const MANY_SEQUENCES = 120;
const CPU = { device: 'cpu' as const, threads: 1 };
const { graph, jumpers } = easyGraph();
const TABLE = jumperTable(graph.n, jumpers);

const SLICE: EvaluateSlice = {
  model: MODEL,
  training: { w: W },
  evaluation: { protocol: 'sampled', temperature: 1 },
  analysis: { split_seed: 2026 },
  runtime: { device: 'cpu' },
  seed: 11,
};

let root: string;
let weights: ModelWeights;
const artifacts = () => join(root, 'artifacts');

/** A few AdamW steps on windows of the training walks: a real (if weak) trained model. */
async function trainTinyModel(walks: IntMatrix): Promise<Map<string, Float32Array>> {
  const shape = { vocab: graph.n, context: W, batch: 16, generationBatch: 1 };
  const trainer = await createOnnxTrainer(MODEL, shape, HYPER, 3, CPU);
  try {
    const rng = Rng.derive(4, 'evaluate-test', 'windows');
    for (let step = 0; step < 20; step++) {
      const inputs = new Int32Array(shape.batch * W);
      const targets = new Int32Array(shape.batch * W);
      for (let row = 0; row < shape.batch; row++) {
        const start = rng.int(walks.rows) * walks.width + rng.int(walks.width - W);
        inputs.set(walks.values.subarray(start, start + W), row * W);
        targets.set(walks.values.subarray(start + 1, start + W + 1), row * W);
      }
      await trainer.step(inputs, targets, 1e-2);
    }
    const weights = weightsFromState(modelDims(MODEL, { vocab: graph.n, context: W }), await trainer.exportState());
    return new Map([...weights].map(([name, data]) => [name, data.slice()]));
  } finally {
    await trainer.release();
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'evaluate-stage-'));
  for (const stage of ['graph', 'walks', 'walks-many', 'train']) await mkdir(join(artifacts(), stage), { recursive: true });
  await writeGraphFiles(graph, jumpers, (name) => join(artifacts(), 'graph', name));
  const train = randomWalks(graph, 100, 16, 1);
  await writeIntMatrix(join(artifacts(), 'walks', 'walks_train.parquet'), { idColumn: 'walk', listColumn: 'tokens' }, train);
  await writeIntMatrix(join(artifacts(), 'walks', 'walks_eval.parquet'), { idColumn: 'walk', listColumn: 'tokens' }, randomWalks(graph, SEQUENCES, 16, 2));
  await writeIntMatrix(join(artifacts(), 'walks-many', 'walks_eval.parquet'), { idColumn: 'walk', listColumn: 'tokens' }, randomWalks(graph, MANY_SEQUENCES, 16, 3));
  weights = await trainTinyModel(train);
  await writeModelWeights(join(artifacts(), 'train', MODEL_WEIGHTS_FILE), weights);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A stage context over the fixture artifacts with a fresh output directory; `walks` picks the eval corpus. */
async function makeContext(walks: 'walks' | 'walks-many' = 'walks'): Promise<StageContext<EvaluateSlice>> {
  const out = await mkdtemp(join(root, 'out-'));
  const graphSummary = { n: 12, K: 2, block_size: 6, attempt: 0 };
  const manifest = (summary: Record<string, unknown>) => ({ key: 'f'.repeat(64), summary }) as unknown as Manifest;
  return {
    slice: SLICE,
    experimentId: 'test',
    threads: 1,
    input: (name) => ({ manifest: manifest(name === 'graph' ? graphSummary : {}), file: (file) => join(artifacts(), name === 'walks' ? walks : name, file) }),
    output: (name) => join(out, name),
    progress: () => undefined,
    signal: new AbortController().signal,
    log: () => undefined,
    checkpoint: { load: async () => null, save: async () => undefined },
  };
}

interface Outputs {
  summary: Record<string, unknown>;
  tokens: Table;
  sequences: Table;
  encounters: Table;
}

async function runStage(svdThreads: number, batchRows: number, options: EvaluateStageOptions = {}): Promise<Outputs> {
  const context = await makeContext();
  const summary = await createEvaluateStage({ svdThreads, batchRows, ...options }).run(context);
  return {
    summary,
    tokens: await readParquet(context.output('token_metrics.parquet')),
    sequences: await readParquet(context.output('sequences.parquet')),
    encounters: await readParquet(context.output('encounters.parquet')),
  };
}

let serial: Outputs;

describe('the evaluate stage', () => {
  test('generates one sequence per eval walk and writes one token row per step', async () => {
    serial = await runStage(0, 8);
    const { sequences, tokens } = serial;
    expect(sequences.numRows).toBe(SEQUENCES);
    const lengths = columnData(sequences, 'length', 'int32');
    for (const length of lengths) expect(length >= 4 * W && length <= 4 * W + 2 + 1).toBe(true);
    expect(tokens.numRows).toBe(lengths.reduce((a, l) => a + l - 1, 0));
    // Prompts are the first tokens of the eval walks.
    const evalWalks = randomWalks(graph, SEQUENCES, 16, 2);
    expect([...columnData(sequences, 'prompt', 'int32')]).toEqual(Array.from({ length: SEQUENCES }, (_, i) => evalWalks.values[i * 16]));
    // 3 targets x 2 layers x 2 heads x 9 metrics, after the six token columns.
    expect(tokens.columns.length).toBe(6 + 108);
    expect(evaluateStageDeclaration.inputs).toEqual(['graph', 'walks', 'train']);
  });

  test('metrics are NaN before the first full window and computed from step w - 1 on', () => {
    const { tokens } = serial;
    const step = columnData(tokens, 'step', 'int32');
    const column = (key: string) => columnData(tokens, key, 'float64');
    for (let layer = 0; layer < 2; layer++) {
      for (let head = 0; head < 2; head++) {
        const qktRank = column(metricKey('qkt', layer, head, 'stable_rank'));
        const qktGrass = column(metricKey('qkt', layer, head, 'grassmannian_distance'));
        const wvwoRank = column(metricKey('wvwo', layer, head, 'stable_rank'));
        const avwoAlign = column(metricKey('avwo', layer, head, 'read_write_alignment'));
        const avwoGrass = column(metricKey('avwo', layer, head, 'grassmannian_distance'));
        for (let row = 0; row < tokens.numRows; row++) {
          const s = step[row];
          expect(Number.isNaN(qktRank[row])).toBe(s < W - 1);
          expect(Number.isNaN(wvwoRank[row])).toBe(s < W - 1);
          // The Grassmannian distance needs the previous step: NaN at the first full window.
          expect(Number.isNaN(qktGrass[row])).toBe(s < W);
          expect(Number.isNaN(avwoGrass[row])).toBe(s < W);
          expect(Number.isNaN(avwoAlign[row])).toBe(true);
        }
      }
    }
    // wvwo is static: one value per layer and head.
    const wvwo = column(metricKey('wvwo', 1, 1, 'spectral_entropy')).filter((v) => !Number.isNaN(v));
    expect(new Set(wvwo).size).toBe(1);
  });

  test('token labels agree with labelSequence, sequence by sequence', () => {
    const { tokens, sequences } = serial;
    const sequenceOf = columnData(tokens, 'sequence', 'int32');
    const token = columnData(tokens, 'token', 'int32');
    const next = columnData(tokens, 'next_token', 'int32');
    const edge = columnData(tokens, 'edge_valid', 'bool');
    const outcome = columnData(tokens, 'rule_outcome', 'int32');
    const failure = columnData(sequences, 'failure_index', 'int32');
    const lists = columnData(sequences, 'tokens', 'list<int32>');
    for (let i = 0; i < SEQUENCES; i++) {
      const generated = lists.values.subarray(lists.offsets[i], lists.offsets[i + 1]);
      const labels = labelSequence(generated, graph, TABLE);
      const rows = [...sequenceOf.keys()].filter((row) => sequenceOf[row] === i);
      expect(rows.map((row) => token[row])).toEqual([...generated.subarray(0, -1)]);
      expect(rows.map((row) => next[row])).toEqual([...generated.subarray(1)]);
      expect(rows.map((row) => edge[row])).toEqual([...labels.edgeValid]);
      expect(rows.map((row) => outcome[row])).toEqual([...labels.ruleOutcome]);
      expect(failure[i]).toBe(labels.failureIndex);
    }
  });

  test('the summary agrees with the files', () => {
    const { summary, tokens, sequences, encounters } = serial;
    const violations = columnData(sequences, 'n_violations', 'int32').reduce((a, b) => a + b, 0);
    const failures = columnData(sequences, 'failure_index', 'int32').filter((f) => f >= 0).length;
    const split = columnData(sequences, 'split', 'int32');
    expect(summary).toMatchObject({
      n_sequences: SEQUENCES,
      n_violations: violations,
      n_violation_sequences: failures,
      n_encounters: encounters.numRows,
      n_token_rows: tokens.numRows,
      protocol: 'sampled',
      split_assignment: {
        split_seed: 2026,
        n_exploratory: split.filter((s) => s === 0).length,
        n_confirmatory: split.filter((s) => s === 1).length,
      },
    });
    const lists = columnData(sequences, 'tokens', 'list<int32>');
    const distinct = new Set(Array.from({ length: SEQUENCES }, (_, i) => lists.values.subarray(lists.offsets[i], lists.offsets[i + 1]).join(',')));
    expect(summary.n_distinct_sequences).toBe(distinct.size);
    const moments = summary.metrics as Record<string, { count: number; mean: number | null }>;
    const key = metricKey('qkt', 0, 1, 'stable_rank');
    const values = [...columnData(tokens, key, 'float64')].filter((v) => !Number.isNaN(v));
    expect(moments[key].count).toBe(values.length);
    expect(moments[key].mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 10);
    expect(moments[metricKey('avwo', 0, 0, 'read_write_alignment')]).toEqual({ count: 0, mean: null, std: null });
    expect(Object.keys(summary.guard_counts as object)).toHaveLength(3 * 2 * 2);
    // The fixture is not trivial: a weakly trained model meets jumpers and breaks some rules.
    expect(encounters.numRows).toBeGreaterThan(0);
    expect(columnData(encounters, 'outcome', 'int32').every((o) => o === 1 || o === 2)).toBe(true);
  });

  test('SVD worker threads, another batch size and concurrent lanes give the same tables', async () => {
    const parallel = await runStage(2, 5, { lanes: 3 });
    for (const table of ['tokens', 'sequences', 'encounters'] as const) {
      expect(parallel[table].columns).toEqual(serial[table].columns);
    }
  });
  test('token_metrics read back equals an in-memory evaluation of the whole run, bit for bit', async () => {
    const expected = await inMemoryReference();
    const { tokens, summary } = serial;
    expect(tokens.numRows).toBe(expected.rows);
    for (const [name, values] of expected.columns) {
      const type = name === 'edge_valid' ? 'bool' : values instanceof Float64Array ? 'float64' : 'int32';
      const actual = columnData(tokens, name, type);
      const same = Array.from(values).every((value, row) => Object.is(Number(actual[row]), value));
      expect(same, name).toBe(true);
    }
    // The streamed moments are those of the whole columns, exactly (same values, same order).
    const moments = summary.metrics as Record<string, unknown>;
    for (const key of metricKeys(2, 2)) expect(moments[key], key).toEqual(metricMoments(expected.columns.get(key) as Float64Array));
  });

  test('an interrupted evaluation resumes from its checkpoint and writes the bytes of an uninterrupted run', async () => {
    const options: EvaluateStageOptions = { svdThreads: 2, batchRows: 4, lanes: 2, checkpointSeconds: 0 };
    const reference = await makeContext('walks-many');
    const referenceSummary = await createEvaluateStage(options).run(reference);

    const store = checkpointStore(await mkdtemp(join(root, 'store-')), 'evaluate', 'k'.repeat(64));
    const controller = new AbortController();
    const logs: string[] = [];
    const interrupted = { ...(await makeContext('walks-many')), checkpoint: store, signal: controller.signal, log: (line: string) => void logs.push(line) };
    interrupted.progress = (_fraction, details) => {
      // Stop once a few batches are written (a checkpoint follows every written batch here).
      if (Number(details?.sequences) >= 12) controller.abort();
    };
    const run = createEvaluateStage(options).run(interrupted);
    await expect(run).rejects.toThrow(Cancelled);
    const saved = logs.filter((line) => line.startsWith('checkpoint saved after'));
    expect(saved.length).toBeGreaterThan(0);
    const savedAfter = Number(/after (\d+) sequences/.exec(saved[saved.length - 1])![1]);
    await expect(run).rejects.toThrow(`evaluation interrupted; the next run resumes after ${savedAfter} of ${MANY_SEQUENCES} sequences`);
    expect(savedAfter).toBeGreaterThanOrEqual(12);
    expect(savedAfter).toBeLessThan(MANY_SEQUENCES);

    const resumedLogs: string[] = [];
    const resumed = { ...(await makeContext('walks-many')), checkpoint: store, log: (line: string) => void resumedLogs.push(line) };
    const summary = await createEvaluateStage(options).run(resumed);
    expect(resumedLogs).toContain(`resuming after ${savedAfter} of ${MANY_SEQUENCES} sequences (checkpoint)`);
    for (const file of ['token_metrics.parquet', 'sequences.parquet', 'encounters.parquet']) {
      expect((await readFile(resumed.output(file))).equals(await readFile(reference.output(file))), file).toBe(true);
    }
    expect({ ...summary, seconds: 0 }).toEqual({ ...referenceSummary, seconds: 0 });

    // A checkpoint of another run shape (here: batches of 4, not 5) is not continued from.
    const otherLogs: string[] = [];
    const other = { ...(await makeContext('walks-many')), checkpoint: store, log: (line: string) => void otherLogs.push(line) };
    await createEvaluateStage({ ...options, batchRows: 5 }).run(other);
    expect(otherLogs).toContain('the evaluate checkpoint belongs to another run (batchRows: 4 vs 5); starting over');
    expect(otherLogs.some((line) => line.startsWith('resuming'))).toBe(false);
  });

  test('holds a few batches of metric values, whatever the number of prompts', async () => {
    const batchRows = 4;
    const lanes = 2;
    const held = async (walks: 'walks' | 'walks-many') => {
      const profile: Partial<EvaluateProfile> = {};
      const context = await makeContext(walks);
      const summary = await createEvaluateStage({ svdThreads: 2, batchRows, lanes, profile }).run(context);
      return { held: profile.maxHeldSequences as number, sequences: summary.n_sequences as number };
    };
    const few = await held('walks');
    const many = await held('walks-many');
    expect(many.sequences).toBe(MANY_SEQUENCES);
    // The stage's bound: the lanes' batches plus two whose last SVD jobs or rows are in flight.
    const bound = (lanes + 2) * batchRows;
    expect(few.held).toBeLessThanOrEqual(bound);
    expect(many.held).toBeLessThanOrEqual(bound);
    expect(many.held).toBeLessThan(MANY_SEQUENCES / 5);
  });

  test('the stream writes complete batches in sequence order, each once its jobs are delivered', async () => {
    const { stream, written, batch, result } = streamFixture(3);
    await stream.open(batch(0));
    await stream.open(batch(1));
    stream.submitted(Int32Array.of(0, 1));
    stream.submitted(Int32Array.of(2, 3));
    stream.generated(batch(1));
    stream.record(result(2, 7));
    // Batch 1 is complete but batch 0 is not: nothing may be written yet.
    stream.generated(batch(0));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(written).toEqual([]);
    expect(stream.heldSequences).toBe(4);
    stream.record(result(0, 3));
    await stream.finish();
    expect(written.map((w) => w.first)).toEqual([0, 2]);
    expect(written.map((w) => w.qkt[W - 1])).toEqual([3, 7]);
    expect(stream.heldSequences).toBe(0);
    expect(stream.timings.maxHeldSequences).toBe(4);
  });

  test('the stream opens a batch only when it fits, and lets go on a halt or a failure', async () => {
    const { stream, written, batch, result } = streamFixture(1);
    await stream.open(batch(0));
    stream.submitted(Int32Array.of(0, 1));
    stream.generated(batch(0));
    let opened = false;
    const next = stream.open(batch(1)).then(() => (opened = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // One batch held, the most allowed, until batch 0's last results are in and it is written.
    expect(opened).toBe(false);
    stream.record(result(0, 1));
    await next;
    expect(written.map((w) => w.first)).toEqual([0]);
    expect(stream.heldSequences).toBe(2);

    const halt = new AbortController();
    const halted = stream.open(batch(2), halt.signal);
    halt.abort();
    await expect(halted).resolves.toBeUndefined();
    expect(stream.heldSequences).toBe(2);
    const failing = stream.open(batch(2));
    stream.fail(new StageError('the pool failed'));
    await expect(failing).rejects.toThrow('the pool failed');
    await expect(stream.finish()).rejects.toThrow('the pool failed');
  });
});

/** A stream of batches of two sequences (layers 1, heads 1) into a sink that records what is written. */
function streamFixture(maxHeldBatches: number) {
  const written: Array<{ first: number; qkt: number[] }> = [];
  let count = 0;
  const sink: TokenRowSink = {
    get sequences() {
      return count;
    },
    write: async (rows) => {
      const key = metricKeys(1, 1).indexOf(metricKey('qkt', 0, 0, 'stable_rank'));
      written.push({ first: rows.metrics.first, qkt: Array.from(rows.metrics.values[key].subarray(0, rows.metrics.steps)) });
      count += rows.metrics.count;
    },
    close: async () => undefined,
    abort: async () => undefined,
  };
  const maxLength = lengthPlan(W, TABLE).maxLength;
  const statics = { metrics: [[new Float64Array(9).fill(0.5)]], guards: new Map<string, number>() };
  const stream = new TokenRowStream({ writer: sink, graph, table: TABLE, layers: 1, heads: 1, w: W, maxLength, sequences: 4, statics, maxHeldBatches });
  const batch = (index: number) => generatedBatch(index, 2, maxLength);
  /** The qkt result of step w - 1 for the batch starting at `first`, every metric `value`. */
  const result = (first: number, value: number): SvdJobResult => ({
    step: W - 1,
    layer: 0,
    target: 'qkt',
    heads: 1,
    rows: 2,
    sequences: Int32Array.of(first, first + 1),
    metrics: new Float64Array(2 * 9).fill(value),
    guardCounts: new Int32Array(1),
  });
  return { stream, written, batch, result };
}

/** A generated batch of `count` sequences of 4w random vertices (labels do not need valid edges). */
function generatedBatch(index: number, count: number, maxLength: number): GeneratedBatch {
  const rng = Rng.derive(5, 'stream-test', index);
  const tokens = new Int32Array(count * maxLength).fill(-1);
  for (let i = 0; i < count; i++) for (let t = 0; t < 4 * W; t++) tokens[i * maxLength + t] = rng.int(graph.n);
  return { index, first: index * count, count, tokens, lengths: new Int32Array(count).fill(4 * W), maxLength };
}

/**
 * The token table the stage must write, computed the straightforward way: all sequences in one
 * batch, every SVD result kept in whole-run [sequence x step] arrays, wvwo filled at every
 * full-window step, labels per sequence, then one row per (sequence, step).
 */
async function inMemoryReference(): Promise<{ rows: number; columns: Map<string, Int32Array | Float64Array> }> {
  const dims = modelDims(MODEL, { vocab: graph.n, context: W });
  const evalWalks = randomWalks(graph, SEQUENCES, 16, 2);
  const prompts = Int32Array.from({ length: SEQUENCES }, (_, i) => evalWalks.values[i * 16]);
  const steps = lengthPlan(W, TABLE).maxLength - 1;
  const keys = metricKeys(dims.layers, dims.heads);
  const table = keys.map(() => new Float64Array(SEQUENCES * steps).fill(Number.NaN));
  const column = (target: string, layer: number, head: number, m: number) => keys.indexOf(`${target}.layer_${layer}.head_${head}.${METRIC_NAMES[m]}`);
  const pool = new SerialSvdMetricPool({
    onResult: (result) => {
      result.sequences.forEach((sequence, row) => {
        for (let head = 0; head < result.heads; head++) {
          for (let m = 0; m < 9; m++) table[column(result.target, result.layer, head, m)][sequence * steps + result.step] = result.metrics[(row * result.heads + head) * 9 + m];
        }
      });
    },
  });
  const generated = await generateSequences({
    weights,
    dims,
    prompts,
    protocol: SLICE.evaluation.protocol,
    temperature: SLICE.evaluation.temperature,
    seed: SLICE.seed,
    w: W,
    table: TABLE,
    batchRows: SEQUENCES,
    runtime: CPU,
    onWindow: async (pass) => {
      const rows = pass.rows.length;
      for (let layer = 0; layer < dims.layers; layer++) {
        await pool.submit({ step: pass.step, sequences: pass.rows.slice(), layer, target: 'qkt', heads: dims.heads, rows, m: W, n: W, matrices: pass.qkt[layer].slice() });
        await pool.submit({ step: pass.step, sequences: pass.rows.slice(), layer, target: 'avwo', heads: dims.heads, rows, m: W, n: dims.dModel, matrices: pass.avwo[layer].slice() });
      }
    },
  });
  const statics = wvwoMetrics(wvwoProducts(dims, weights), dims.dModel);
  const columns = new Map<string, Int32Array | Float64Array>();
  const rows = generated.lengths.reduce((total, length) => total + length - 1, 0);
  const ints = ['sequence', 'step', 'token', 'next_token', 'edge_valid', 'rule_outcome'].map((name) => {
    const data = new Int32Array(rows);
    columns.set(name, data);
    return data;
  });
  const metrics = keys.map((key) => {
    const data = new Float64Array(rows);
    columns.set(key, data);
    return data;
  });
  let row = 0;
  for (let i = 0; i < SEQUENCES; i++) {
    const length = generated.lengths[i];
    const tokens = generated.tokens.subarray(i * generated.maxLength, i * generated.maxLength + length);
    const labels = labelSequence(tokens, graph, TABLE);
    for (let s = 0; s < length - 1; s++, row++) {
      [i, s, tokens[s], tokens[s + 1], labels.edgeValid[s], labels.ruleOutcome[s]].forEach((value, c) => (ints[c][row] = value));
      keys.forEach((key, k) => {
        const [target, layer, head, metric] = key.split('.');
        const static_ = target === 'wvwo' && s >= W - 1 ? statics.metrics[Number(layer.slice(6))][Number(head.slice(5))][METRIC_NAMES.indexOf(metric as never)] : undefined;
        metrics[k][row] = static_ ?? table[k][i * steps + s];
      });
    }
  }
  return { rows, columns };
}
