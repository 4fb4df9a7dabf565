/**
 * Jumper events: one record per jumper occurrence in a walk, stored as parallel Int32Arrays
 * (the layout the walks stage writes), plus the growable buffer generators fill.
 */

/** Parallel arrays, one entry per jumper occurrence, ordered by (walk, step). */
export interface WalkEvents {
  /** Global walk index within the corpus. */
  walk: Int32Array;
  /** The jumper vertex met. */
  vertex: Int32Array;
  /** Step (token position) at which the walk is at the jumper. */
  step: Int32Array;
  /** Block the walk must be in at `arrivalStep`. */
  targetBlock: Int32Array;
  /** step + r; a value >= walk length means the deadline lies outside the walk (no check). */
  arrivalStep: Int32Array;
}

const FIELDS = ['walk', 'vertex', 'step', 'targetBlock', 'arrivalStep'] as const;

/** Growable event storage: amortised O(1) push, truncation to discard a restarted walk's events. */
export class EventBuffer {
  #length = 0;
  #columns: Int32Array[];

  constructor(initialCapacity = 1024) {
    this.#columns = FIELDS.map(() => new Int32Array(Math.max(1, initialCapacity)));
  }

  /** Number of events held. */
  get length(): number {
    return this.#length;
  }

  /** Appends one event. */
  push(walk: number, vertex: number, step: number, targetBlock: number, arrivalStep: number): void {
    if (this.#length === this.#columns[0].length) this.#grow();
    const i = this.#length++;
    const c = this.#columns;
    c[0][i] = walk;
    c[1][i] = vertex;
    c[2][i] = step;
    c[3][i] = targetBlock;
    c[4][i] = arrivalStep;
  }

  /** Drops every event after the first `length`. */
  truncate(length: number): void {
    if (length < 0 || length > this.#length) throw new RangeError(`EventBuffer.truncate: ${length} outside 0..${this.#length}`);
    this.#length = length;
  }

  /** The vertex of event i (for per-jumper counting without building arrays). */
  vertexAt(i: number): number {
    return this.#columns[1][i];
  }

  /** Exact-length copies of the columns. */
  toEvents(): WalkEvents {
    const [walk, vertex, step, targetBlock, arrivalStep] = this.#columns.map((c) => c.slice(0, this.#length));
    return { walk, vertex, step, targetBlock, arrivalStep };
  }

  #grow(): void {
    this.#columns = this.#columns.map((c) => {
      const bigger = new Int32Array(c.length * 2);
      bigger.set(c);
      return bigger;
    });
  }
}

/** Concatenates event sets in the given order. */
export function concatEvents(parts: readonly WalkEvents[]): WalkEvents {
  const total = parts.reduce((sum, p) => sum + p.walk.length, 0);
  const out = Object.fromEntries(FIELDS.map((f) => [f, new Int32Array(total)])) as unknown as WalkEvents;
  let offset = 0;
  for (const part of parts) {
    for (const f of FIELDS) out[f].set(part[f], offset);
    offset += part.walk.length;
  }
  return out;
}
