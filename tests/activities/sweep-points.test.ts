/**
 * The sweepPoints activity: pages of the points `npm run sweep` would run, from the sweep's
 * definition (a sweep file or a config with the original sweep block), with the experiment
 * ids a plain submit would use. Absent sweep fields keep the base config's value, r_scale
 * truncates, and an invalid point refuses the whole sweep.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepPoints } from '../../src/activities/sweep-points';
import { experimentId } from '../../src/config/hash';
import { ConfigError } from '../../src/errors';
import { expandSweep } from '../../src/ops/sweep-expand';
import { loadSweep, readSweepDefinition } from '../../src/ops/sweep-load';
import { PROJECT_ROOT } from '../pipeline/helpers';
import { sweepFile } from '../ops/fixtures/sweep-files';

const TINY = join(PROJECT_ROOT, 'configs/tiny.json');
const tiny = JSON.parse(readFileSync(TINY, 'utf8')) as Record<string, unknown>;

describe('sweepPoints activity', () => {
  it('pages through exactly the points npm run sweep expands, with their experiment ids', () => {
    const source = sweepFile({ base: TINY, grid: { 'training.walk_length': [16, 24], 'graph.p_in': [0.4, 0.5] }, seeds: [1, 2, 3] });
    const definition = JSON.parse(JSON.stringify(readSweepDefinition(source))) as ReturnType<typeof readSweepDefinition>;
    const local = expandSweep(loadSweep(source));
    const first = sweepPoints({ definition, source, offset: 0, limit: 5 });
    const rest = sweepPoints({ definition, source, offset: 5, limit: 100 });
    expect(first.total).toBe(12);
    expect(first.points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
    expect(rest.points.map((p) => p.index)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect([...first.points, ...rest.points].map((p) => p.experimentId)).toEqual(local.map((p) => p.experimentId));
    expect(first.points[1].values).toEqual({ 'training.walk_length': 16, 'graph.p_in': 0.4, seed: 2 });
    expect(first.points.every((p) => p.problem === null && p.experimentId === experimentId(p.config))).toBe(true);
  });

  it('a config sweep block: absent fields keep the base config value and r_scale truncates', () => {
    const source = sweepFile({ ...tiny, sweep: { r_scale_values: [0.95], seeds: [1, 2] } });
    const page = sweepPoints({ definition: readSweepDefinition(source), source, offset: 0, limit: 25 });
    expect(page.total).toBe(2);
    // K stays the base's 2 (the reference default of 4 would not divide n = 50); r = trunc(0.95 * 8) = 7, not round's 8.
    expect(page.points.map((p) => [p.config.graph.K, p.config.graph.n, p.config.training.r, p.config.seed])).toEqual([
      [2, 50, 7, 1],
      [2, 50, 7, 2],
    ]);
    expect(page.points[0].values).toEqual({ 'sweep.r_scale_values': 0.95, seed: 1 });
    expect(page.points.every((p) => p.config.sweep === null)).toBe(true);
  });

  it('EXPECTED FAILURE - an invalid point refuses the whole sweep, listing every invalid point', () => {
    const source = sweepFile({ ...tiny, sweep: { n_values: [50, 51, 53], seeds: [1] } });
    let error: unknown;
    try {
      sweepPoints({ definition: readSweepDefinition(source), source, offset: 0, limit: 25 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/problem\(s\) in the sweep, nothing was run/);
    expect(message).toMatch(/point 2 \(graph\.n=51, seed=1\)/);
    expect(message).toMatch(/point 3 \(graph\.n=53, seed=1\)/);
    expect(message).not.toMatch(/point 1 /);
  });
});
