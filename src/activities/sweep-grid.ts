/**
 * The grid of the original config's `sweep` block: the cartesian product of its value lists
 * (fields x seeds), enumerated by index so a sweep can be expanded page by page. Pure; no
 * Temporal.
 */
import { roundHalfEven } from '../config/jumper-r';
import type { ExperimentConfig } from '../config/schema';

type Sweep = NonNullable<ExperimentConfig['sweep']>;

/** Sweep list -> the config path it sets. `r_scale` sets training.r = max(1, round(scale * w)). */
const AXES: readonly { list: keyof Sweep; path: string }[] = [
  { list: 'n_values', path: 'graph.n' },
  { list: 'K_values', path: 'graph.K' },
  { list: 'p_in_values', path: 'graph.p_in' },
  { list: 'p_out_values', path: 'graph.p_out' },
  { list: 'w_values', path: 'training.w' },
  { list: 'r_scale_values', path: 'r_scale' },
  { list: 'd_model_values', path: 'model.d_model' },
  { list: 'n_layers_values', path: 'model.n_layers' },
  { list: 'seeds', path: 'seed' },
];

/** Number of grid points (0 when a list is empty). */
export function sweepGridSize(sweep: Sweep): number {
  return AXES.reduce((size, axis) => size * sweep[axis.list].length, 1);
}

/** The values of grid point `index` (mixed-radix, the last axis, seeds, varying fastest). */
export function sweepPointValues(sweep: Sweep, index: number): Record<string, number> {
  if (!Number.isInteger(index) || index < 0 || index >= sweepGridSize(sweep)) {
    throw new RangeError(`sweep point ${index} is outside the grid of ${sweepGridSize(sweep)} points`);
  }
  const values: Record<string, number> = {};
  let rest = index;
  for (const axis of [...AXES].reverse()) {
    const list = sweep[axis.list];
    values[axis.path] = list[rest % list.length];
    rest = Math.floor(rest / list.length);
  }
  return values;
}

/** The raw (not yet validated) config of one grid point: the base with the values applied and no sweep block. */
export function sweepPointConfig(base: ExperimentConfig, values: Record<string, number>): Record<string, unknown> {
  const raw = structuredClone(base) as unknown as Record<string, Record<string, unknown>>;
  for (const [path, value] of Object.entries(values)) {
    if (path === 'r_scale') continue;
    const [section, field] = path.split('.');
    if (field === undefined) (raw as Record<string, unknown>)[section] = value;
    else raw[section][field] = value;
  }
  if (values.r_scale !== undefined) raw.training.r = Math.max(1, roundHalfEven(values.r_scale * (raw.training.w as number)));
  (raw as Record<string, unknown>).sweep = null;
  return raw;
}
