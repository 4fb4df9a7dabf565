/**
 * The sweep grid and the sweepPoints activity: fields x seeds enumerated by index, pages,
 * validated points with experiment ids, invalid points reported rather than thrown.
 */
import { describe, expect, it } from 'vitest';
import { sweepGridSize, sweepPointConfig, sweepPointValues } from '../../src/activities/sweep-grid';
import { sweepPoints } from '../../src/activities/sweep-points';
import { experimentId } from '../../src/config/hash';
import { parseConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import { tinyConfig } from './helpers';

const config = tinyConfig({ sweep: { n_values: [50, 51], K_values: [2], w_values: [8], r_scale_values: [0.9, 1.5], seeds: [1, 2, 3] } });

describe('sweep grid', () => {
  it('has one point per combination of the value lists', () => {
    expect(sweepGridSize(config.sweep!)).toBe(2 * 2 * 3);
  });

  it('enumerates seeds fastest and derives r from r_scale and w', () => {
    expect(sweepPointValues(config.sweep!, 0)).toMatchObject({ 'graph.n': 50, r_scale: 0.9, seed: 1 });
    expect(sweepPointValues(config.sweep!, 1)).toMatchObject({ 'graph.n': 50, r_scale: 0.9, seed: 2 });
    const raw = sweepPointConfig(config, sweepPointValues(config.sweep!, 3)) as { training: { r: number }; sweep: unknown };
    expect(raw.training.r).toBe(Math.round(1.5 * 8));
    expect(raw.sweep).toBeNull();
  });

  it('BAD CALL - an index outside the grid is a RangeError naming the size', () => {
    expect(() => sweepPointValues(config.sweep!, 12)).toThrow(/sweep point 12 is outside the grid of 12 points/);
  });
});

describe('sweepPoints activity', () => {
  it('returns a page of validated points with the experiment id a plain submit would use', () => {
    const page = sweepPoints({ config, offset: 0, limit: 5 });
    expect(page.total).toBe(12);
    expect(page.points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
    const first = page.points[0];
    expect(first.problem).toBeNull();
    expect(first.experimentId).toBe(experimentId(parseConfig(first.config).config));
  });

  it('reports an invalid grid point with its problem instead of failing the sweep', () => {
    const page = sweepPoints({ config, offset: 6, limit: 100 });
    expect(page.points).toHaveLength(6);
    // n = 51 is not divisible by K = 2.
    expect(page.points.every((p) => p.config === null && p.problem !== null && /K|n/.test(p.problem))).toBe(true);
  });

  it('EXPECTED FAILURE - a config without a sweep block is a ConfigError', () => {
    expect(() => sweepPoints({ config: tinyConfig(), offset: 0, limit: 1 })).toThrow(ConfigError);
    expect(() => sweepPoints({ config: tinyConfig(), offset: 0, limit: 1 })).toThrow(/sweep: \(missing\)/);
  });
});
