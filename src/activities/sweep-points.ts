/**
 * The `sweepPoints` activity: one page of a sweep's points, expanded by `expandSweep` from
 * the sweep's definition, exactly as `npm run sweep` expands it. Every point is validated
 * and the whole sweep is refused (a ConfigError) if any point is invalid or repeated.
 */
import { configHash } from '../config/hash';
import { expandSweep } from '../ops/sweep-expand';
import { sweepSpecFromDefinition } from '../ops/sweep-load';
import type { SweepPage, SweepPointsInput } from './contract';

/** Points `offset .. offset + limit - 1` (fewer at the end of the sweep). */
export function sweepPoints(input: SweepPointsInput): SweepPage {
  const points = expandSweep(sweepSpecFromDefinition(input.definition, input.source));
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
