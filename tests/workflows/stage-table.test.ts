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

  describe('stageProgress signals (the progress query\'s live details)', () => {
    const update = (activityId: string, attempt: number, second: number, details: Record<string, number | string> = { step: second }) => ({
      activityId,
      attempt,
      heartbeat: { stage: activityId.split('.')[0], fraction: second / 100, details, at: at(second).toISOString() },
    });

    it('a running round records the latest heartbeat and attempt, and rows() returns them', () => {
      const table = new StageTable(stagesUpTo());
      table.start('train', 1, at(0));
      expect(table.noteProgress(update('train.1', 1, 5, { step: 120, loss: 2.31, 'tokens/s': 5400 }))).toBe(true);
      const row = table.rows().find((r) => r.name === 'train')!;
      expect(row).toMatchObject({ status: 'running', currentAttempt: 1, lastHeartbeat: { stage: 'train', fraction: 0.05, details: { step: 120, loss: 2.31, 'tokens/s': 5400 } } });
    });

    it('a retried attempt replaces the details; an older attempt or an older report does not', () => {
      const table = new StageTable(stagesUpTo());
      table.start('train', 1, at(0));
      table.noteProgress(update('train.1', 1, 10));
      expect(table.noteProgress(update('train.1', 2, 3))).toBe(true);
      expect(table.noteProgress(update('train.1', 1, 20))).toBe(false);
      expect(table.noteProgress(update('train.1', 2, 2))).toBe(false);
      expect(table.rows().find((r) => r.name === 'train')).toMatchObject({ currentAttempt: 2, lastHeartbeat: { details: { step: 3 } } });
    });

    it('updates of another round, of a stage that is not running, or of an unknown stage are ignored', () => {
      const table = new StageTable(stagesUpTo());
      table.start('graph', 2, at(0));
      expect(table.noteProgress(update('graph.1', 1, 5))).toBe(false);
      expect(table.noteProgress(update('walks.1', 1, 5))).toBe(false);
      expect(table.noteProgress(update('nonsense.1', 1, 5))).toBe(false);
      table.finish(result, at(9));
      expect(table.noteProgress(update('graph.2', 1, 8))).toBe(false);
      expect(table.rows().every((r) => r.lastHeartbeat === null && r.currentAttempt === null)).toBe(true);
    });

    it('BAD CALL - malformed payloads are ignored without throwing (a throwing handler would fail the workflow task)', () => {
      const table = new StageTable(stagesUpTo());
      table.start('graph', 1, at(0));
      for (const bad of [null, 'x', 42, {}, { activityId: 'graph.1', attempt: 0, heartbeat: update('graph.1', 1, 1).heartbeat }, { ...update('graph.1', 1, 1), heartbeat: { stage: 'graph', fraction: Number.NaN, details: {}, at: 'x' } }, { ...update('graph.1', 1, 1), heartbeat: { stage: 'graph', fraction: 0.1, details: { nested: {} }, at: 'x' } }]) {
        expect(table.noteProgress(bad)).toBe(false);
      }
    });

    it('the round ending clears the current attempt but keeps the last details', () => {
      const table = new StageTable(stagesUpTo());
      table.start('graph', 1, at(0));
      table.noteProgress(update('graph.1', 1, 5));
      table.finish(result, at(9));
      expect(table.rows()[0]).toMatchObject({ status: 'computed', currentAttempt: null, lastHeartbeat: { details: { step: 5 } } });
    });
  });

  it('BAD CALL - an unknown stage is a RangeError naming it', () => {
    expect(() => new StageTable(stagesUpTo('graph')).mark('walks', 'failed')).toThrow(/stage 'walks' is not part of this experiment/);
  });
});
