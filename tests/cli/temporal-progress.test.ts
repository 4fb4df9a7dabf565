/**
 * The stage table of `npm run temporal -- status|watch`: the workflow's progress view merged
 * with what the server knows of pending activities, and its rendering.
 */
import { describe, expect, it } from 'vitest';
import { mergePending, renderProgress } from '../../src/cli/temporal-progress';
import type { StageHeartbeat } from '../../src/activities/contract';
import type { ProgressView, StageRow } from '../../src/workflows/definitions';

function row(overrides: Partial<StageRow>): StageRow {
  return {
    name: 'graph', queue: 'cpu', status: 'pending', attempts: 0, round: 1, activityId: null, startedAt: null, finishedAt: null,
    seconds: null, cache: null, reasons: [], key: null, digest: null, artifactDir: null, summary: null, error: null, lastHeartbeat: null, currentAttempt: null,
    ...overrides,
  };
}

const heartbeat = (at: string, fraction: number, step: number): StageHeartbeat => ({ stage: 'train', fraction, details: { step, loss: 2.5 }, at });

function view(stages: StageRow[], status: ProgressView['status'] = 'running'): ProgressView {
  return { experimentId: 'exp-1', status, startedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:10:00.000Z', stages, error: null, resultDir: null };
}

describe('merging pending activities into the progress view', () => {
  const running = row({ name: 'train', queue: 'gpu', status: 'running', activityId: 'train.1', startedAt: '2026-01-01T00:00:00.000Z', lastHeartbeat: heartbeat('2026-01-01T00:05:00.000Z', 0.25, 100) });

  it('takes the server heartbeat when it is newer, the live attempt, and the last failure as RETRYING', () => {
    const merged = mergePending(view([running]), [{ activityId: 'train.1', attempt: 3, heartbeat: heartbeat('2026-01-01T00:06:00.000Z', 0.5, 200), lastFailure: 'worker lost' }]);
    expect(merged.stages[0]).toMatchObject({ currentAttempt: 3, lastHeartbeat: { fraction: 0.5 }, error: { code: 'RETRYING', message: 'worker lost' } });
  });

  it('keeps the workflow heartbeat when the server one is older, and ignores activities of another round', () => {
    const older = mergePending(view([running]), [{ activityId: 'train.1', attempt: 1, heartbeat: heartbeat('2026-01-01T00:01:00.000Z', 0.1, 10), lastFailure: null }]);
    expect(older.stages[0].lastHeartbeat?.fraction).toBe(0.25);
    const otherRound = mergePending(view([running]), [{ activityId: 'train.2', attempt: 5, heartbeat: null, lastFailure: 'x' }]);
    expect(otherRound.stages[0]).toEqual(running);
  });
});

describe('rendering the stage table', () => {
  it('shows each stage with its attempts, time and detail, and tells how to resume a waiting stage', () => {
    const lines = renderProgress(
      view(
        [
          row({ status: 'reused', attempts: 1, seconds: 0.4, cache: 'hit' }),
          row({ name: 'walks', status: 'waiting-for-operator', attempts: 3, seconds: 12, error: { code: 'RESOURCE_ERROR', message: 'disk full\nmore' } }),
          row({ name: 'train', queue: 'gpu', status: 'running', attempts: 0, currentAttempt: 2, startedAt: '2026-01-01T00:00:00.000Z', lastHeartbeat: heartbeat('2026-01-01T00:05:00.000Z', 0.42, 120) }),
        ],
        'waiting-for-operator',
      ),
      new Date('2026-01-01T00:01:30.000Z'),
    );
    expect(lines[0]).toBe('Experiment exp-1: WAITING-FOR-OPERATOR (started 2026-01-01T00:00:00.000Z)');
    expect(lines[2]).toMatch(/^  graph\s+cpu\s+reused\s+1\s+\S+\s+cache hit$/);
    expect(lines[3]).toMatch(/^  walks\s+cpu\s+waiting-for-operator\s+3\s+\S+\s+RESOURCE_ERROR: disk full$/);
    expect(lines[4]).toMatch(/^  train\s+gpu\s+running\s+2\s+1m ?30s\s+42\.0% step=120 loss=2\.5$/);
    expect(lines.at(-1)).toBe('  waiting for an operator: npm run temporal -- resume exp-1 [--stage S] retries it, npm run temporal -- abort exp-1 stops.');
  });
});
