/**
 * Temporal experiments in `experiments list` and `watch`: the visibility mapping (typed
 * search attributes -> experiment rows) on fabricated WorkflowExecutionInfo-like records,
 * the merge with local result folders (one row per experiment id, with its source and gate), the
 * Temporal section of the watch, and both commands with a configured but unreachable server
 * (local rows, one line saying so, exit 0).
 */
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { experimentsQuery } from '../../src/cli/temporal-experiments';
import { temporalWanted } from '../../src/cli/temporal-connection';
import {
  experimentFromExecution,
  latestExperiments,
  MERGED_LIST_HEADER,
  mergedListCells,
  mergeExperimentRows,
  type ExperimentListRow,
  type TemporalWatchRun,
  type VisibilityExecution,
} from '../../src/cli/temporal-visibility';
import { LIST_HEADER } from '../../src/ops/list-table';
import { temporalWatchSection } from '../../src/ops/watch-table';
import type { ProgressView, StageRow } from '../../src/workflows/definitions';
import { CONFIG_HASH, EXPERIMENT_ID, EXPERIMENT_STAGE, EXPERIMENT_STATUS, GATE_PASSED } from '../../src/workflows/search-attributes';
import { cli, sandbox, writeRun } from '../ops/fixtures/results';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW - m * 60_000);

function execution(options: {
  id: string;
  status?: VisibilityExecution['status']['name'];
  attributes?: SearchAttributePair[];
  started?: Date;
  closed?: Date;
  runId?: string;
}): VisibilityExecution {
  return {
    workflowId: options.id,
    runId: options.runId ?? `run-${options.id}`,
    status: { name: options.status ?? 'RUNNING' },
    startTime: options.started ?? minutesAgo(10),
    closeTime: options.closed,
    typedSearchAttributes: new TypedSearchAttributes(options.attributes ?? []),
  };
}

describe('visibility mapping', () => {
  it('an open run maps its typed search attributes: id, status, active stages, config hash, gate', () => {
    const info = execution({
      id: 'exp_a',
      attributes: [
        { key: EXPERIMENT_ID, value: 'exp_a' },
        { key: EXPERIMENT_STATUS, value: 'waiting-for-operator' },
        { key: EXPERIMENT_STAGE, value: ['walks'] },
        { key: CONFIG_HASH, value: '0123456789abcdef' },
        { key: GATE_PASSED, value: true },
      ],
    });
    expect(experimentFromExecution(info)).toEqual({
      experimentId: 'exp_a', runId: 'run-exp_a', status: 'waiting-for-operator', workflowStatus: 'RUNNING', open: true,
      stages: ['walks'], configHash: '0123456789abcdef', gatePassed: true, startedAt: minutesAgo(10).toISOString(), closedAt: null,
    });
  });

  it('a closed run keeps the final status the workflow recorded, and drops the active stages', () => {
    const info = execution({ id: 'exp_b', status: 'FAILED', closed: minutesAgo(1), attributes: [{ key: EXPERIMENT_STATUS, value: 'gate_failed' }, { key: EXPERIMENT_STAGE, value: ['train'] }] });
    expect(experimentFromExecution(info)).toMatchObject({ status: 'gate_failed', open: false, stages: [], closedAt: minutesAgo(1).toISOString() });
  });

  it('a closed run whose attribute still says running (terminated, timed out) reports the execution status', () => {
    expect(experimentFromExecution(execution({ id: 'x', status: 'TERMINATED', closed: minutesAgo(1), attributes: [{ key: EXPERIMENT_STATUS, value: 'running' }] })).status).toBe('terminated');
    expect(experimentFromExecution(execution({ id: 'x', status: 'TIMED_OUT', closed: minutesAgo(1) })).status).toBe('timed-out');
    expect(experimentFromExecution(execution({ id: 'x', status: 'COMPLETED', closed: minutesAgo(1) })).status).toBe('succeeded');
  });

  it('without attributes (not yet registered or set) the workflow id and the execution status stand in', () => {
    expect(experimentFromExecution(execution({ id: 'exp_c' }))).toMatchObject({ experimentId: 'exp_c', status: 'running', stages: [], configHash: null, gatePassed: null });
  });

  it('keeps the newest run of each experiment id (a replayed experiment has several), newest first', () => {
    const rows = latestExperiments([
      execution({ id: 'exp_a', runId: 'old', status: 'FAILED', started: minutesAgo(60), closed: minutesAgo(50) }),
      execution({ id: 'exp_b', started: minutesAgo(30) }),
      execution({ id: 'exp_a', runId: 'new', started: minutesAgo(5) }),
    ]);
    expect(rows.map((r) => [r.experimentId, r.runId])).toEqual([['exp_a', 'new'], ['exp_b', 'run-exp_b']]);
  });

  it('queries experiment workflows, all, open or closed', () => {
    expect(experimentsQuery('all')).toBe("WorkflowType = 'experimentWorkflow'");
    expect(experimentsQuery('open')).toBe("WorkflowType = 'experimentWorkflow' AND ExecutionStatus = 'Running'");
    expect(experimentsQuery('closed')).toBe("WorkflowType = 'experimentWorkflow' AND ExecutionStatus != 'Running'");
  });

  it('Temporal is asked with --temporal or a non-blank TEMPORAL_ADDRESS', () => {
    expect(temporalWanted(false, {})).toBe(false);
    expect(temporalWanted(false, { TEMPORAL_ADDRESS: ' ' })).toBe(false);
    expect(temporalWanted(false, { TEMPORAL_ADDRESS: 'temporal:7233' })).toBe(true);
    expect(temporalWanted(true, {})).toBe(true);
  });
});

