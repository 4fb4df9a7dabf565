/**
 * The walks stage: train and eval corpora (reference section 5) generated in worker threads,
 * with every jumper rule whose deadline lies inside a walk honoured (method.md section 3).
 * The compliance written to the manifest is measured afresh from the tokens, not taken from
 * the generator's own counters.
 */
import { writeIntMatrix, writeParquet } from '../artifacts/parquet';
import { InputError } from '../errors';
import type { DcsbmGraph, Jumper } from '../graph/graph';
import { buildReachability, type Reachability } from '../graph/reachability';
import { stageDeclaration } from '../pipeline/dag';
import type { StageContext, StageImplementation } from '../pipeline/stage';
import { corpusSizes, validateCorpus, type Corpus, type CorpusSplit } from '../walks/corpus';
import { generateCorpusParallel } from '../walks/parallel';
import { readGraphArtifact } from './graph-artifact';

/** The walks stage's config slice (see `dag.ts`). */
export interface WalksSlice {
  training: { walk_length: number; corpus_size: number };
  seed: number;
}

/** File names of one split's corpus and events. */
export const walksFile = (split: CorpusSplit) => `walks_${split}.parquet`;
export const eventsFile = (split: CorpusSplit) => `walk_events_${split}.parquet`;

export const walksStage: StageImplementation<WalksSlice> = {
  declaration: stageDeclaration('walks'),
  module: 'src/stages/walks.ts',
  async run(context) {
    const { graph, jumpers } = await readGraphArtifact(context.input('graph'));
    const maxR = jumpers.reduce((max, j) => Math.max(max, j.r), 0);
    const tables = buildReachability(graph, maxR);
    const sizes = corpusSizes(context.slice.training);
    // Progress: generation is ~85% of the work, split by walk count; writing the rest.
    const total = sizes.train + sizes.eval;
    const train = await generateSplit(context, graph, jumpers, tables, 'train', sizes.train, { from: 0, span: (0.85 * sizes.train) / total });
    const evalSplit = await generateSplit(context, graph, jumpers, tables, 'eval', sizes.eval, {
      from: (0.85 * sizes.train) / total,
      span: (0.85 * sizes.eval) / total,
    });
    return { train, eval: evalSplit, threads: context.threads };
  },
};

async function generateSplit(
  context: StageContext<WalksSlice>,
  graph: DcsbmGraph,
  jumpers: readonly Jumper[],
  tables: Reachability,
  split: CorpusSplit,
  nWalks: number,
  progress: { from: number; span: number },
): Promise<Record<string, unknown>> {
  const walkLength = context.slice.training.walk_length;
  const started = performance.now();
  const corpus = await generateCorpusParallel(graph, jumpers, tables, {
    seed: context.slice.seed,
    split,
    nWalks,
    walkLength,
    threads: context.threads,
    signal: context.signal,
    onProgress: (fraction) => context.progress(progress.from + fraction * progress.span, { split, walks: Math.round(fraction * nWalks) }),
  });
  const generationSeconds = (performance.now() - started) / 1000;
  const measured = validateCorpus(graph, jumpers, corpus);
  if (measured.invalidPairs > 0 || measured.compliantChecks !== measured.checks || measured.eventMismatches > 0) {
    throw new InputError(
      `walks: the ${split} corpus failed its own validation: ${measured.invalidPairs} non-edges, ` +
        `${measured.checks - measured.compliantChecks} violated rules, ${measured.eventMismatches} event mismatches`,
    );
  }
  const writeStarted = performance.now();
  await writeCorpus(context, corpus, split);
  context.log(`${split}: ${nWalks} walks in ${generationSeconds.toFixed(1)}s, written in ${((performance.now() - writeStarted) / 1000).toFixed(1)}s`);
  return {
    walks: nWalks,
    walk_length: walkLength,
    tokens: corpus.stats.tokens,
    events: corpus.stats.events,
    walks_with_events: corpus.stats.walksWithEvents,
    rule_checks: measured.checks,
    rule_compliance: measured.checks === 0 ? null : measured.compliantChecks / measured.checks,
    edge_validity: measured.pairs === 0 ? null : 1 - measured.invalidPairs / measured.pairs,
    restarts: corpus.stats.restarts,
    events_per_jumper: corpus.stats.eventsPerJumper,
    generation_seconds: generationSeconds,
  };
}

async function writeCorpus(context: StageContext<WalksSlice>, corpus: Corpus, split: CorpusSplit): Promise<void> {
  await writeIntMatrix(
    context.output(walksFile(split)),
    { idColumn: 'walk', listColumn: 'tokens' },
    { values: corpus.walks, rows: corpus.nWalks, width: corpus.walkLength },
  );
  const { walk, vertex, step, targetBlock, arrivalStep } = corpus.events;
  const checked = new Uint8Array(walk.length);
  for (let i = 0; i < walk.length; i++) checked[i] = arrivalStep[i] < corpus.walkLength ? 1 : 0;
  await writeParquet(context.output(eventsFile(split)), [
    { name: 'walk', type: 'int32', data: walk },
    { name: 'vertex', type: 'int32', data: vertex },
    { name: 'step', type: 'int32', data: step },
    { name: 'target_block', type: 'int32', data: targetBlock },
    { name: 'arrival_step', type: 'int32', data: arrivalStep },
    { name: 'deadline_in_walk', type: 'bool', data: checked },
  ]);
}
