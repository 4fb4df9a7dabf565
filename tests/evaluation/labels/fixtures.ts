/**
 * The hand-made graph of the label tests: n = 6, blocks {0,1} {2,3} {4,5}, every edge u -> v
 * with u != v except 1 -> 5, and three jumpers with different r and target blocks.
 */
import type { Jumper } from '../../../src/graph/graph';
import { jumperTable } from '../../../src/evaluation/labels/jumper-table';
import { makeGraph } from '../../graph/fixtures';

const edges: [number, number][] = [];
for (let u = 0; u < 6; u++) for (let v = 0; v < 6; v++) if (u !== v && !(u === 1 && v === 5)) edges.push([u, v]);

/** The 6-vertex, 3-block graph; invalid transitions are self loops and 1 -> 5. */
export const graph = makeGraph(6, 3, edges);

/** Vertex 0: r 3 -> block 2. Vertex 2: r 1 -> block 0. Vertex 4: r 2 -> block 1. */
export const jumpers: Jumper[] = [
  { vertex: 0, sourceBlock: 0, targetBlock: 2, r: 3 },
  { vertex: 2, sourceBlock: 1, targetBlock: 0, r: 1 },
  { vertex: 4, sourceBlock: 2, targetBlock: 1, r: 2 },
];

/** The lookup table of `jumpers` (maxR = 3). */
export const table = jumperTable(6, jumpers);
