/**
 * The `sweepPoints` activity: one page of a sweep's points, expanded from the sweep's
 * definition exactly as `npm run sweep` expands it: a grid's points, or a random search's
 * sampled trials (the same seed gives the same trials). Every point is validated and the whole
 * sweep is refused (a ConfigError) if any point is invalid or repeated, or if it is a halving
 * search, which runs locally only.
 */
import { configHash } from '../config/hash';
import { expandDefinition } from '../ops/search-trials';
import type { SweepPage, SweepPointsInput } from './contract';

/** Points `offset .. offset + limit - 1` (fewer at the end of the sweep). */
export function sweepPoints(input: SweepPointsInput): SweepPage {
  const points = expandDefinition(input.definition, input.source);
  return {
    total: points.length,
    points: points.slice(input.offset, input.offset + input.limit).map((point) => ({
      index: point.index - 1,
      values: Object.fromEntries(point.coordinates.map((c) => [c.axis, c.value])),
      experimentId: point.experimentId,
      configHash: configHash(point.config),
      config: point.config,
      problem: null,
    })),
  };
}
