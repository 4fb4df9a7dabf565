import { describe, expect, test } from 'vitest';
import type { RunRecord } from '../../src/ops/run-record';
import { watchSnapshot } from '../../src/ops/watch-table';

const NOW = Date.parse('2026-11-26T12:00:00.000Z');

function record(stages: RunRecord['stages']): RunRecord {
  return {
    experiment_id: 'n500_w64_r57_d128_L4_s42_9c16112a',
    status: 'running',
    started_at: '2026-11-26T11:00:00.000Z',
    updated_at: '2026-11-26T11:59:58.000Z',
    config_hash: '9c16112a1e86901c',
    config: {},
    stages,
  };
}

describe('watchSnapshot', () => {
  test('a running local stage shows its recorded progress and ETA', () => {
    const scan = {
      folders: [
        {
          dir: '/results/x',
          record: record([
            { name: 'walks', status: 'reused', seconds: 0.1 },
            { name: 'train', status: 'running', attempts: 1, progress: { fraction: 0.4213, eta_seconds: 4830 } },
          ]),
        },
      ],
      problems: [],
    };
    const text = watchSnapshot(scan, '/results', { recent: 10, now: NOW });
    expect(text).toContain('walks:reused 0.1s  train:running 42.1% ETA 1h20m');
  });

  test('before its first report, or without an estimate yet, the cell says what it knows', () => {
    const scan = {
      folders: [{ dir: '/results/x', record: record([{ name: 'train', status: 'running', attempts: 2, progress: { fraction: 0.001, eta_seconds: null } }, { name: 'evaluate', status: 'pending', progress: null }]) }],
      problems: [],
    };
    const text = watchSnapshot(scan, '/results', { recent: 10, now: NOW });
    expect(text).toContain('train:running #2 0.1%  evaluate:pending');
  });
});
