/**
 * The sweep CLI as a user runs it: dry run with cache sharing, invalid sweeps (exit 2,
 * nothing run), a real two-point run recorded in the ledger, and searches: the budget plan of
 * the halving example, and a small halving search whose promoted trials continue from their
 * previous rung, re-run as cache hits with the same leaderboard.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    // Each point's result.json records where it sits in the grid, and show prints it.
    const pointIds = readdirSync(box.results).filter((name) => name.startsWith('n50'));
    const points = pointIds.map((id) => JSON.parse(readFileSync(join(box.results, id, 'result.json'), 'utf8')).sweep_point);
    expect(points.map((p) => [p.source, p.index, p.of, p.coordinates]).sort()).toEqual([
      [path, 1, 2, [{ axis: 'training.walk_length', value: 16 }]],
      [path, 2, 2, [{ axis: 'training.walk_length', value: 24 }]],
    ]);
    const shown = cli('experiments', ['show', pointIds[0]], box);
    expect(shown.stdout).toMatch(new RegExp(`  sweep point: #[12] of 2 in ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: training\\.walk_length=(16|24)\n`));
    const again = cli('sweep', [path, '--dry-run'], box);
    expect(again.stdout).toMatch(/Stage runs: 12 in total: 12 cache hit\(s\), 0 to compute, 0 shared/);
  });
});

describe('sweep CLI: searches', () => {
  it('dry run of configs/searches/tiny-halving.json prints the trials and the budget plan: 525 training steps against 2025 for the grid', () => {
    const box = sandbox();
    const out = cli('sweep', [join(ROOT, 'configs/searches/tiny-halving.json'), '--dry-run'], box);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/halving search: 9 trial\(s\) sampled with search_seed 2026 over training\.learning_rate, model\.d_model/);
    expect(out.stdout).toMatch(/^0\s+25\s+9\s+25\s+225$/m);
    expect(out.stdout).toMatch(/^1\s+75\s+3\s+50\s+150$/m);
    expect(out.stdout).toMatch(/^2\s+225\s+1\s+150\s+150$/m);
    expect(out.stdout).toMatch(/Training steps: halving 525 \(675 if every rung trained from scratch\); the grid over the same 9 trials at 225 steps: 2025/);
    expect(out.stdout).toMatch(/training steps to compute: 225 \(0 train cache hit\(s\)\)/);
    expect(out.stdout).toMatch(/Not planned yet: rung 1 and later: decided by the objectives of rung 0/);
    expect(existsSync(box.results)).toBe(false);
  });

  it('a halving search runs rung by rung, promoted trials continue from their previous rung, and a re-run is all cache hits with the same leaderboard', () => {
    const box = sandbox();
    const path = join(box.dir, 'small-halving.json');
    writeFileSync(
      path,
      JSON.stringify({
        base: TINY,
        strategy: 'halving',
        n_trials: 4,
        search_seed: 3,
        space: { 'training.learning_rate': { log_uniform: { low: 0.0003, high: 0.01 } }, 'model.d_model': { choice: [8, 16] } },
        halving: { min_steps: 10, max_steps: 40, eta: 2 },
        objective: { path: 'stages.train.summary.final_loss', direction: 'minimize' },
        parallel: 2,
      }),
    );
    const out = cli('sweep', [path], box);
    expect(out.code, out.stderr).toBe(0);
    const dir = join(box.results, 'searches', 'small-halving');
    const search = JSON.parse(readFileSync(join(dir, 'search.json'), 'utf8')) as { runs: { trial: number; rung: number; max_steps: number; continued_from_step: number | null; status: string }[]; training_steps: number };
    expect(search.runs.map((run) => [run.rung, run.max_steps])).toEqual([[0, 10], [0, 10], [0, 10], [0, 10], [1, 20], [1, 20], [2, 40]]);
    // Every promoted run continued from the final state of its trial's previous rung.
    expect(search.runs.filter((run) => run.rung === 0).every((run) => run.continued_from_step === null)).toBe(true);
    expect(search.runs.filter((run) => run.rung === 1).map((run) => run.continued_from_step)).toEqual([10, 10]);
    expect(search.runs.filter((run) => run.rung === 2).map((run) => run.continued_from_step)).toEqual([20]);
    expect(search.training_steps).toBe(4 * 10 + 2 * 10 + 20);
    expect(out.stdout).toMatch(/Training steps of this search: 80 \(80 trained now, the rest were cache hits\); planned at most: halving 80, from scratch 120, the grid over the same trials 160/);
    const leaderboard = readFileSync(join(dir, 'leaderboard.csv'), 'utf8');
    expect(leaderboard.split('\n')[0]).toBe('rank,trial,training.learning_rate,model.d_model,rung,max_steps,objective,@10,@20,@40,status,continued_from,trained,experiment');
    expect(leaderboard.split('\n')[1]).toMatch(/^1,\d,[0-9.e-]+,(8|16),2,40,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,succeeded,20,40,n50_w8_r5_d(8|16)_L1_s42_[0-9a-f]{8}$/);
    expect(readFileSync(join(dir, 'search.html'), 'utf8')).toMatch(/<h2>Best config: trial \d<\/h2>/);
    expect(readFileSync(join(box.results, 'ledger.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 7);

    const again = cli('sweep', [path], box);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/: computing/);
    expect(again.stdout).toMatch(/Training steps of this search: 80 \(0 trained now/);
    expect(readFileSync(join(dir, 'leaderboard.csv'), 'utf8')).toBe(leaderboard);
    const dry = cli('sweep', [path, '--dry-run'], box);
    expect(dry.stdout).toMatch(/Rung 2 \(training\.max_steps 40\): 1 trial\(s\)/);
    expect(dry.stdout).toMatch(/training steps to compute: 0 \(1 train cache hit\(s\); promoted trials continue from step 20\)/);
  });

  it('exits 2 naming the field of an invalid search, and runs nothing', () => {
    const box = sandbox();
    const path = join(box.dir, 'bad-search.json');
    writeFileSync(path, JSON.stringify({ base: TINY, strategy: 'random', n_trials: 2, search_seed: 1, space: { 'training.learning_rate': { log_uniform: { low: -1, high: 1 } } }, objective: { path: 'stages.train.summary.final_loss', direction: 'up' } }));
    const out = cli('sweep', [path], box);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/objective\.direction: "up" — /);
    expect(existsSync(box.results)).toBe(false);
  });
});
