/**
 * Expanding a sweep into points: the cartesian product of its axes (seeds innermost), each
 * point validated with the normal config rules. Invalid points are reported all at once with
 * their grid coordinates, and so are points that would be the same experiment; nothing runs.
 */
import { experimentId } from '../config/hash';
import { parseConfig } from '../config/load';
import type { ExperimentConfig } from '../config/schema';
import { ConfigError } from '../errors';
import { MAX_SWEEP_POINTS, type SweepSpec } from './sweep-spec';

/** One axis value of a point. */
export interface Coordinate {
  axis: string;
  value: unknown;
}

/** One experiment of a sweep. */
export interface SweepPoint {
  /** 1-based, in expansion order. */
  index: number;
  coordinates: readonly Coordinate[];
  config: ExperimentConfig;
  experimentId: string;
  warnings: readonly string[];
}

/**
 * The points of `spec`.
 * @throws ConfigError listing every invalid point (with coordinates), every duplicate, or a grid that is too large.
 */
export function expandSweep(spec: SweepSpec): SweepPoint[] {
  const total = spec.axes.reduce((product, axis) => product * axis.values.length, 1);
  if (total > MAX_SWEEP_POINTS) {
    throw new ConfigError(`${spec.source}: the grid has ${total} points — at most ${MAX_SWEEP_POINTS} are allowed; split the sweep`);
  }
  const points: SweepPoint[] = [];
  const problems: string[] = [];
  cartesian(spec.axes.map((axis) => axis.values)).forEach((values, i) => {
    const coordinates = values.map((value, axis) => ({ axis: spec.axes[axis].name, value }));
    const raw = structuredClone(spec.base);
    values.forEach((value, axis) => spec.axes[axis].apply(raw, value));
    try {
      const { config, warnings } = parseConfig(raw);
      points.push({ index: i + 1, coordinates, config, experimentId: experimentId(config), warnings });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => `point ${i + 1} (${formatCoordinates(coordinates)}): ${problem}`));
    }
  });
  problems.push(...duplicateProblems(points));
  if (problems.length > 0) throw new ConfigError([`${spec.source}: ${problems.length} problem(s) in the sweep, nothing was run:`, ...problems]);
  return points;
}

/** `training.walk_length=16, graph.p_in=0.4, seed=1`. */
export function formatCoordinates(coordinates: readonly Coordinate[]): string {
  return coordinates.length === 0 ? 'the base config' : coordinates.map((c) => `${c.axis}=${JSON.stringify(c.value)}`).join(', ');
}

function duplicateProblems(points: readonly SweepPoint[]): string[] {
  const first = new Map<string, SweepPoint>();
  const problems: string[] = [];
  for (const point of points) {
    const earlier = first.get(point.experimentId);
    if (earlier === undefined) {
      first.set(point.experimentId, point);
      continue;
    }
    problems.push(
      `point ${point.index} (${formatCoordinates(point.coordinates)}): the same experiment ${point.experimentId} as point ${earlier.index} (${formatCoordinates(earlier.coordinates)}) — runtime.* and repeated values do not make a new experiment`,
    );
  }
  return problems;
}

/** Every combination, the last list varying fastest. */
function cartesian(lists: readonly (readonly unknown[])[]): unknown[][] {
  return lists.reduce<unknown[][]>((combos, list) => combos.flatMap((combo) => list.map((value) => [...combo, value])), [[]]);
}
