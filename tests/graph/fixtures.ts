/**
 * Shared fixtures of the graph and walk tests: configs with defaults filled in, hand-made graphs,
 * and the tiny end-to-end setups of the brief.
 */
import { graphSchema, type GraphConfig } from '../../src/config/schema';
import { csrFromEdges } from '../../src/graph/csr';
import { generateGraph } from '../../src/graph/dcsbm';
import type { DcsbmGraph, Jumper } from '../../src/graph/graph';
import { designateJumpers, jumperReachSteps } from '../../src/graph/jumpers';
import { buildReachability, type Reachability } from '../../src/graph/reachability';

/** A graph config with schema defaults for every field not given. */
export function graphConfig(fields: Partial<GraphConfig>): GraphConfig {
  return graphSchema.parse(fields);
}

/** A hand-made graph with contiguous blocks and theta = 1. */
export function makeGraph(n: number, K: number, edges: readonly (readonly [number, number])[]): DcsbmGraph {
  const blockSize = n / K;
  const { rowPtr, colIdx } = csrFromEdges(n, edges.map((e) => e[0]), edges.map((e) => e[1]));
  const block = Int32Array.from({ length: n }, (_, v) => Math.floor(v / blockSize));
  return { n, K, blockSize, block, theta: new Float64Array(n).fill(1), rowPtr, colIdx, attempt: 0 };
}

/** Graph, reachability tables and jumpers for a config, as the stages chain them. */
export interface Setup {
  graph: DcsbmGraph;
  tables: Reachability;
  jumpers: Jumper[];
  w: number;
}

/** Generates the whole domain chain for `fields` with rule lengths from `w`. */
export function setup(fields: Partial<GraphConfig>, w: number, seed = 42): Setup {
  const config = graphConfig(fields);
  const { graph } = generateGraph(config, seed);
  const tables = buildReachability(graph, jumperReachSteps(config, w));
  const { jumpers } = designateJumpers(graph, config, w, seed, tables);
  return { graph, tables, jumpers, w };
}

/** The brief's tiny config: n=50, K=2, p_in 0.4, p_out 0.08, one jumper per block, w=8. */
export const TINY = { n: 50, K: 2, p_in: 0.4, p_out: 0.08, n_jumpers_per_block: 1 } as const;

/**
 * Dense jumpers: n=40, K=2, four jumpers per block, so nested jumpers are common. p_in/p_out are
 * higher than TINY's because with blocks of 20 the smallest theta (1 / H(20)) would otherwise
 * leave the minimum expected out-degree below 3 and no graph would validate.
 */
export const DENSE_JUMPERS = { n: 40, K: 2, p_in: 0.5, p_out: 0.1, n_jumpers_per_block: 4 } as const;
