/**
 * What a sweep is before expansion: a base config (raw JSON), its axes and where it came
 * from. A sweep is read from a sweep file (`{ base, grid, seeds?, parallel? }`) or from a
 * config whose original `sweep` block is set (see `legacy-sweep.ts`).
 */

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
}

/** The most points one sweep may have; a larger grid is almost always a typo. */
export const MAX_SWEEP_POINTS = 10_000;