describe('merging local result folders and Temporal experiments', () => {
  const local = (id: string, status: string, updatedMinutesAgo: number, gatePassed: boolean | null = null): ExperimentListRow => ({
    experimentId: id, status, gatePassed, stages: 'graph:computed walks:computed', seconds: 12, updatedAt: minutesAgo(updatedMinutesAgo).toISOString(), runs: 2, source: 'local',
  });
  const remote = (id: string, options: { open: boolean; status: string; started: number; closed?: number; gate?: boolean }) =>
    experimentFromExecution(
      execution({
        id,
        status: options.open ? 'RUNNING' : 'COMPLETED',
        started: minutesAgo(options.started),
        closed: options.closed === undefined ? undefined : minutesAgo(options.closed),
        attributes: [
          { key: EXPERIMENT_STATUS, value: options.status },
          { key: EXPERIMENT_STAGE, value: options.open ? ['train'] : [] },
          ...(options.gate === undefined ? [] : [{ key: GATE_PASSED, value: options.gate }]),
        ],
      }),
    );

  it('one row per experiment id, each saying where it comes from, newest first (open runs count as now)', () => {
    const rows = mergeExperimentRows(
      [local('only_local', 'failed', 30), local('both_open', 'interrupted', 20), local('both_old_run', 'succeeded', 5)],
      [remote('only_remote', { open: false, status: 'succeeded', started: 50, closed: 40 }), remote('both_open', { open: true, status: 'running', started: 3 }), remote('both_old_run', { open: false, status: 'failed', started: 90, closed: 80 })],
      NOW,
    );
    expect(rows.map((r) => [r.experimentId, r.source, r.status])).toEqual([
      ['both_open', 'local+temporal', 'running'],
      ['both_old_run', 'local+temporal', 'succeeded'],
      ['only_local', 'local', 'failed'],
      ['only_remote', 'temporal', 'succeeded'],
    ]);
  });

  it('an open run shows its active stages and elapsed time, and keeps the folder\'s ledger run count', () => {
    const [row] = mergeExperimentRows([local('e', 'interrupted', 20)], [remote('e', { open: true, status: 'waiting-for-operator', started: 3 })], NOW);
    expect(row).toEqual({ experimentId: 'e', status: 'waiting-for-operator', gatePassed: null, stages: 'active: train', seconds: 180, updatedAt: null, runs: 2, source: 'local+temporal' });
  });

  it('the table has the local table\'s GATE column in the same place, then SOURCE', () => {
    expect(MERGED_LIST_HEADER).toEqual(['EXPERIMENT', 'STATUS', 'GATE', 'STAGES', 'TIME', 'UPDATED', 'RUNS', 'SOURCE']);
    expect(MERGED_LIST_HEADER.slice(0, -1)).toEqual([...LIST_HEADER]);
  });

  it('GATE is the GatePassed attribute for a Temporal row (passed, failed, — when absent) and the result\'s gate for a local row', () => {
    const rows = mergeExperimentRows(
      [local('local_passed', 'succeeded', 40, true), local('local_failed', 'succeeded', 41, false), local('local_none', 'failed', 42)],
      [
        remote('t_passed', { open: false, status: 'succeeded', started: 12, closed: 10, gate: true }),
        remote('t_failed', { open: false, status: 'gate_failed', started: 22, closed: 20, gate: false }),
        remote('t_none', { open: true, status: 'running', started: 3 }),
      ],
      NOW,
    );
    const gate = MERGED_LIST_HEADER.indexOf('GATE');
    expect(mergedListCells(rows, NOW).map((cells) => [cells[0], cells[gate], cells.at(-1)])).toEqual([
      ['t_none', '—', 'temporal'],
      ['t_passed', 'passed', 'temporal'],
      ['t_failed', 'failed', 'temporal'],
      ['local_passed', 'passed', 'local'],
      ['local_failed', 'failed', 'local'],
      ['local_none', '—', 'local'],
    ]);
  });

  it('an id known to both takes its gate from the same side as its status', () => {
    const [older] = mergeExperimentRows([local('e', 'succeeded', 5, true)], [remote('e', { open: false, status: 'gate_failed', started: 90, closed: 80, gate: false })], NOW);
    expect(older).toMatchObject({ status: 'succeeded', gatePassed: true, source: 'local+temporal' });
    const [newer] = mergeExperimentRows([local('e', 'succeeded', 60, true)], [remote('e', { open: false, status: 'gate_failed', started: 30, closed: 20, gate: false })], NOW);
    expect(newer).toMatchObject({ status: 'gate_failed', gatePassed: false, source: 'local+temporal' });
    expect(mergedListCells([newer], NOW)[0][MERGED_LIST_HEADER.indexOf('GATE')]).toBe('failed');
  });

  it('a Temporal run that started after the folder was written is the newer one', () => {
    const [row] = mergeExperimentRows([local('e', 'succeeded', 60)], [remote('e', { open: false, status: 'failed', started: 30, closed: 20 })], NOW);
    expect(row).toMatchObject({ status: 'failed', seconds: 600, runs: 2, source: 'local+temporal' });
  });
});

