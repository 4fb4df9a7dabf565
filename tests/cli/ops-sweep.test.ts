/**
 * The sweep CLI as a user runs it: dry run with cache sharing, invalid sweeps (exit 2,
 * nothing run), and a real two-point run recorded in the ledger.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, sandbox } from '../ops/fixtures/results';

const TINY = join(ROOT, 'configs/tiny.json');

describe('sweep CLI', () => {
  it('dry run of a 2x2 grid x 2 seeds prints every point id and the expected sharing: 44 stage runs to compute, 4 shared', () => {
    const box = sandbox();
    const path = join(box.dir, 'sweep.json');
    writeFileSync(path, JSON.stringify({ base: TINY, grid: { 'training.walk_length': [16, 24], 'graph.p_in': [0.4, 0.5] }, seeds: [1, 2] }));
    const out = cli('sweep', [path, '--dry-run'], box);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/8 point\(s\) = 2 \(training\.walk_length\) x 2 \(graph\.p_in\) x 2 \(seed\); 1 at once/);
    expect(out.stdout.match(/^\d+\s+n50_w8_r5_d16_L1_s[12]_[0-9a-f]{8}\s/gm)).toHaveLength(8);
    expect(out.stdout).toMatch(/^5\s+\S+\s+24\s+0\.4\s+1\s+shared #1\s+compute\s+compute\s+compute\s+compute\s+compute$/m);
    expect(out.stdout).toMatch(/Stage runs: 48 in total: 0 cache hit\(s\), 44 to compute, 4 shared with an earlier point/);
    expect(out.stdout).toMatch(/graph\s+8 runs: 0 hit\(s\), 4 to compute, 4 shared/);
    expect(out.stdout).toMatch(/\[dry-run\] nothing was computed/);
    expect(existsSync(box.results)).toBe(false);
  });

  it('exits 2 listing every invalid point with its coordinates, and runs nothing', () => {
    const box = sandbox();
    const path = join(box.dir, 'sweep.json');
    writeFileSync(path, JSON.stringify({ base: TINY, grid: { 'training.walk_length': [8, 16], 'graph.p_in': [0.4, 1.5] } }));
    const out = cli('sweep', [path], box);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/point 1 \(training\.walk_length=8, graph\.p_in=0\.4\): training\.walk_length: 8 — must be at least 2 \* training\.w = 16/);
    expect(out.stderr).toMatch(/point 2 \(training\.walk_length=8, graph\.p_in=1\.5\): graph\.p_in: 1\.5 — /);
    expect(out.stderr).toMatch(/point 4 \(training\.walk_length=16, graph\.p_in=1\.5\): graph\.p_in/);
    expect(existsSync(box.results)).toBe(false);
  });

  it('exits 2 for a bad --parallel', () => {
    const out = cli('sweep', [TINY, '--parallel', '0'], sandbox());
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--parallel: "0" — must be an integer >= 1/);
  });

  it('runs two points at once, shares their graph, prints a summary and records both in the ledger', () => {
    const box = sandbox();
    const path = join(box.dir, 'sweep.json');
    writeFileSync(path, JSON.stringify({ base: TINY, grid: { 'training.walk_length': [16, 24] }, parallel: 2 }));
    const out = cli('sweep', [path], box);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/Sweep: 2 succeeded, 0 failed, 0 interrupted, 0 not started/);
    // One point computes the graph; the other waits on its lock or finds it published.
    expect(out.stdout.match(/graph: computed/g)).toHaveLength(1);
    const ledger = readFileSync(join(box.results, 'ledger.csv'), 'utf8').trim().split('\n');
    expect(ledger).toHaveLength(3);
    const again = cli('sweep', [path, '--dry-run'], box);
    expect(again.stdout).toMatch(/Stage runs: 12 in total: 12 cache hit\(s\), 0 to compute, 0 shared/);
  });
});
