/**
 * The `sweepPoints` activity: one page of a sweep's grid, each point validated with the
 * config loader's rules and given its experiment id. Invalid points are returned with the
 * problem rather than failing the sweep.
 */
import { configHash, experimentId } from '../config/hash';
import { parseConfig } from '../config/load';
import { ConfigError } from '../errors';
import type { SweepPage, SweepPoint, SweepPointsInput } from './contract';
import { sweepGridSize, sweepPointConfig, sweepPointValues } from './sweep-grid';

/** Grid points `offset .. offset + limit - 1` (fewer at the end of the grid). */
export function sweepPoints(input: SweepPointsInput): SweepPage {
  const sweep = input.config.sweep;
  if (sweep === null) throw new ConfigError('sweep: (missing) — a sweep needs a config with a sweep block');
  const total = sweepGridSize(sweep);
  const points: SweepPoint[] = [];
  for (let index = input.offset; index < Math.min(total, input.offset + input.limit); index++) {
    points.push(pointAt(input, index, sweepPointValues(sweep, index)));
  }
  return { total, points };
}

function pointAt(input: SweepPointsInput, index: number, values: Record<string, number>): SweepPoint {
  try {
    const { config } = parseConfig(sweepPointConfig(input.config, values));
    return { index, values, experimentId: experimentId(config), configHash: configHash(config), config, problem: null };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { index, values, experimentId: null, configHash: null, config: null, problem: error.problems.join('; ') };
  }
}
