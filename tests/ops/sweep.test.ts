import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandSweep } from '../../src/ops/sweep-expand';
import { loadSweep } from '../../src/ops/sweep-load';
import { ROOT } from './fixtures/results';
import { errorOf, sweepFile } from './fixtures/sweep-files';

const TINY = join(ROOT, 'configs/tiny.json');

describe('sweep expansion', () => {
  it('is the cartesian product of the grid times the seeds, seeds innermost, with coordinates', () => {
    const points = expandSweep(loadSweep(sweepFile({ base: TINY, grid: { 'training.walk_length': [16, 24], 'graph.p_in': [0.4, 0.5] }, seeds: [1, 2] })));
    expect(points).toHaveLength(8);
    expect(points[0].coordinates).toEqual([
      { axis: 'training.walk_length', value: 16 },
      { axis: 'graph.p_in', value: 0.4 },
      { axis: 'seed', value: 1 },
    ]);
    expect(points[1].config.seed).toBe(2);
    expect(points[7].config.training.walk_length).toBe(24);
    expect(points[7].config.graph.p_in).toBe(0.5);
    expect(new Set(points.map((p) => p.experimentId)).size).toBe(8);
  });

  it('accepts a base given as an object, and a grid over a whole section', () => {
    const points = expandSweep(loadSweep(sweepFile({ base: { graph: { n: 50, K: 2 }, training: { w: 8, walk_length: 16, corpus_size: 5000, r: 5 } }, grid: { model: [{ d_model: 16 }, { d_model: 32 }] } })));
    expect(points.map((p) => p.config.model.d_model)).toEqual([16, 32]);
  });

  it('EXPECTED FAILURE - reports every invalid point at once with its grid coordinates', () => {
    const error = errorOf(() => expandSweep(loadSweep(sweepFile({ base: TINY, grid: { 'training.walk_length': [8, 16, 12] }, seeds: [1, 2] }))));
    const invalid = error.problems.filter((p) => p.startsWith('point'));
    expect(invalid).toHaveLength(4);
    expect(invalid[0]).toBe('point 1 (training.walk_length=8, seed=1): training.walk_length: 8 — must be at least 2 * training.w = 16');
    expect(invalid.some((p) => p.startsWith('point 6 (training.walk_length=12, seed=2)'))).toBe(true);
  });

  it('EXPECTED FAILURE - names an unknown grid path and the sweep block', () => {
    const error = errorOf(() => loadSweep(sweepFile({ base: TINY, grid: { 'training.walk_lenght': [16], 'sweep.seeds': [[1]] } })));
    expect(error.problems[0]).toMatch(/grid\.training\.walk_lenght: unknown config path: training has no field "walk_lenght"/);
    expect(error.problems[1]).toMatch(/grid\.sweep\.seeds: the sweep block cannot be swept/);
  });

  it('EXPECTED FAILURE - names the field, value and rule of a malformed sweep file', () => {
    const error = errorOf(() => loadSweep(sweepFile({ base: TINY, grid: { 'graph.p_in': [] }, parallel: 0, extra: 1 })));
    expect(error.message).toMatch(/grid\.graph\.p_in: \[\] — /);
    expect(error.message).toMatch(/parallel: 0 — /);
    expect(error.message).toMatch(/extra: unknown key/);
  });

  it('EXPECTED FAILURE - points that are the same experiment are reported (runtime is not identity)', () => {
    const error = errorOf(() => expandSweep(loadSweep(sweepFile({ base: TINY, grid: { 'runtime.threads': [1, 2] } }))));
    expect(error.problems[1]).toMatch(/point 2 \(runtime\.threads=2\): the same experiment n50_w8_r5_\S+ as point 1/);
  });

  it('reads a config whose original sweep block is set; r_scale_values sets training.r = trunc(scale * w)', () => {
    const tiny = JSON.parse(readFileSync(TINY, 'utf8')) as Record<string, unknown>;
    const spec = loadSweep(sweepFile({ ...tiny, sweep: { w_values: [6, 8], r_scale_values: [0.9, 1.5], seeds: [3] } }));
    const points = expandSweep(spec);
    expect(points.map((p) => [p.config.training.w, p.config.training.r])).toEqual([
      [6, 5],
      [6, 9],
      [8, 7],
      [8, 12],
    ]);
    expect(points.every((p) => p.config.seed === 3 && p.config.sweep === null && p.config.graph.n === 50)).toBe(true);
    expect(spec.notes.join('\n')).toMatch(/training\.r = trunc\(scale \* w\)/);
  });

  it('EXPECTED FAILURE - a plain config without a sweep block is not a sweep', () => {
    expect(errorOf(() => loadSweep(TINY)).message).toMatch(/tiny\.json: neither a sweep file .* nor a config with a "sweep" block/);
  });
});
