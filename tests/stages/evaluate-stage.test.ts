import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Manifest } from '../../src/artifacts/artifact-store';
import { columnData, readParquet, writeIntMatrix, type IntMatrix, type Table } from '../../src/artifacts/parquet';
import { modelSchema } from '../../src/config/schema';
import { labelSequence } from '../../src/evaluation/labels/behaviour';
import { jumperTable } from '../../src/evaluation/labels/jumper-table';
import { metricKey } from '../../src/evaluation/svd/metrics';
import { createOnnxTrainer } from '../../src/model/onnx-trainer';
import { modelDims } from '../../src/model/model-dims';
import { weightsFromState } from '../../src/model/model-weights';
import { evaluateStageDeclaration } from '../../src/pipeline/dag';
import type { StageContext } from '../../src/pipeline/stage';
import { Rng } from '../../src/random/rng';
import { createEvaluateStage, type EvaluateSlice } from '../../src/stages/evaluate';
import { writeGraphFiles } from '../../src/stages/graph-artifact';
import { MODEL_WEIGHTS_FILE, writeModelWeights } from '../../src/stages/model-weights-artifact';
import { easyGraph, HYPER, randomWalks } from '../training/fixtures';

/** w = 4: sequences of 16 tokens, up to 19 with a late jumper (max r = 2). */
const W = 4;
const MODEL = modelSchema.parse({ d_model: 8, n_layers: 2, n_heads: 2 });
const SEQUENCES = 24;
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
  for (const stage of ['graph', 'walks', 'train']) await mkdir(join(artifacts(), stage), { recursive: true });
  await writeGraphFiles(graph, jumpers, (name) => join(artifacts(), 'graph', name));
  const train = randomWalks(graph, 100, 16, 1);
  await writeIntMatrix(join(artifacts(), 'walks', 'walks_train.parquet'), { idColumn: 'walk', listColumn: 'tokens' }, train);
  await writeIntMatrix(join(artifacts(), 'walks', 'walks_eval.parquet'), { idColumn: 'walk', listColumn: 'tokens' }, randomWalks(graph, SEQUENCES, 16, 2));
  await writeModelWeights(join(artifacts(), 'train', MODEL_WEIGHTS_FILE), await trainTinyModel(train));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A stage context over the fixture artifacts with a fresh output directory. */
async function makeContext(): Promise<StageContext<EvaluateSlice>> {
  const out = await mkdtemp(join(root, 'out-'));
  const graphSummary = { n: 12, K: 2, block_size: 6, attempt: 0 };
  const manifest = (summary: Record<string, unknown>) => ({ key: 'f'.repeat(64), summary }) as unknown as Manifest;
  return {
    slice: SLICE,
    experimentId: 'test',
    threads: 1,
    input: (name) => ({ manifest: manifest(name === 'graph' ? graphSummary : {}), file: (file) => join(artifacts(), name, file) }),
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

async function runStage(svdThreads: number, batchRows: number): Promise<Outputs> {
  const context = await makeContext();
  const summary = await createEvaluateStage({ svdThreads, batchRows }).run(context);
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

  test('SVD worker threads and another batch size give the same tables', async () => {
    const parallel = await runStage(2, 5);
    for (const table of ['tokens', 'sequences', 'encounters'] as const) {
      expect(parallel[table].columns).toEqual(serial[table].columns);
    }
  });
});
