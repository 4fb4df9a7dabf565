/**
 * What a run's and a promotion's ledger rows record, from hand-written result folders.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ledgerRowForPromotion, ledgerRowForRun } from '../../src/ops/ledger-row';
import { readRunRecord, type RunRecord } from '../../src/ops/run-record';
import { sandbox, writeRun, type FakeRun } from './fixtures/results';

function record(run: FakeRun): RunRecord {
  const box = sandbox();
  return readRunRecord(join(writeRun(box.results, run), 'result.json')) as RunRecord;
}

const HORIZONS = { 'qkt.spectral_entropy': 2, 'qkt.grassmannian_distance': 0, 'avwo.stable_rank': 3 };

describe('ledger rows', () => {
  it('record the best horizon per primary metric as compact JSON beside the overall best horizon', () => {
    const row = ledgerRowForRun(record({ id: 'exp_h', status: 'succeeded', analyseSummary: { best_horizon: 3, best_horizon_by_primary_metric: HORIZONS } }));
    expect(row.best_horizon).toBe('3');
    expect(JSON.parse(row.best_horizon_by_primary_metric)).toEqual(HORIZONS);
    expect(row.best_horizon_by_primary_metric).toBe('{"qkt.spectral_entropy":2,"qkt.grassmannian_distance":0,"avwo.stable_rank":3}');
  });

  it('leave the horizons empty when the run has no analyse summary, or a malformed one', () => {
    expect(ledgerRowForRun(record({ id: 'exp_none', status: 'succeeded' })).best_horizon_by_primary_metric).toBe('');
    const malformed = record({ id: 'exp_bad', status: 'succeeded', analyseSummary: { best_horizon_by_primary_metric: { 'qkt.spectral_entropy': 'two' } } });
    expect(ledgerRowForRun(malformed).best_horizon_by_primary_metric).toBe('');
  });

  it('keep the last progress of a failed stage in the stages cell', () => {
    const progress = { fraction: 0.42, eta_seconds: 30, details: { step: 84, loss: 2.5 }, at: '2026-01-01T00:00:00.000Z' };
    const row = ledgerRowForRun(record({ id: 'exp_f', status: 'failed', failedStage: { name: 'walks', code: 'STAGE_ERROR', message: 'boom', attempts: 2, progress } }));
    const stages = JSON.parse(row.stages) as Record<string, Record<string, unknown>>;
    expect(stages.walks).toEqual({ status: 'failed', cache: 'miss', seconds: 0.5, attempts: 2, progress });
    expect(stages.graph).not.toHaveProperty('progress');
  });

  it('a promotion row leaves duration_s empty, so summing the ledger counts each run once', () => {
    const run = record({ id: 'exp_p', status: 'succeeded' });
    expect(ledgerRowForRun(run).duration_s).toBe('1.5');
    const promotion = ledgerRowForPromotion(run, '/configs/promoted/p.json');
    expect(promotion).toMatchObject({ event: 'promote', duration_s: '', note: 'promoted to /configs/promoted/p.json' });
  });
});
