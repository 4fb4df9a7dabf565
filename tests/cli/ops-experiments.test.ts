/**
 * The experiments CLI (list, show, archive, promote, failures, ledger) on hand-written
 * result folders in a temporary results root.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readParquet } from '../../src/artifacts/parquet';
import { appendLedgerRow } from '../../src/ops/ledger';
import { ledgerRowForRun } from '../../src/ops/ledger-row';
import { readRunRecord, type RunRecord } from '../../src/ops/run-record';
import { cli, sandbox, writeRun, type Sandbox } from '../ops/fixtures/results';

const OLD = '2026-01-01T00:00:00.000Z';
const PROGRESS = { fraction: 0.42, eta_seconds: 12, details: { walk: 2100 }, at: '2025-12-31T23:59:58.000Z' };

async function populated(): Promise<Sandbox> {
  const box = sandbox();
  const runs = [
    writeRun(box.results, { id: 'exp_ok', status: 'succeeded', updatedAt: OLD }),
    writeRun(box.results, { id: 'exp_fail_a', status: 'failed', updatedAt: OLD, failedStage: { name: 'walks', code: 'STAGE_ERROR', message: 'worker crashed', attempts: 3, progress: PROGRESS } }),
    writeRun(box.results, { id: 'exp_fail_b', status: 'failed', failedStage: { name: 'graph', code: 'INPUT_ERROR', message: 'graph is not connected | twice', attempts: 1 } }),
    writeRun(box.results, { id: 'exp_running', status: 'running', updatedAt: OLD }),
    writeRun(box.results, { id: 'exp_gate', status: 'succeeded', trainSummary: { gate_passed: false, final_rule_compliance: 0.58, final_edge_compliance: 0.99, gate_thresholds: { edge: 0.95, rule: 0.8 } } }),
    writeRun(box.results, { id: 'exp_good', status: 'succeeded', seed: 7, trainSummary: { gate_passed: true, final_rule_compliance: 0.91, final_edge_compliance: 0.99, final_loss: 1.25 } }),
  ];
  for (const dir of runs.slice(0, 2)) await appendLedgerRow(join(box.results, 'ledger.csv'), ledgerRowForRun(readRunRecord(join(dir, 'result.json')) as RunRecord));
  return box;
}

describe('experiments CLI', () => {
  it('list shows every result folder and filters by status', async () => {
    // Without a server configured (with one, list adds Temporal's experiments: temporal-list-watch.test.ts).
    const populatedBox = await populated();
    const box = { ...populatedBox, env: { ...populatedBox.env, TEMPORAL_ADDRESS: '' } };
    const all = cli('experiments', ['list'], box);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^EXPERIMENT\s+STATUS\s+GATE\s+STAGES/m);
    expect(all.stdout.trim().split('\n')).toHaveLength(7);
    const failed = cli('experiments', ['list', '--status', 'failed,interrupted'], box);
    expect(failed.stdout).toMatch(/exp_fail_a\s+failed\s+—\s+graph:computed walks:failed\s+1\.5s\s+\S+ ago\s+1$/m);
    expect(failed.stdout).not.toMatch(/exp_ok/);
  });

  it('list has a GATE column: a succeeded run whose gate failed says so', async () => {
    const populatedBox = await populated();
    const out = cli('experiments', ['list', '--status', 'succeeded'], { ...populatedBox, env: { ...populatedBox.env, TEMPORAL_ADDRESS: '' } });
    expect(out.stdout).toMatch(/^EXPERIMENT\s+STATUS\s+GATE\s+STAGES\s+TIME\s+UPDATED\s+RUNS$/m);
    expect(out.stdout).toMatch(/^exp_gate\s+succeeded\s+failed\s+graph:computed/m);
    expect(out.stdout).toMatch(/^exp_good\s+succeeded\s+passed\s+graph:computed/m);
    expect(out.stdout).toMatch(/^exp_ok\s+succeeded\s+—\s+graph:computed/m);
  });

  it('BAD CALL - list --status with an unknown status exits 2 naming it', () => {
    const out = cli('experiments', ['list', '--status', 'done'], sandbox());
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--status: "done" — must be one of running, succeeded, failed, gate_failed, interrupted/);
  });

  it('show prints stages, metrics (only those reported) and the ledger history, by id prefix', async () => {
    const box = await populated();
    const out = cli('experiments', ['show', 'exp_fail_a'], box);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/Experiment exp_fail_a: FAILED/);
    expect(out.stdout).toMatch(/walks\s+failed\s+miss\s+3\s+0\.5s\s+a{12}\s+STAGE_ERROR: worker crashed/);
    expect(out.stdout).toMatch(/final loss \(not reported\)/);
    expect(out.stdout).toMatch(/\s+run\s+failed\s+1\.5/);
    const good = cli('experiments', ['show', 'exp_go'], box);
    expect(good.stdout).toMatch(/final loss 1\.25, edge compliance 0\.99, rule compliance 0\.91, gate passed true/);
    const ambiguous = cli('experiments', ['show', 'exp_fail'], box);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/the prefix matches 2 experiments \(exp_fail_b, exp_fail_a\)/);
  });

  it('archive --dry-run lists what would move and moves nothing; archive moves with a note and spares running runs and the store', async () => {
    const box = await populated();
    const dry = cli('experiments', ['archive', '--older-than', '7d', '--dry-run'], box);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would move exp_ok \(succeeded\)/);
    expect(dry.stdout).toMatch(/would move exp_fail_a \(failed\)/);
    expect(dry.stdout).not.toMatch(/exp_running|exp_fail_b/);
    expect(existsSync(join(box.results, 'exp_ok'))).toBe(true);
    const real = cli('experiments', ['archive', '--status', 'failed', '--older-than', '7d'], box);
    expect(real.stdout).toMatch(/archived 1 result folder\(s\) \(status failed, older than 7d\)/);
    const archived = join(box.dir, 'results-archive', 'exp_fail_a');
    expect(readdirSync(archived).sort()).toEqual(['ARCHIVED.json', 'config.json', 'result.json']);
    expect(JSON.parse(readFileSync(join(archived, 'ARCHIVED.json'), 'utf8'))).toMatchObject({ reason: 'status failed, older than 7d', status: 'failed' });
    expect(existsSync(join(box.results, 'exp_fail_a'))).toBe(false);
    // show still finds it, in results-archive/, and says so.
    const shown = cli('experiments', ['show', 'exp_fail_a'], box);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`folder:      ${archived}`);
    expect(shown.stdout).toMatch(/archived:\s+\S+ \(status failed, older than 7d\); not in /);
    expect(shown.stdout).toMatch(/\s+run\s+failed\s+1\.5/);
    const missing = cli('experiments', ['show', 'exp_nowhere'], box);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no result folder in .*results or .*results-archive has that id or prefix/);
  });

  it('BAD CALL - archive without a filter exits 2', () => {
    const out = cli('experiments', ['archive'], sandbox());
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/give --status and\/or --older-than/);
  });

  it('promote refuses a failed run, a failed gate, and a threshold the run does not report, naming each reason', async () => {
    const box = await populated();
    const failed = cli('experiments', ['promote', 'exp_fail_a'], box);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/cannot promote exp_fail_a:\n\s+status is failed: only a succeeded run can be promoted/);
    const gate = cli('experiments', ['promote', 'exp_gate', '--min-rule-compliance', '0.8'], box);
    expect(gate.stderr).toMatch(/the sufficiency gate failed: edge compliance 0\.99 \(needs > 0\.95: met\), rule compliance 0\.58 \(needs > 0\.8: not met\)/);
    expect(gate.stderr).toMatch(/--min-rule-compliance 0\.8: the run's rule compliance is 0\.58/);
    const missing = cli('experiments', ['promote', 'exp_ok', '--min-rule-compliance', '0.8'], box);
    expect(missing.stderr).toMatch(/the run reports no rule compliance \(no train stage result\), so the threshold cannot be checked/);
    expect(existsSync(join(box.dir, 'configs'))).toBe(false);
  });

  it('promote --dry-run writes nothing; promote copies the config without runtime and records it in the ledger', async () => {
    const box = await populated();
    const dry = cli('experiments', ['promote', 'exp_good', '--name', 'best', '--min-rule-compliance', '0.9', '--dry-run'], box);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/\[dry-run\] would promote exp_good -> .*configs\/promoted\/best\.json/);
    expect(existsSync(join(box.dir, 'configs'))).toBe(false);
    const real = cli('experiments', ['promote', 'exp_good', '--name', 'best', '--min-rule-compliance', '0.9'], box);
    expect(real.code, real.stderr).toBe(0);
    const promoted = JSON.parse(readFileSync(join(box.dir, 'configs/promoted/best.json'), 'utf8')) as Record<string, unknown>;
    expect(promoted.runtime).toBeUndefined();
    expect(promoted.seed).toBe(7);
    expect(readFileSync(join(box.results, 'ledger.csv'), 'utf8')).toMatch(/,promote,exp_good,.*promoted to .*best\.json/);
    const clash = cli('experiments', ['promote', 'exp_ok', '--name', 'best'], box);
    expect(clash.stderr).toMatch(/best\.json already exists with a different config \(pass --force/);
  });

  it('promoting the same config again says it is unchanged and appends no ledger row', async () => {
    const box = await populated();
    const ledgerText = () => readFileSync(join(box.results, 'ledger.csv'), 'utf8');
    expect(cli('experiments', ['promote', 'exp_good', '--name', 'best'], box).code).toBe(0);
    const once = ledgerText();
    expect(once.match(/,promote,/g)).toHaveLength(1);
    // The promote row does not repeat the run's duration (1.5 s): summing duration_s counts the run once.
    expect(once).toMatch(/,promote,exp_good,0123456789abcdef,succeeded,,/);
    const again = cli('experiments', ['promote', 'exp_good', '--name', 'best'], box);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already promoted \(unchanged\): exp_good -> .*best\.json; nothing written, no ledger row/);
    expect(ledgerText()).toBe(once);
  });

  it('failures groups failed runs by stage and error class, with attempts and last progress, into results/failures.md', async () => {
    const box = await populated();
    const out = cli('experiments', ['failures'], box);
    expect(out.code, out.stderr).toBe(0);
    const report = readFileSync(join(box.results, 'failures.md'), 'utf8');
    expect(report).toMatch(/2 failed run\(s\) of 2 experiment\(s\)/);
    // exp_fail_a comes from the ledger: its last progress travelled in the stages cell.
    expect(report).toMatch(
      /## failed: walks — StageError \(STAGE_ERROR\): 1 run\(s\)\n\n\| time \| experiment \| attempts \| last progress \| message \|\n\|---\|---\|---\|---\|---\|\n\| \S+ \| exp_fail_a \| 3 \| 42\.0% walk=2100 at 2025-12-31T23:59:58\.000Z \| worker crashed \|/,
    );
    expect(report).toMatch(/## failed: graph — InputError \(INPUT_ERROR\): 1 run\(s\)/);
    // Markdown escapes the pipe inside a cell; the terminal shows the message as it is.
    expect(report).toMatch(/graph is not connected \\\| twice/);
    expect(out.stdout).toMatch(/^Failed runs in .*: 2 failed run\(s\) of 2 experiment\(s\)\.$/m);
    expect(out.stdout).toMatch(/^ {2}TIME\s+EXPERIMENT\s+ATTEMPTS\s+LAST PROGRESS$/m);
    expect(out.stdout).toMatch(/exp_fail_b\s+1\n {6}graph is not connected \| twice$/m);
    expect(out.stdout).not.toContain('\\|');
  });

  it('failures includes gate_failed and interrupted runs, grouped as such, and filters by --status', async () => {
    const box = sandbox();
    const broken = writeRun(box.results, { id: 'exp_broken', status: 'failed', failedStage: { name: 'walks', code: 'STAGE_ERROR', message: 'boom:\n  walk 7 has no successor', attempts: 3 } });
    await appendLedgerRow(join(box.results, 'ledger.csv'), ledgerRowForRun(readRunRecord(join(broken, 'result.json')) as RunRecord));
    writeRun(box.results, {
      id: 'exp_stopped',
      status: 'gate_failed',
      trainSummary: { gate_passed: false },
      runError: { stage: 'train', code: 'GATE_FAILED', message: 'stopped after train: the sufficiency gate failed' },
    });
    writeRun(box.results, {
      id: 'exp_ctrl_c',
      status: 'interrupted',
      failedStage: { name: 'walks', code: 'CANCELLED', message: 'interrupted during walks', attempts: 1, stageStatus: 'interrupted', progress: { ...PROGRESS, fraction: 0.25 } },
    });
    const all = cli('experiments', ['failures'], box);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/1 failed, 1 gate_failed, 1 interrupted run\(s\) of 3 experiment\(s\)/);
    const groups = all.stdout.split('\n').filter((line) => /^\S.*: \d+ run\(s\)$/.test(line));
    expect(groups).toEqual([
      'failed: walks — StageError (STAGE_ERROR): 1 run(s)',
      'gate_failed: train — GateFailed (GATE_FAILED): 1 run(s)',
      'interrupted: walks — Cancelled (CANCELLED): 1 run(s)',
    ]);
    expect(all.stdout).toMatch(/exp_ctrl_c\s+1\s+25\.0% walk=2100 at \S+\n {6}interrupted during walks$/m);
    // The ledger flattened the message's line break; the terminal shows it as written (from result.json), the Markdown on one line.
    expect(all.stdout).toMatch(/exp_broken\s+3\n {6}boom:\n {8}walk 7 has no successor$/m);
    expect(readFileSync(join(box.results, 'failures.md'), 'utf8')).toMatch(/\| boom: \\\|   walk 7 has no successor \|$/m);
    const only = cli('experiments', ['failures', '--status', 'gate_failed,interrupted'], box);
    expect(only.stdout).toMatch(/1 gate_failed, 1 interrupted run\(s\) of 2 experiment\(s\)/);
    expect(only.stdout).not.toMatch(/exp_broken/);
    expect(readFileSync(join(box.results, 'failures.md'), 'utf8')).not.toMatch(/exp_broken/);
    const bad = cli('experiments', ['failures', '--status', 'succeeded'], box);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status: "succeeded" — must be one of failed, gate_failed, interrupted/);
  });

  it('ledger prints the rows and exports them as Parquet with nulls for unreported metrics', async () => {
    const box = await populated();
    const table = cli('experiments', ['ledger'], box);
    expect(table.stdout).toMatch(/run\s+exp_fail_a\s+failed\s+1\.5\s+walks: worker crashed/);
    const target = join(box.dir, 'ledger.parquet');
    const out = cli('experiments', ['ledger', '--parquet', target], box);
    expect(out.code, out.stderr).toBe(0);
    const parquet = await readParquet(target, { columns: ['experiment_id', 'duration_s', 'rule_compliance', 'best_horizon_by_primary_metric'] });
    expect(parquet.numRows).toBe(2);
    expect(parquet.columns[0].data).toEqual(['exp_ok', 'exp_fail_a']);
    expect(Array.from(parquet.columns[1].data as Float64Array)).toEqual([1.5, 1.5]);
    expect(Array.from(parquet.columns[2].valid!)).toEqual([0, 0]);
    expect(Array.from(parquet.columns[3].valid!)).toEqual([0, 0]);
  });

  it('the ledger and its Parquet export carry the best horizon per primary metric as JSON', async () => {
    const box = sandbox();
    const horizons = { 'qkt.spectral_entropy': 2, 'avwo.stable_rank': 0 };
    const dir = writeRun(box.results, { id: 'exp_h', status: 'succeeded', analyseSummary: { best_horizon: 2, best_horizon_by_primary_metric: horizons } });
    await appendLedgerRow(join(box.results, 'ledger.csv'), ledgerRowForRun(readRunRecord(join(dir, 'result.json')) as RunRecord));
    const target = join(box.dir, 'ledger.parquet');
    expect(cli('experiments', ['ledger', '--parquet', target], box).code).toBe(0);
    const parquet = await readParquet(target, { columns: ['best_horizon', 'best_horizon_by_primary_metric'] });
    expect(Array.from(parquet.columns[0].data as Float64Array)).toEqual([2]);
    expect(JSON.parse((parquet.columns[1].data as string[])[0])).toEqual(horizons);
    const show = cli('experiments', ['show', 'exp_h'], box);
    expect(show.stdout).toMatch(/^Best horizon per primary metric: qkt\.spectral_entropy 2, avwo\.stable_rank 0$/m);
  });

  it('compare writes one self-contained report of the runs, marking the config fields that differ', () => {
    const box = sandbox();
    writeRun(box.results, { id: 'exp_seed1', status: 'succeeded', seed: 1 });
    writeRun(box.results, { id: 'exp_seed2', status: 'failed', seed: 2, failedStage: { name: 'walks', code: 'STAGE_ERROR', message: 'boom', attempts: 3 } });
    const out = cli('experiments', ['compare', 'exp_seed1', 'exp_seed2'], box);
    expect(out.code, out.stderr).toBe(0);
    const path = /comparison of 2 experiments: (.+)$/m.exec(out.stdout)![1];
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('exp_seed1');
    expect(html).toContain('exp_seed2');
    // The seed differs, graph.n does not; the page loads nothing from elsewhere.
    expect(html).toMatch(/<tr class="differs"><td class="key mono">seed<\/td><td class="num base">1<\/td><td class="num diff">2<\/td><\/tr>/);
    expect(html).not.toMatch(/<tr class="differs"><td class="key mono">graph\.n</);
    expect(html).toMatch(/<tr><td class="key">graph\.n<\/td>/);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('BAD CALL - compare with one id exits 2', () => {
    const box = sandbox();
    writeRun(box.results, { id: 'exp_only', status: 'succeeded' });
    const out = cli('experiments', ['compare', 'exp_only'], box);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/compare: expected two or more experiment ids, got exp_only/);
  });
});
