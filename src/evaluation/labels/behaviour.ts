/**
 * Behavioural labels of generated sequences (reference-pipeline.md section 8.2, method.md
 * section 5): edge validity per transition, rule outcome per step, one outcome per jumper
 * encounter, and the failure index. Pure functions; see docs/behaviour-labels.md.
 */
import type { IntMatrix } from '../../artifacts/parquet';
import type { DcsbmGraph } from '../../graph/graph';
import { hasEdge } from '../../training/compliance';
import type { JumperTable } from './jumper-table';

/** Per-step rule labels, as stored in `rule_outcome` (Int8). */
export const RuleOutcome = {
  /** Cell beyond the sequence's last transition (batch form only). */
  Padding: -1,
  /** No constraint has its deadline at t + 1. */
  NotApplicable: 0,
  /** Every constraint with deadline t + 1 was met by the token at t + 1. */
  Followed: 1,
  /** At least one constraint with deadline t + 1 was broken by the token at t + 1. */
  Violated: 2,
} as const;
/** One of the `RuleOutcome` values. */
export type RuleOutcome = (typeof RuleOutcome)[keyof typeof RuleOutcome];

/** `edge_valid` cell beyond the sequence's last transition (batch form only); 0/1 otherwise. */
export const EDGE_VALID_PADDING = 255;

/** A jumper met at `encounterStep` whose rule was checked inside the sequence. */
export interface Encounter {
  /** Position t of the jumper token. */
  encounterStep: number;
  /** t + r: the position whose block is checked (the reference's `resolution_step`). The step label is `ruleOutcome[resolutionStep - 1]`. */
  resolutionStep: number;
  /** The jumper vertex. */
  vertex: number;
  r: number;
  targetBlock: number;
  /** This encounter's own outcome, whatever other constraints share its deadline. */
  outcome: typeof RuleOutcome.Followed | typeof RuleOutcome.Violated;
}

/** A jumper met at `encounterStep` whose deadline lies at or beyond the sequence's end: no outcome. */
export interface UnresolvedEncounter {
  encounterStep: number;
  /** t + r >= the sequence length. */
  deadline: number;
  vertex: number;
  r: number;
  targetBlock: number;
}

/** Labels of one sequence of length L. */
export interface SequenceLabels {
  /** L - 1 cells: 1 iff tokens[t] -> tokens[t + 1] is an edge. */
  edgeValid: Uint8Array;
  /** L - 1 cells of `RuleOutcome` (never Padding here). */
  ruleOutcome: Int8Array;
  /** First t with `ruleOutcome[t] === Violated`, else -1. */
  failureIndex: number;
  /** Resolved encounters in order of encounter step. */
  encounters: Encounter[];
  /** Encounters whose deadline falls beyond the end, in order of encounter step. */
  unresolved: UnresolvedEncounter[];
}

/**
 * Labels one sequence: `tokens` holds its L >= 1 vertex ids, with no padding. Throws
 * RangeError for a token that is not a vertex id of `graph`.
 */
export function labelSequence(tokens: ArrayLike<number>, graph: DcsbmGraph, jumpers: JumperTable): SequenceLabels {
  const length = tokens.length;
  checkTokens(tokens, 0, length, graph.n, 'labelSequence');
  const edgeValid = new Uint8Array(Math.max(0, length - 1));
  const ruleOutcome = new Int8Array(Math.max(0, length - 1));
  const encounters: Encounter[] = [];
  const unresolved: UnresolvedEncounter[] = [];
  const failureIndex = writeRowLabels(tokens, 0, length, graph, jumpers, { edgeValid, ruleOutcome, offset: 0 }, {
    resolved: (encounter) => encounters.push(encounter),
    unresolved: (encounter) => unresolved.push(encounter),
  });
  return { edgeValid, ruleOutcome, failureIndex, encounters, unresolved };
}

/** A padded token matrix: row i holds `lengths[i]` tokens, then -1 up to `width`. */
export interface TokenBatch extends IntMatrix {
  lengths: ArrayLike<number>;
}

