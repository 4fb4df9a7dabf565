/**
 * The graph stage: a directed DCSBM graph (reference section 3) and its block jumpers with
 * non-triviality from exact-k-step reachability (section 4).
 */
import type { GraphConfig } from '../config/schema';
import { generateGraph } from '../graph/dcsbm';
import { designateJumpers, jumperReachSteps } from '../graph/jumpers';
import { buildReachability } from '../graph/reachability';
import { stageDeclaration } from '../pipeline/dag';
import type { StageImplementation } from '../pipeline/stage';
import { writeGraphFiles, type GraphSummary } from './graph-artifact';

/** The graph stage's config slice (see `dag.ts`). */
export interface GraphSlice {
  graph: GraphConfig;
  training: { w: number };
  seed: number;
}

export const graphStage: StageImplementation<GraphSlice> = {
  declaration: stageDeclaration('graph'),
  module: 'src/stages/graph.ts',
  async run(context) {
    const { graph: graphConfig, training, seed } = context.slice;
    const { graph, attempts } = generateGraph(graphConfig, seed);
    context.progress(0.4, { attempts: attempts.length });
    const reach = buildReachability(graph, jumperReachSteps(graphConfig, training.w));
    const { jumpers, warnings } = designateJumpers(graph, graphConfig, training.w, seed, reach);
    warnings.forEach((warning) => context.log(`warning: ${warning}`));
    context.progress(0.7, { jumpers: jumpers.length });
    await writeGraphFiles(graph, jumpers, context.output);
    context.progress(1);
    const edges = graph.colIdx.length;
    const summary: GraphSummary = {
      n: graph.n,
      K: graph.K,
      block_size: graph.blockSize,
      attempt: graph.attempt,
      edges,
      mean_out_degree: edges / graph.n,
      failed_attempts: attempts.filter((a) => a.problems.length > 0).map((a) => ({ attempt: a.attempt, problems: a.problems })),
      jumpers: jumpers.map((j) => ({ vertex: j.vertex, source_block: j.sourceBlock, target_block: j.targetBlock, r: j.r })),
      warnings,
    };
    context.log(`${edges} edges (mean out-degree ${(edges / graph.n).toFixed(2)}), ${jumpers.length} jumpers, attempt ${graph.attempt}`);
    return summary;
  },
};
