/**
 * What a sweep is before expansion: a base config (raw JSON), its axes and where it came
 * from. A sweep is read from a sweep file (`{ base, grid, seeds?, parallel? }`, or a search:
 * `strategy`, `space`, `objective`, ...) or from a config whose original `sweep` block is set
 * (see `legacy-sweep.ts`). Types only (and a constant), so the workflow sandbox can import
 * the definition's type.
 */
import type { StageName } from '../pipeline/dag';
import type { SearchDefinition, SearchObjective } from './search-spec';

/**
 * A read and checked sweep as plain JSON, so it can cross the workflow/activity boundary:
 * `sweepSpecFromDefinition` (sweep-load.ts) turns it into the axes that `expandSweep` runs,
 * the same way for `npm run sweep` and for the Temporal sweep.
 */
export interface SweepDefinition {
  /** The base config, inlined (a `base` path already read), without its `sweep` block. */
  base: Record<string, unknown>;
  /** Dotted config path -> its values (a sweep file's `grid`; empty for a config's sweep block). */
  grid: Record<string, unknown[]>;
  /** A sweep file's `seeds` (the innermost axis). */
  seeds?: number[];
  /** The raw original `sweep` block, when the sweep is a config (see legacy-sweep.ts). */
  legacy?: Record<string, unknown>;
  /** Points run at once by default. */
  parallel: number;
  /** How the file was interpreted, for the header. */
  notes: string[];
  /** A random or halving search (absent: the grid above). */
  search?: SearchDefinition;
  /** What the leaderboard ranks by (required for a search, optional for a grid). */
  objective?: SearchObjective;
  /** Run every point up to this stage (default: the objective's stage, else the whole pipeline). */
  until?: StageName;
  /** The sweep file's own description. */
  description?: string;
}

/** One dimension of the grid: a name shown in coordinates, its values and how a value is set. */
export interface SweepAxis {
  /** A dotted config path (`graph.p_in`, `seed`) or, for derived axes, the original field name. */
  name: string;
  values: readonly unknown[];
  /** Writes `value` into a raw config; axes are applied in order, so later axes see earlier ones. */
  apply(raw: Record<string, unknown>, value: unknown): void;
}

/** A validated sweep description, ready to expand. */
export interface SweepSpec {
  /** The file it was read from. */
  source: string;
  /** The base config as raw JSON (its `sweep` block removed); points are validated, not the base. */
  base: Record<string, unknown>;
  axes: readonly SweepAxis[];
  /** Points run at once by default; `--parallel` overrides it. */
  parallel: number;
  /** How the file was interpreted, for the header (e.g. the r_scale mapping). */
  notes: readonly string[];
  /** A random or halving search; its points come from `search-trials.ts`, not from `axes`. */
  search?: SearchDefinition;
  objective?: SearchObjective;
  /** The last stage every point runs (undefined: the whole pipeline). */
  until?: StageName;
  description?: string;
}

/** The most points one sweep may have; a larger grid is almost always a typo. */
export const MAX_SWEEP_POINTS = 10_000;
