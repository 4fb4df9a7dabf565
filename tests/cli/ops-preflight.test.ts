/**
 * Pre-flight through the CLIs, the ledger row an experiment run appends, and the watch
 * snapshot of that run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, sandbox } from '../ops/fixtures/results';

const TINY = join(ROOT, 'configs/tiny.json');

describe('preflight, ledger and watch CLIs', () => {
  it('preflight prints one line per check and exits 0 on a machine with room', () => {
    const out = cli('preflight', [TINY], sandbox());
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/Pre-flight disk: ok — the stages to compute need about .* \[graph .*\(formula\), walks .*\(formula\), train .*\(formula\), evaluate .*\(formula\), analyse .*\(formula\), figures .*\(formula\)\]; .* free/);
    expect(out.stdout).toMatch(/Pre-flight memory: ok — stage (train|evaluate|analyse|figures) needs about/);
    expect(out.stdout).toMatch(/Pre-flight duration: ok — about .* of compute \[graph .*\(benchmark\), .*figures .*\(benchmark\)\]/);
  });

  it('experiment runs the checks first, appends a ledger row, and watch --once shows the run', () => {
    const box = sandbox();
    const run = cli('experiment', [TINY], box);
    expect(run.code, run.stderr).toBe(0);
    // Six checks: results folder, store folder, disk, memory, execution provider, duration.
    expect(run.stdout.indexOf('Pre-flight: 6 checks ok')).toBeGreaterThanOrEqual(0);
    expect(run.stdout.indexOf('Pre-flight: 6 checks ok')).toBeLessThan(run.stdout.indexOf('=== graph ==='));
    const [header, row] = readFileSync(join(box.results, 'ledger.csv'), 'utf8').trim().split('\n');
    expect(header).toBe('time,event,experiment_id,config_hash,status,duration_s,stages,final_loss,edge_compliance,rule_compliance,best_horizon,best_horizon_by_primary_metric,gate_passed,error_stage,error_code,error_message,artifact_digests,git_commit,host,execution_provider,note');
    expect(row).toMatch(/^\S+Z,run,n50_w8_r5_d16_L1_s42_[0-9a-f]{8},[0-9a-f]{16},succeeded,[\d.]+,"\{""graph"":\{""status"":""computed"",""cache"":""miss"",""seconds"":[\d.]+,""attempts"":1\}/);
    // Training metrics come from the train stage's summary, the best horizon from the analyse stage's.
    expect(row).toMatch(/\}\}",[\d.]+,[\d.]+,[\d.]+,\d+,"\{(""[a-z]+\.[a-z0-9_]+"":\d+,?)+\}",(true|false),,,,"\{""graph"":""[0-9a-f]{64}"",""walks"":""[0-9a-f]{64}"",""train"":""[0-9a-f]{64}"",""evaluate"":""[0-9a-f]{64}"",""analyse"":""[0-9a-f]{64}"",""figures"":""[0-9a-f]{64}""\}",[^,]+,[^,]+,cpu,$/);
    const again = cli('experiment', [TINY, '--skip-preflight'], box);
    expect(again.stdout).not.toMatch(/Pre-flight/);
    const watch = cli('watch', ['--once'], box);
    expect(watch.code, watch.stderr).toBe(0);
    expect(watch.stdout).toMatch(/0 running, 1 recent/);
    expect(watch.stdout).toMatch(/n50_w8_r5_d16_L1_s42_\S+\s+succeeded\s+figures\s+graph:reused \S+\s+walks:reused \S+\s+train:reused \S+\s+evaluate:reused \S+\s+analyse:reused \S+\s+figures:reused/);
  });
});
