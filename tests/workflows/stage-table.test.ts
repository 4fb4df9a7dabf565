/**
 * The progress table: rows move through their statuses, attempts add up over operator
 * rounds, and the rows convert to result.json's stage records.
 */
import { describe, expect, it } from 'vitest';
import type { RunStageResult } from '../../src/activities/contract';
import { stagesUpTo } from '../../src/pipeline/dag';
import { stageRecordSchema } from '../../src/pipeline/result-schema';
import { StageTable } from '../../src/workflows/stage-table';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const result: RunStageResult = {
  stage: 'graph', key: 'k', digest: 'd', outcome: 'computed', cache: 'miss', reasons: ['new'], attempt: 1,
  seconds: 2, artifactDir: '/store/graph/k', summary: { gate_passed: true },
};

describe('StageTable', () => {
  it('starts with every stage pending, in topological order', () => {
    const table = new StageTable(stagesUpTo());
    expect(table.rows().map((row) => [row.name, row.status])).toEqual(stagesUpTo().map((stage) => [stage.name, 'pending']));
  });

  it('counts attempts over a failed round and the resumed one', () => {
    const table = new StageTable(stagesUpTo());
    table.start('graph', 1, at(0));
    table.fail('graph', { code: 'STAGE_ERROR', message: 'boom' }, 3, null, at(4));
    table.mark('graph', 'waiting-for-operator');
    expect(table.active()).toEqual(['graph']);
    table.start('graph', 2, at(10));
    table.finish(result, at(12));
    const row = table.rows()[0];
    expect(row).toMatchObject({ status: 'computed', attempts: 4, round: 2, activityId: 'graph.2', error: null, digest: 'd' });
    expect(table.active()).toEqual([]);
  });

  it('reports gate_passed from any stage summary', () => {
    const table = new StageTable(stagesUpTo());
    expect(table.gatePassed()).toBeNull();
    table.start('graph', 1, at(0));
    table.finish(result, at(1));
    expect(table.gatePassed()).toBe(true);
  });

  it('converts to schema-valid result.json stage records (waiting counts as failed)', () => {
    const table = new StageTable(stagesUpTo());
    table.start('graph', 1, at(0));
    table.fail('graph', { code: 'STAGE_ERROR', message: 'boom' }, 3, null, at(4));
    table.mark('graph', 'waiting-for-operator');
    const records = table.records();
    records.forEach((record) => stageRecordSchema.parse(record));
    expect(records[0]).toMatchObject({ name: 'graph', status: 'failed', attempts: 3, error: { code: 'STAGE_ERROR' } });
  });

  it('BAD CALL - an unknown stage is a RangeError naming it', () => {
    expect(() => new StageTable(stagesUpTo('graph')).mark('walks', 'failed')).toThrow(/stage 'walks' is not part of this experiment/);
  });
});
