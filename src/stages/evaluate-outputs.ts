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
 *
 * token_metrics is streamed ({@link TokenRowStream}): each batch of sequences is written as
 * one row group as soon as it is complete, so only a few batches of metric values are held;
 * the other two tables are small and written at the end.
 */
import { openParquetWriter, writeParquet, type Column, type ColumnSpec, type ParquetWriter, type SpillState } from '../artifacts/parquet';
import { StageError } from '../errors';
import type { BatchRange, GeneratedBatch, GeneratedSequences } from '../evaluation/generation/generate';
import { allocateLabelBuffers, labelBatch, RuleOutcome, type BatchLabels, type LabelBuffers } from '../evaluation/labels/behaviour';
import type { JumperTable } from '../evaluation/labels/jumper-table';
import type { SplitAssignment } from '../evaluation/split';
import type { SvdJobResult } from '../evaluation/svd-pool';
import { guardKey, metricKeys } from '../evaluation/svd/metrics';
import type { DcsbmGraph } from '../graph/graph';
import { MetricBlock, StreamingMoments, type MomentsState, type StaticMetrics } from './evaluate-metrics';

export const TOKEN_METRICS_FILE = 'token_metrics.parquet';
export const SEQUENCES_FILE = 'sequences.parquet';
export const ENCOUNTERS_FILE = 'encounters.parquet';

const TOKEN_COLUMNS: readonly ColumnSpec[] = [
  { name: 'sequence', type: 'int32' },
  { name: 'step', type: 'int32' },
  { name: 'token', type: 'int32' },
  { name: 'next_token', type: 'int32' },
  { name: 'edge_valid', type: 'bool' },
  { name: 'rule_outcome', type: 'int32' },
];

/** The token rows of one batch of consecutive sequences, labelled and with their metrics. */
export interface TokenRows {
  /** The batch's generated tokens and lengths (row i is sequence `metrics.first + i`). */
  batch: Pick<GeneratedBatch, 'tokens' | 'lengths' | 'maxLength'>;
  /** Labels of the batch's rows (buffer row i is sequence `metrics.first + i`). */
  labels: LabelBuffers;
  metrics: MetricBlock;
}

/**
 * token_metrics.parquet written as the stage goes: one row group per batch of sequences, and
 * the batches must come in sequence order (readers map (sequence, step) to rows by the
 * sequences' lengths in order).
 */
export class TokenMetricsWriter {
  #next: number;

  private constructor(
    private readonly writer: ParquetWriter,
    private readonly keys: readonly string[],
    sequences: number,
  ) {
    this.#next = sequences;
  }

  /** Opens the file's writer for these metric columns; with `resume`, after the rows it holds. */
  static async open(path: string, keys: readonly string[], resume?: TokenMetricsState): Promise<TokenMetricsWriter> {
    const schema: ColumnSpec[] = [...TOKEN_COLUMNS, ...keys.map((name): ColumnSpec => ({ name, type: 'float64' }))];
    return new TokenMetricsWriter(await openParquetWriter(path, schema, {}, resume?.spill), keys, resume?.sequences ?? 0);
  }

  /** Sequences written so far: the next batch must start there. */
  get sequences(): number {
    return this.#next;
  }

