/**
 * The registry of stage implementations, keyed by stage name, in topological order.
 */
import type { StageName } from '../pipeline/dag';
import type { StageImplementation } from '../pipeline/stage';
import { analyseStage } from './analyse';
import { evaluateStage } from './evaluate';
import { figuresStage } from './figures';
import { graphStage } from './graph';
import { trainStage } from './train';
import { walksStage } from './walks';

/**
 * Erases a stage's slice type for the registry: the runner hands each implementation exactly
 * the slice its own declaration computes, so the pairing is safe by construction.
 */
function entry<Slice>(implementation: StageImplementation<Slice>): [StageName, StageImplementation<never>] {
  return [implementation.declaration.name, implementation as unknown as StageImplementation<never>];
}

export const STAGE_IMPLEMENTATIONS: ReadonlyMap<StageName, StageImplementation<never>> = new Map([
  entry(graphStage),
  entry(walksStage),
  entry(trainStage),
  entry(evaluateStage),
  entry(analyseStage),
  entry(figuresStage),
]);