/** Preallocated row-major outputs of `labelBatch` for `rows` sequences of at most `columns + 1` tokens. */
export interface LabelBuffers {
  rows: number;
  /** maxLength - 1 transitions per row. */
  columns: number;
  /** rows x columns: 0/1, `EDGE_VALID_PADDING` beyond a row's last transition. */
  edgeValid: Uint8Array;
  /** rows x columns of `RuleOutcome`, `RuleOutcome.Padding` beyond a row's last transition. */
  ruleOutcome: Int8Array;
  /** One per row: first violated step, else -1. */
  failureIndex: Int32Array;
}

/** An encounter of row `sequence` of the buffers. */
export interface SequenceEncounter extends Encounter {
  sequence: number;
}

/** An unresolved encounter of row `sequence` of the buffers. */
export interface SequenceUnresolvedEncounter extends UnresolvedEncounter {
  sequence: number;
}

/** What `labelBatch` returns besides the buffers it fills: the encounters of its rows, by row then step. */
export interface BatchLabels {
  encounters: SequenceEncounter[];
  unresolved: SequenceUnresolvedEncounter[];
}

/** Zeroed buffers for `rows` sequences of at most `maxLength` tokens. */
export function allocateLabelBuffers(rows: number, maxLength: number): LabelBuffers {
  if (!(Number.isInteger(rows) && rows >= 0)) throw new RangeError(`allocateLabelBuffers: rows must be an integer >= 0, got ${rows}`);
  if (!(Number.isInteger(maxLength) && maxLength >= 1)) throw new RangeError(`allocateLabelBuffers: maxLength must be an integer >= 1, got ${maxLength}`);
  const columns = maxLength - 1;
  return {
    rows,
    columns,
    edgeValid: new Uint8Array(rows * columns),
    ruleOutcome: new Int8Array(rows * columns),
    failureIndex: new Int32Array(rows),
  };
}

/**
 * Labels every row of `batch` into rows `rowOffset ..` of `out` (so one set of buffers for all
 * N sequences can be filled batch by batch while generation streams). Each row gets exactly the
 * labels `labelSequence` gives its first `lengths[i]` tokens, then padding cells.
 * Throws RangeError when `out` has the wrong width or too few rows, a length is outside
 * [1, width], a token inside a length is not a vertex id, or a cell beyond it is not -1.
 */
