/**
 * Metric values of events at each lookback (reference-pipeline.md section 10.4): lookback j of
 * an event resolved at R is token_metrics step R - j, the forward pass whose last context token
 * is g[R - j] (j = 1 produced the resolving token, j = r saw the jumper itself last).
 */
import type { RGroup, RuleEvents } from './events';

/**
 * Where each (sequence, step) row of token_metrics is: the table holds steps 0 .. length - 2 of
 * every sequence, sequence after sequence.
 */
export class TokenRowIndex {
  readonly #start: Float64Array;
  readonly #steps: Int32Array;

  constructor(lengths: Int32Array) {
    this.#start = new Float64Array(lengths.length);
    this.#steps = new Int32Array(lengths.length);
    let row = 0;
    for (let i = 0; i < lengths.length; i++) {
      this.#start[i] = row;
      this.#steps[i] = Math.max(0, lengths[i] - 1);
      row += this.#steps[i];
    }
    this.rows = row;
  }

  /** Total rows of the table. */
  readonly rows: number;

  /** Row of (sequence, step), or -1 when the sequence has no such step. */
  row(sequence: number, step: number): number {
    return step >= 0 && step < this.#steps[sequence] ? this.#start[sequence] + step : -1;
  }
}

/**
 * The values of one metric column for the events of `group` (or the subset `members`, indices
 * into group.events), one Float64Array per lookback j = 1..r; NaN where the step does not
 * exist or the metric is not finite there.
 */
export function lookbackValues(column: Float64Array, index: TokenRowIndex, events: RuleEvents, group: RGroup, members?: Int32Array): Float64Array[] {
  const count = members?.length ?? group.events.length;
  const values: Float64Array[] = [];
  for (let j = 1; j <= group.r; j++) {
    const atJ = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      const e = group.events[members === undefined ? k : members[k]];
      const row = index.row(events.sequence[e], events.resolutionStep[e] - j);
      const value = row < 0 ? Number.NaN : column[row];
      atJ[k] = Number.isFinite(value) ? value : Number.NaN;
    }
    values.push(atJ);
  }
  return values;
}
