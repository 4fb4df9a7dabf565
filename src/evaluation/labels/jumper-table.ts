/**
 * Vertex-indexed jumper lookup shared by the length rule and the behaviour labels: generation
 * and labelling ask "is this token a jumper, and with which rule?" once per token, so the
 * answer is an array read rather than a map lookup.
 */
import type { Jumper } from '../../graph/graph';

/** Per-vertex jumper rules; `r[v] === 0` means v is not a jumper. */
export interface JumperTable {
  /** Rule length of each vertex (0 for non-jumpers). */
  readonly r: Int32Array;
  /** Target block of each vertex (-1 for non-jumpers). */
  readonly targetBlock: Int32Array;
  /** Largest r of any jumper; 0 when there are none. */
  readonly maxR: number;
}

/**
 * Builds the table for a graph of `n` vertices. Throws RangeError for a vertex outside [0, n),
 * an r below 1 (0 is the "not a jumper" marker) or a vertex designated twice.
 */
export function jumperTable(n: number, jumpers: readonly Jumper[]): JumperTable {
  const r = new Int32Array(n);
  const targetBlock = new Int32Array(n).fill(-1);
  let maxR = 0;
  for (const jumper of jumpers) {
    const { vertex } = jumper;
    if (!(Number.isInteger(vertex) && vertex >= 0 && vertex < n)) throw new RangeError(`jumperTable: jumper vertex ${vertex} outside [0, ${n})`);
    if (!(Number.isInteger(jumper.r) && jumper.r >= 1)) throw new RangeError(`jumperTable: jumper ${vertex} has r = ${jumper.r}, expected an integer >= 1`);
    if (r[vertex] !== 0) throw new RangeError(`jumperTable: vertex ${vertex} is designated as a jumper twice`);
    r[vertex] = jumper.r;
    targetBlock[vertex] = jumper.targetBlock;
    maxR = Math.max(maxR, jumper.r);
  }
  return { r, targetBlock, maxR };
}
