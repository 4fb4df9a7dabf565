/**
 * The evaluate artifact's tables:
 * - `token_metrics.parquet`: one row per sequence and step s = 0 .. length - 2 (the pass whose
 *   last context token is g[s] and which produced g[s + 1]): sequence, step, token, next_token,
 *   edge_valid, rule_outcome (RuleOutcome codes), then one float64 column per metric key
 *   `{target}.layer_{l}.head_{h}.{metric}`, NaN where not computed (steps < w - 1, first-step
 *   Grassmannian, unavailable slots).
 * - `sequences.parquet`: sequence, prompt, length, failure_index (-1 = none), n_violations
 *   (violated steps), split (0 exploratory, 1 confirmatory, the reference's encoding), tokens.
 * - `encounters.parquet`: the resolved jumper encounters: sequence, encounter_step,
 *   resolution_step, vertex, r, target_block, outcome (1 followed, 2 violated).
 */
import { openParquetWriter, writeParquet, type Column, type ColumnSpec } from '../artifacts/parquet';
import type { GeneratedSequences } from '../evaluation/generation/generate';
import { RuleOutcome, type BatchLabels, type LabelBuffers } from '../evaluation/labels/behaviour';
import type { SplitAssignment } from '../evaluation/split';
import type { MetricTable } from './evaluate-metrics';

export const TOKEN_METRICS_FILE = 'token_metrics.parquet';
export const SEQUENCES_FILE = 'sequences.parquet';
export const ENCOUNTERS_FILE = 'encounters.parquet';

/** Sequences per row group of token_metrics: bounds the columns built at once. */
const SEQUENCES_PER_GROUP = 256;

/** The per-sequence results the tables are written from. */
export interface EvaluationRows {
  generated: GeneratedSequences;
  labels: LabelBuffers;
  metrics: MetricTable;
  split: SplitAssignment;
}

const TOKEN_COLUMNS: readonly ColumnSpec[] = [
  { name: 'sequence', type: 'int32' },
  { name: 'step', type: 'int32' },
  { name: 'token', type: 'int32' },
  { name: 'next_token', type: 'int32' },
  { name: 'edge_valid', type: 'bool' },
  { name: 'rule_outcome', type: 'int32' },
];

/** Writes token_metrics.parquet, one row group per {@link SEQUENCES_PER_GROUP} sequences. */
export async function writeTokenMetrics(path: string, rows: EvaluationRows): Promise<void> {
  const schema: ColumnSpec[] = [...TOKEN_COLUMNS, ...rows.metrics.keys.map((name): ColumnSpec => ({ name, type: 'float64' }))];
  const writer = await openParquetWriter(path, schema);
  try {
    const n = rows.generated.lengths.length;
    for (let first = 0; first < n; first += SEQUENCES_PER_GROUP) {
      await writer.writeRowGroup(tokenGroup(rows, first, Math.min(n, first + SEQUENCES_PER_GROUP)));
    }
    await writer.close();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

/** The token_metrics columns of sequences `from .. to - 1`. */
function tokenGroup(rows: EvaluationRows, from: number, to: number): Column[] {
  const { generated, labels, metrics } = rows;
  const { lengths, tokens, maxLength } = generated;
  let count = 0;
  for (let i = from; i < to; i++) count += lengths[i] - 1;
  const sequence = new Int32Array(count);
  const step = new Int32Array(count);
  const token = new Int32Array(count);
  const next = new Int32Array(count);
  const edgeValid = new Uint8Array(count);
  const ruleOutcome = new Int32Array(count);
  const values = metrics.keys.map(() => new Float64Array(count));
  let row = 0;
  for (let i = from; i < to; i++) {
    for (let s = 0; s < lengths[i] - 1; s++, row++) {
      sequence[row] = i;
      step[row] = s;
      token[row] = tokens[i * maxLength + s];
      next[row] = tokens[i * maxLength + s + 1];
      edgeValid[row] = labels.edgeValid[i * labels.columns + s];
      ruleOutcome[row] = labels.ruleOutcome[i * labels.columns + s];
      for (let k = 0; k < values.length; k++) values[k][row] = metrics.values[k][i * metrics.steps + s];
    }
  }
  return [
    { name: 'sequence', type: 'int32', data: sequence },
    { name: 'step', type: 'int32', data: step },
    { name: 'token', type: 'int32', data: token },
    { name: 'next_token', type: 'int32', data: next },
    { name: 'edge_valid', type: 'bool', data: edgeValid },
    { name: 'rule_outcome', type: 'int32', data: ruleOutcome },
    ...metrics.keys.map((name, k): Column => ({ name, type: 'float64', data: values[k] })),
  ];
}

/** Writes sequences.parquet. */
export async function writeSequences(path: string, rows: EvaluationRows): Promise<void> {
  const { generated, labels, split } = rows;
  const n = generated.lengths.length;
  const prompt = new Int32Array(n);
  const violations = new Int32Array(n);
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    prompt[i] = generated.tokens[i * generated.maxLength];
    offsets[i + 1] = offsets[i] + generated.lengths[i];
    for (let s = 0; s < generated.lengths[i] - 1; s++) if (labels.ruleOutcome[i * labels.columns + s] === RuleOutcome.Violated) violations[i]++;
  }
  const flat = new Int32Array(offsets[n]);
  for (let i = 0; i < n; i++) flat.set(generated.tokens.subarray(i * generated.maxLength, i * generated.maxLength + generated.lengths[i]), offsets[i]);
  await writeParquet(path, [
    { name: 'sequence', type: 'int32', data: Int32Array.from({ length: n }, (_, i) => i) },
    { name: 'prompt', type: 'int32', data: prompt },
    { name: 'length', type: 'int32', data: generated.lengths },
    { name: 'failure_index', type: 'int32', data: labels.failureIndex },
    { name: 'n_violations', type: 'int32', data: violations },
    { name: 'split', type: 'int32', data: Int32Array.from(split.split) },
    { name: 'tokens', type: 'list<int32>', data: { offsets, values: flat } },
  ]);
}

/** Writes encounters.parquet (the resolved encounters, by sequence then encounter step). */
export async function writeEncounters(path: string, labels: BatchLabels): Promise<void> {
  const list = labels.encounters;
  const column = (name: string, pick: (e: (typeof list)[number]) => number): Column => ({ name, type: 'int32', data: Int32Array.from(list, pick) });
  await writeParquet(path, [
    column('sequence', (e) => e.sequence),
    column('encounter_step', (e) => e.encounterStep),
    column('resolution_step', (e) => e.resolutionStep),
    column('vertex', (e) => e.vertex),
    column('r', (e) => e.r),
    column('target_block', (e) => e.targetBlock),
    column('outcome', (e) => e.outcome),
  ]);
}