describe('the Temporal section of the watch', () => {
  const stage = (name: StageRow['name'], status: StageRow['status'], extra: Partial<StageRow> = {}): StageRow => ({
    name, queue: name === 'train' ? 'gpu' : 'cpu', status, attempts: 0, round: 1, activityId: `${name}.1`, startedAt: null, finishedAt: null,
    seconds: null, cache: null, reasons: [], key: null, digest: null, artifactDir: null, summary: null, error: null, lastHeartbeat: null, currentAttempt: null, ...extra,
  });
  const view: ProgressView = {
    experimentId: 'exp_live', status: 'running', startedAt: minutesAgo(5).toISOString(), updatedAt: new Date(NOW).toISOString(), error: null, resultDir: null,
    stages: [
      stage('graph', 'reused', { seconds: 0.1, cache: 'hit' }),
      stage('walks', 'computed', { seconds: 2.5 }),
      stage('train', 'running', { currentAttempt: 2, lastHeartbeat: { stage: 'train', fraction: 0.42, details: { step: 120, loss: 2.31, 'tokens/s': 5400 }, at: new Date(NOW).toISOString() } }),
    ],
  };
  const live: TemporalWatchRun = { experiment: experimentFromExecution(execution({ id: 'exp_live', started: minutesAgo(5), attributes: [{ key: EXPERIMENT_STAGE, value: ['train'] }] })), progress: view, problem: null };
  const silent: TemporalWatchRun = { experiment: experimentFromExecution(execution({ id: 'exp_silent', started: minutesAgo(2) })), progress: null, problem: 'no answer to the progress query (is a worker running?): deadline exceeded' };
  const done: TemporalWatchRun = { experiment: experimentFromExecution(execution({ id: 'exp_done', status: 'COMPLETED', started: minutesAgo(30), closed: minutesAgo(29) })), progress: null, problem: null };

  it('shows each open run\'s stage table and the running stage\'s latest progress details, then recent closed runs', () => {
    const text = temporalWatchSection({ address: 'temporal:7233', runs: [live, silent, done], problem: null, now: NOW });
    const [title, header, ...rows] = text.split('\n');
    expect(title).toBe('Temporal temporal:7233: 2 running, 1 recent');
    expect(header).toMatch(/^EXPERIMENT\s+STATUS\s+STAGE\s+STAGES\s+ELAPSED\s+PROGRESS$/);
    expect(rows[0]).toMatch(/^exp_live\s+running\s+train\s+graph:reused 0\.1s  walks:computed 2\.5s  train:running #2\s+5m00s\s+train 42\.0% step=120 loss=2\.31 tokens\/s=5400$/);
    expect(rows[1]).toMatch(/^exp_silent\s+running\s+-\s+.*no answer to the progress query \(is a worker running\?\)/);
    expect(rows[2]).toMatch(/^exp_done\s+succeeded\s+-\s+1m/);
  });

  it('an unreachable server is the one line that says so', () => {
    const line = 'Temporal: cannot reach the server at temporal:7233 (connection refused); showing local experiments only';
    expect(temporalWatchSection({ address: 'temporal:7233', runs: null, problem: line, now: NOW })).toBe(line);
  });
});

describe('with a configured but unreachable server', () => {
  const unreachable = () => {
    const box = sandbox();
    writeRun(box.results, { id: 'exp_local', status: 'succeeded', trainSummary: { gate_passed: false } });
    return { ...box, env: { ...box.env, TEMPORAL_ADDRESS: '127.0.0.1:1' } };
  };

  it('experiments list prints the local rows (with their GATE) and one line saying Temporal was unreachable, exit 0', () => {
    const out = cli('experiments', ['list'], unreachable());
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^EXPERIMENT\s+STATUS\s+GATE\s+STAGES\s+TIME\s+UPDATED\s+RUNS\s+SOURCE$/m);
    // The same GATE as the local table: a succeeded run whose gate failed says so.
    expect(out.stdout).toMatch(/^exp_local\s+succeeded\s+failed\s+graph:computed walks:computed train:computed\s+.*\s+local$/m);
    expect(out.stdout).toMatch(/^Temporal: cannot reach the server at 127\.0\.0\.1:1 \(.+\); showing local experiments only$/m);
    expect(out.stdout.match(/Temporal:/g)).toHaveLength(1);
  });

  it('experiments list accepts Temporal statuses then, and --temporal asks the default server without TEMPORAL_ADDRESS', () => {
    const out = cli('experiments', ['list', '--status', 'waiting-for-operator'], unreachable());
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^no experiments in .* or Temporal at 127\.0\.0\.1:1 with status waiting-for-operator$/m);
    const box = sandbox();
    const flagged = cli('experiments', ['list', '--temporal'], { ...box, env: { ...box.env, TEMPORAL_ADDRESS: '' } });
    expect(flagged.code, flagged.stderr).toBe(0);
    // Either "no experiments in ... or Temporal at localhost:7233" or, if a local server runs, its table.
    expect(flagged.stdout).toMatch(/or Temporal at localhost:7233|SOURCE/);
  });

  it('watch --once prints the local table and the one line, exit 0', () => {
    const out = cli('watch', ['--once'], unreachable());
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/0 running, 1 recent/);
    expect(out.stdout).toMatch(/^exp_local\s+succeeded/m);
    expect(out.stdout).toMatch(/^Temporal: cannot reach the server at 127\.0\.0\.1:1 \(.+\); showing local experiments only$/m);
  });
});
