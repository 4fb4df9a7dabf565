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

async function populated(): Promise<Sandbox> {
  const box = sandbox();
  const runs = [
    writeRun(box.results, { id: 'exp_ok', status: 'succeeded', updatedAt: OLD }),
    writeRun(box.results, { id: 'exp_fail_a', status: 'failed', updatedAt: OLD, failedStage: { name: 'walks', code: 'STAGE_ERROR', message: 'worker crashed', attempts: 3 } }),
    writeRun(box.results, { id: 'exp_fail_b', status: 'failed', failedStage: { name: 'graph', code: 'INPUT_ERROR', message: 'graph is not connected | twice', attempts: 1 } }),
    writeRun(box.results, { id: 'exp_running', status: 'running', updatedAt: OLD }),
    writeRun(box.results, { id: 'exp_gate', status: 'succeeded', trainSummary: { gate_passed: false, final_rule_compliance: 0.58, final_edge_compliance: 0.99 } }),
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
    expect(all.stdout).toMatch(/^EXPERIMENT\s+STATUS\s+STAGES/m);
    expect(all.stdout.trim().split('\n')).toHaveLength(7);
    const failed = cli('experiments', ['list', '--status', 'failed,interrupted'], box);
    expect(failed.stdout).toMatch(/exp_fail_a\s+failed\s+graph:computed walks:failed\s+1\.5s\s+\S+ ago\s+1$/m);
    expect(failed.stdout).not.toMatch(/exp_ok/);
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
    expect(gate.stderr).toMatch(/the sufficiency gate failed/);
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

  it('failures groups failed runs by stage and error class into results/failures.md', async () => {
    const box = await populated();
    const out = cli('experiments', ['failures'], box);
    expect(out.code, out.stderr).toBe(0);
    const report = readFileSync(join(box.results, 'failures.md'), 'utf8');
    expect(report).toMatch(/2 failed run\(s\) of 2 experiment\(s\)/);
    expect(report).toMatch(/## walks — StageError \(STAGE_ERROR\): 1 run\(s\)\n\n\| time \| experiment \| attempts \| message \|\n\|---\|---\|---\|---\|\n\| \S+ \| exp_fail_a \| 3 \| worker crashed \|/);
    expect(report).toMatch(/## graph — InputError \(INPUT_ERROR\): 1 run\(s\)/);
    expect(report).toMatch(/graph is not connected \\\| twice/);
    expect(out.stdout).toContain('# Failed runs');
  });

  it('ledger prints the rows and exports them as Parquet with nulls for unreported metrics', async () => {
    const box = await populated();
    const table = cli('experiments', ['ledger'], box);
    expect(table.stdout).toMatch(/run\s+exp_fail_a\s+failed\s+1\.5\s+walks: worker crashed/);
    const target = join(box.dir, 'ledger.parquet');
    const out = cli('experiments', ['ledger', '--parquet', target], box);
    expect(out.code, out.stderr).toBe(0);
    const parquet = await readParquet(target, { columns: ['experiment_id', 'duration_s', 'rule_compliance'] });
    expect(parquet.numRows).toBe(2);
    expect(parquet.columns[0].data).toEqual(['exp_ok', 'exp_fail_a']);
    expect(Array.from(parquet.columns[1].data as Float64Array)).toEqual([1.5, 1.5]);
    expect(Array.from(parquet.columns[2].valid!)).toEqual([0, 0]);
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