  /** The rows written so far, for a writer that continues from them ({@link open}). */
  state(): TokenMetricsState {
    return { sequences: this.#next, spill: this.writer.spillState() };
  }

  /** Appends the rows of the next batch. Throws StageError when it is not the next in sequence order. */
  async write(rows: TokenRows): Promise<void> {
    if (rows.metrics.first !== this.#next) {
      throw new StageError(`token_metrics: the batch of sequences from ${rows.metrics.first} comes after ${this.#next} written sequences (rows must be in sequence order)`);
    }
    await this.writer.writeRowGroup(tokenColumns(rows, this.keys));
    this.#next += rows.metrics.count;
  }

  /** Writes the file. */
  async close(): Promise<void> {
    await this.writer.close();
  }

  /** Drops what was written. */
  async abort(): Promise<void> {
    await this.writer.abort();
  }
}

/** The rows of sequences 0 .. sequences - 1, written as the parts of `spill`. */
export interface TokenMetricsState {
  sequences: number;
  spill: SpillState;
}

/** The token_metrics columns of one batch: steps 0 .. length - 2 of every sequence, in order. */
function tokenColumns(rows: TokenRows, keys: readonly string[]): Column[] {
  const { batch, labels, metrics } = rows;
  const { lengths, tokens, maxLength } = batch;
  let count = 0;
  for (let i = 0; i < metrics.count; i++) count += lengths[i] - 1;
  const sequence = new Int32Array(count);
  const step = new Int32Array(count);
  const token = new Int32Array(count);
  const next = new Int32Array(count);
  const edgeValid = new Uint8Array(count);
  const ruleOutcome = new Int32Array(count);
  let row = 0;
  for (let i = 0; i < metrics.count; i++) {
    const steps = lengths[i] - 1;
    sequence.fill(metrics.first + i, row, row + steps);
    for (let s = 0; s < steps; s++) step[row + s] = s;
    token.set(tokens.subarray(i * maxLength, i * maxLength + steps), row);
    next.set(tokens.subarray(i * maxLength + 1, i * maxLength + 1 + steps), row);
    edgeValid.set(labels.edgeValid.subarray(i * labels.columns, i * labels.columns + steps), row);
    ruleOutcome.set(labels.ruleOutcome.subarray(i * labels.columns, i * labels.columns + steps), row);
    row += steps;
  }
  const values = metrics.values.map((column) => {
    const data = new Float64Array(count);
    let at = 0;
    for (let i = 0; i < metrics.count; i++) {
      const steps = lengths[i] - 1;
      data.set(column.subarray(i * metrics.steps, i * metrics.steps + steps), at);
      at += steps;
    }
    return data;
  });
  return [
    { name: 'sequence', type: 'int32', data: sequence },
    { name: 'step', type: 'int32', data: step },
    { name: 'token', type: 'int32', data: token },
    { name: 'next_token', type: 'int32', data: next },
    { name: 'edge_valid', type: 'bool', data: edgeValid },
    { name: 'rule_outcome', type: 'int32', data: ruleOutcome },
    ...keys.map((name, k): Column => ({ name, type: 'float64', data: values[k] })),
  ];
}

/** What sequences.parquet is written from: every sequence's tokens, failure index, violations and half. */
export interface SequenceRows {
  generated: GeneratedSequences;
  /** Per sequence: the first violated step, else -1. */
  failureIndex: Int32Array;
  /** Per sequence: the number of violated steps. */
  violations: Int32Array;
  split: SplitAssignment;
}

/** Writes sequences.parquet. */
export async function writeSequences(path: string, rows: SequenceRows): Promise<void> {
  const { generated, failureIndex, violations, split } = rows;
  const n = generated.lengths.length;
  const prompt = new Int32Array(n);
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    prompt[i] = generated.tokens[i * generated.maxLength];
    offsets[i + 1] = offsets[i] + generated.lengths[i];
  }
  const flat = new Int32Array(offsets[n]);
  for (let i = 0; i < n; i++) flat.set(generated.tokens.subarray(i * generated.maxLength, i * generated.maxLength + generated.lengths[i]), offsets[i]);
  await writeParquet(path, [
    { name: 'sequence', type: 'int32', data: Int32Array.from({ length: n }, (_, i) => i) },
    { name: 'prompt', type: 'int32', data: prompt },
    { name: 'length', type: 'int32', data: generated.lengths },
    { name: 'failure_index', type: 'int32', data: failureIndex },
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

// ---------------------------------------------------------------------------------------------
// Streaming: batches of sequences are labelled and written as soon as they are complete.

/** Where a {@link TokenRowStream} appends its batches: a {@link TokenMetricsWriter} (or a test double). */
export type TokenRowSink = Pick<TokenMetricsWriter, 'sequences' | 'write' | 'close' | 'abort'>;

/** What {@link TokenRowStream} works with. */
export interface TokenRowStreamOptions {
  writer: TokenRowSink;
  graph: DcsbmGraph;
  table: JumperTable;
  layers: number;
  heads: number;
  w: number;
  /** The length plan's maxLength: metric blocks have maxLength - 1 step columns. */
  maxLength: number;
  /** Number of sequences of the whole run. */
  sequences: number;
  statics: StaticMetrics;
  /**
   * Most batches held (opened and not yet written): {@link TokenRowStream.open} waits until a
   * new batch fits. At least the number of batches generated at once, plus room for those
   * whose last SVD jobs or row writes are in flight.
   */
  maxHeldBatches: number;
  /** Called after each written batch with the number of sequences written so far. */
  onWritten?: (sequences: number) => void;
  /** Continue after the sequences of this state (the writer holds their rows already). */
  resume?: StreamState;
}

/**
 * What the stream has written, for a stream that continues after it: the per-sequence results
 * of sequences 0 .. sequences - 1, the summary moments and the guard counts of their batches.
 */
export interface StreamState {
  sequences: number;
  failureIndex: Int32Array;
  violations: Int32Array;
  encounters: BatchLabels;
  moments: MomentsState;
  /** Guard counter totals, `{target}.layer_{l}.head_{h}` -> count, in first-seen order. */
  guards: [string, number][];
}

/** Per-sequence results every table after token_metrics needs, kept for the whole run (small). */
export interface StreamTotals {
  /** Per sequence: the first violated step, else -1 (the split needs them all). */
  failureIndex: Int32Array;
  /** Per sequence: the number of violated steps. */
  violations: Int32Array;
  /** The resolved and unresolved encounters, by sequence then step. */
  encounters: BatchLabels;
  /** Count, mean and std per metric key (`metricKeys` order), over every written row. */
  moments: StreamingMoments;
}

/** Time spent by the stream, for the stage's profile. */
export interface StreamTimings {
  labelSeconds: number;
  /** Building the columns and writing the row groups (runs while generation goes on). */
  writeSeconds: number;
  /** Most sequences whose rows were not yet written, at any moment. */
  maxHeldSequences: number;
}

/** One batch between its first forward pass and the write of its rows. */
interface HeldBatch {
  metrics: MetricBlock;
  /** Guard counts of its delivered SVD results (added to the totals when it is written). */
  guards: Map<string, number>;
  /** SVD jobs submitted and not yet delivered. */
  pending: number;
  /** Set when the batch's generation ended. */
  generated: GeneratedBatch | null;
}

/**
 * Holds the metric values of the batches whose token rows are not yet written and writes each
 * batch (labels, static wvwo metrics, moments, row group) as soon as it is complete: generated,
 * and every SVD job submitted for it delivered. Batches are written in sequence order, so a
 * complete batch waits for the ones before it. At most `maxHeldBatches` batches are held,
 * whatever the run's size: {@link open} waits until a new batch fits.
 *
 * Protocol: {@link open} a batch before its first job (awaiting it is the backpressure),
 * {@link submitted} per job, {@link record} per delivered result, {@link generated} when its
 * generation ended, then {@link finish} once the pool is closed; {@link fail} releases the
 * waits when results will never come (the pool failed).
 */
export class TokenRowStream {
  readonly totals: StreamTotals;
  readonly timings: StreamTimings = { labelSeconds: 0, writeSeconds: 0, maxHeldSequences: 0 };
  readonly #options: TokenRowStreamOptions;
  /** Opened and not yet scheduled for writing, in sequence order. */
  readonly #held: HeldBatch[] = [];
  /** Opened and not yet written (scheduled writes included). */
  #heldBatches = 0;
  #heldSequences = 0;
  /** Lanes waiting in `open` for room, in call order. */
  #waiters: Array<() => void> = [];
  /** The first failure: of a write, or given to `fail`. */
  #failure: Error | null = null;
  /** Sequences opened so far: the next batch must start there. */
  #opened = 0;
  /** The chain of scheduled writes; a failing write fails the stream (`open` and `finish` rethrow it). */
  #writing: Promise<void> = Promise.resolve();
  /** Guard counts of the written batches. */
  readonly #guards = new Map<string, number>();

  constructor(options: TokenRowStreamOptions) {
    this.#options = options;
    const keys = metricKeys(options.layers, options.heads).length;
    this.totals = {
      failureIndex: new Int32Array(options.sequences),
      violations: new Int32Array(options.sequences),
      encounters: { encounters: [], unresolved: [] },
      moments: new StreamingMoments(keys),
    };
    if (options.resume !== undefined) this.#resume(options.resume);
  }

  /** Guard counter totals of the written batches (all of them once `finish` returned). */
  get guardCounts(): Map<string, number> {
    return new Map(this.#guards);
  }

  /** What is written so far; consistent when taken from `onWritten`. */
  state(): StreamState {
    const written = this.#options.writer.sequences;
    const { failureIndex, violations, encounters, moments } = this.totals;
    return {
      sequences: written,
      failureIndex: failureIndex.slice(0, written),
      violations: violations.slice(0, written),
      encounters: { encounters: [...encounters.encounters], unresolved: [...encounters.unresolved] },
      moments: moments.state(),
      guards: [...this.#guards],
    };
  }

  #resume(state: StreamState): void {
    if (state.sequences !== this.#options.writer.sequences) {
      throw new StageError(`evaluate: the stream resumes after ${state.sequences} sequences, its writer after ${this.#options.writer.sequences}`);
    }
    this.totals.failureIndex.set(state.failureIndex);
    this.totals.violations.set(state.violations);
    this.totals.encounters.encounters.push(...state.encounters.encounters);
    this.totals.encounters.unresolved.push(...state.encounters.unresolved);
    this.totals.moments.restore(state.moments);
    for (const [key, count] of state.guards) this.#guards.set(key, count);
    this.#opened = state.sequences;
  }

  /** Sequences opened and not yet written (for tests and the profile). */
  get heldSequences(): number {
    return this.#heldSequences;
  }

  /**
   * Starts holding the metric values of a batch, once it fits under `maxHeldBatches` (waiting
   * for earlier batches to be written); stops waiting when `halted` aborts. Batches must open
   * in sequence order (waiters are served in call order). Rejects with the stream's failure,
   * and with StageError for a batch out of order.
   */
  async open(range: BatchRange, halted?: AbortSignal): Promise<void> {
    const stop = (): void => this.#wake();
    halted?.addEventListener('abort', stop, { once: true });
    try {
      while (this.#failure === null && !halted?.aborted && this.#heldBatches >= this.#options.maxHeldBatches) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
    } finally {
      halted?.removeEventListener('abort', stop);
    }
    if (this.#failure !== null) throw this.#failure;
    if (halted?.aborted) return;
    // No await from the check above to here: the batch takes the room it found.
    const { layers, heads, maxLength } = this.#options;
    if (range.first !== this.#opened) throw new StageError(`evaluate: batch ${range.index} opens at sequence ${range.first}, expected ${this.#opened}`);
    this.#opened += range.count;
    this.#held.push({ metrics: new MetricBlock(layers, heads, range.first, range.count, maxLength - 1), guards: new Map(), pending: 0, generated: null });
    this.#heldBatches++;
    this.#heldSequences += range.count;
    this.timings.maxHeldSequences = Math.max(this.timings.maxHeldSequences, this.#heldSequences);
  }

  /** Counts a job about to be submitted for these sequences (all of one batch). */
  submitted(sequences: Int32Array): void {
    this.#batchOf(sequences).pending++;
  }

  /** Stores a delivered result; writes what became complete. */
  record(result: SvdJobResult): void {
    const batch = this.#batchOf(result.sequences);
    batch.metrics.record(result);
    for (let head = 0; head < result.heads; head++) {
      const key = guardKey(result.target, result.layer, head);
      batch.guards.set(key, (batch.guards.get(key) ?? 0) + result.guardCounts[head]);
    }
    batch.pending--;
    this.#schedule();
  }

  /** Marks a batch generated: it is written as soon as its results are in and the batches before it are written. */
  generated(batch: GeneratedBatch): void {
    const held = this.#held.find((h) => h.metrics.first === batch.first);
    if (held === undefined) throw new StageError(`evaluate: batch ${batch.index} (sequences from ${batch.first}) ended but was never opened`);
    held.generated = batch;
    this.#schedule();
  }

  /** Records a failure that stops the stream (the pool or generation failed): waits end, and rethrow it. */
  fail(error: Error): void {
    this.#failure ??= error;
    this.#wake();
  }

  /**
   * After the pool is closed: writes what is left and the file, after `beforeClose` (a
   * checkpoint save that still links the spilled parts). Throws StageError when a batch is
   * incomplete.
   */
  async finish(beforeClose?: () => Promise<void>): Promise<void> {
    this.#schedule();
    await this.#writing;
    await beforeClose?.();
    if (this.#failure !== null) throw this.#failure;
    if (this.#held.length > 0) {
      const first = this.#held[0];
      throw new StageError(`evaluate: sequences from ${first.metrics.first} were never completed (${first.pending} SVD jobs undelivered, generated: ${first.generated !== null})`);
    }
    await this.#options.writer.close();
  }

  /** Waits for the writes in flight, ignoring their errors: `state()` is then consistent. */
  async settle(): Promise<void> {
    await this.#writing.catch(() => undefined);
  }

  /** Waits for the writes in flight (ignoring their errors) and drops the file. */
  async abort(): Promise<void> {
    await this.#writing.catch(() => undefined);
    await this.#options.writer.abort();
  }

  #batchOf(sequences: Int32Array): HeldBatch {
    const batch = sequences.length === 0 ? undefined : this.#held.find((h) => h.metrics.holds(sequences[0]));
    if (batch === undefined) throw new StageError(`evaluate: SVD job for sequences [${sequences.subarray(0, 4).join(', ')}…] of no open batch`);
    return batch;
  }

  /** Schedules the writes of the complete batches at the front, in order. */
  #schedule(): void {
    while (this.#held.length > 0 && this.#held[0].generated !== null && this.#held[0].pending === 0) {
      const batch = this.#held.shift() as HeldBatch;
      const link = this.#writing.then(() => this.#write(batch, batch.generated as GeneratedBatch));
      // Handled here (a write failure stops the stream); `finish` awaits the chain and rethrows it.
      link.catch((error: unknown) => this.fail(error instanceof Error ? error : new StageError(String(error))));
      this.#writing = link;
    }
  }

  async #write(held: HeldBatch, batch: GeneratedBatch): Promise<void> {
    const { metrics } = held;
    const { graph, table, statics, w, writer } = this.#options;
    const { totals, timings } = this;
    const labelled = performance.now();
    const labels = allocateLabelBuffers(batch.count, batch.maxLength);
    const found = labelBatch({ values: batch.tokens, rows: batch.count, width: batch.maxLength, lengths: batch.lengths }, graph, table, labels);
    for (const encounter of found.encounters) totals.encounters.encounters.push({ ...encounter, sequence: encounter.sequence + batch.first });
    for (const encounter of found.unresolved) totals.encounters.unresolved.push({ ...encounter, sequence: encounter.sequence + batch.first });
    totals.failureIndex.set(labels.failureIndex, batch.first);
    for (let i = 0; i < batch.count; i++) {
      let violated = 0;
      for (let s = 0; s < batch.lengths[i] - 1; s++) if (labels.ruleOutcome[i * labels.columns + s] === RuleOutcome.Violated) violated++;
      totals.violations[batch.first + i] = violated;
    }
    timings.labelSeconds += (performance.now() - labelled) / 1000;
    const written = performance.now();
    metrics.fillStatic(statics, batch.lengths, w);
    // NaN cells (beyond a sequence's length, before its first full window) are skipped, so the
    // moments see the values in the order a whole-table pass would.
    metrics.values.forEach((column, key) => totals.moments.add(key, column, 0, column.length));
    await writer.write({ batch, labels, metrics });
    for (const [key, count] of held.guards) this.#guards.set(key, (this.#guards.get(key) ?? 0) + count);
    timings.writeSeconds += (performance.now() - written) / 1000;
    this.#heldSequences -= batch.count;
    this.#heldBatches--;
    this.#wake();
    this.#options.onWritten?.(writer.sequences);
  }

  #wake(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