export function labelBatch(batch: TokenBatch, graph: DcsbmGraph, jumpers: JumperTable, out: LabelBuffers, rowOffset = 0): BatchLabels {
  checkBatchShape(batch, out, rowOffset);
  const result: BatchLabels = { encounters: [], unresolved: [] };
  for (let row = 0; row < batch.rows; row++) {
    const sequence = rowOffset + row;
    const start = row * batch.width;
    const length = batch.lengths[row];
    checkRowLength(length, batch.width, row);
    checkTokens(batch.values, start, length, graph.n, `labelBatch row ${row}`);
    checkPadding(batch.values, start + length, start + batch.width, row);
    const view = { edgeValid: out.edgeValid, ruleOutcome: out.ruleOutcome, offset: sequence * out.columns };
    out.failureIndex[sequence] = writeRowLabels(batch.values, start, length, graph, jumpers, view, {
      resolved: (encounter) => result.encounters.push({ sequence, ...encounter }),
      unresolved: (encounter) => result.unresolved.push({ sequence, ...encounter }),
    });
    const rowEnd = view.offset + out.columns;
    out.edgeValid.fill(EDGE_VALID_PADDING, view.offset + Math.max(0, length - 1), rowEnd);
    out.ruleOutcome.fill(RuleOutcome.Padding, view.offset + Math.max(0, length - 1), rowEnd);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Internal: the one row kernel both forms share, and input checks.

interface RowOutput {
  edgeValid: Uint8Array;
  ruleOutcome: Int8Array;
  /** Index of the row's first cell in both arrays. */
  offset: number;
}

interface EncounterSink {
  resolved(encounter: Encounter): void;
  unresolved(encounter: UnresolvedEncounter): void;
}

/** Writes the length - 1 label cells of tokens[start .. start + length) and returns the failure index. */
function writeRowLabels(
  tokens: ArrayLike<number>,
  start: number,
  length: number,
  graph: DcsbmGraph,
  jumpers: JumperTable,
  out: RowOutput,
  sink: EncounterSink,
): number {
  const steps = Math.max(0, length - 1);
  for (let t = 0; t < steps; t++) out.edgeValid[out.offset + t] = hasEdge(graph, tokens[start + t], tokens[start + t + 1]) ? 1 : 0;
  out.ruleOutcome.fill(RuleOutcome.NotApplicable, out.offset, out.offset + steps);
  resolveEncounters(tokens, start, length, graph, jumpers, out, sink);
  return out.ruleOutcome.subarray(out.offset, out.offset + steps).indexOf(RuleOutcome.Violated);
}

/**
 * Resolves every encounter independently. Equivalent to the reference's step loop (add the
 * constraint of tokens[t], then resolve deadlines t + 1) except that ALL constraints sharing a
 * deadline are resolved, each against its own target; the step label is the worst of them
 * (Violated > Followed > NotApplicable, so max() aggregates).
 */
function resolveEncounters(
  tokens: ArrayLike<number>,
  start: number,
  length: number,
  graph: DcsbmGraph,
  jumpers: JumperTable,
  out: RowOutput,
  sink: EncounterSink,
): void {
  for (let t = 0; t < length; t++) {
    const vertex = tokens[start + t];
    const r = jumpers.r[vertex];
    if (r === 0) continue;
    const targetBlock = jumpers.targetBlock[vertex];
    const deadline = t + r;
    if (deadline >= length) {
      sink.unresolved({ encounterStep: t, deadline, vertex, r, targetBlock });
      continue;
    }
    const outcome = graph.block[tokens[start + deadline]] === targetBlock ? RuleOutcome.Followed : RuleOutcome.Violated;
    const cell = out.offset + deadline - 1;
    out.ruleOutcome[cell] = Math.max(out.ruleOutcome[cell], outcome);
    sink.resolved({ encounterStep: t, resolutionStep: deadline, vertex, r, targetBlock, outcome });
  }
}

function checkTokens(tokens: ArrayLike<number>, start: number, length: number, n: number, where: string): void {
  for (let t = 0; t < length; t++) {
    const token = tokens[start + t];
    if (!(Number.isInteger(token) && token >= 0 && token < n)) {
      throw new RangeError(`${where}: token ${token} at position ${t} is not a vertex id in [0, ${n})`);
    }
  }
}

function checkPadding(tokens: ArrayLike<number>, from: number, to: number, row: number): void {
  for (let i = from; i < to; i++) {
    if (tokens[i] !== -1) throw new RangeError(`labelBatch row ${row}: expected padding -1 beyond the sequence length, got ${tokens[i]}`);
  }
}

function checkRowLength(length: number, width: number, row: number): void {
  if (!(Number.isInteger(length) && length >= 1 && length <= width)) {
    throw new RangeError(`labelBatch row ${row}: length ${length} outside [1, ${width}]`);
  }
}

function checkBatchShape(batch: TokenBatch, out: LabelBuffers, rowOffset: number): void {
  if (batch.values.length !== batch.rows * batch.width) {
    throw new RangeError(`labelBatch: ${batch.values.length} token cells for ${batch.rows} x ${batch.width}`);
  }
  if (batch.lengths.length !== batch.rows) throw new RangeError(`labelBatch: ${batch.lengths.length} lengths for ${batch.rows} rows`);
  if (out.columns !== batch.width - 1) {
    throw new RangeError(`labelBatch: buffers have ${out.columns} columns, tokens of width ${batch.width} need ${batch.width - 1}`);
  }
  if (!(Number.isInteger(rowOffset) && rowOffset >= 0 && rowOffset + batch.rows <= out.rows)) {
    throw new RangeError(`labelBatch: rows ${rowOffset}..${rowOffset + batch.rows} do not fit buffers of ${out.rows} rows`);
  }
}
