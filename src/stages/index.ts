/**
 * The registry of stage implementations, keyed by stage name, in topological order.
 */
import type { StageName } from '../pipeline/dag';
import type { StageImplementation } from '../pipeline/stage';
import { graphStage } from './graph';
import { trainStage } from './train';
import { walksStage } from './walks';

export const STAGE_IMPLEMENTATIONS: ReadonlyMap<StageName, StageImplementation<never>> = new Map<StageName, StageImplementation<never>>([
  ['graph', graphStage as unknown as StageImplementation<never>],
  ['walks', walksStage as unknown as StageImplementation<never>],
  ['train', trainStage as unknown as StageImplementation<never>],
]);
