/**
 * The committed replay fixtures (tests/fixtures/histories/*.json) as builder scripts: for
 * each workflow task, the commands the experiment workflow issues, in order. Regenerate
 * with `npx tsx tests/temporal/history-scenarios.ts` after a deliberate, patched change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunStageResult } from '../../src/activities/contract';
import { sweepPoints } from '../../src/activities/sweep-points';
import { loadConfigFile } from '../../src/config/load';
import { configHash, experimentId } from '../../src/config/hash';
import type { SweepDefinition } from '../../src/ops/sweep-spec';
import type { ExperimentInput } from '../../src/workflows/definitions';
import type { SweepInput } from '../../src/workflows/sweep-workflow';
import { HistoryBuilder } from './history-builder';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const HISTORIES_DIR = join(PROJECT_ROOT, 'tests', 'fixtures', 'histories');

const CPU = 'dcsbm-cpu';
const GPU = 'dcsbm-gpu';
/** The operator wait's timer: condition(fn, '7d'). */
const OPERATOR_WAIT_SECONDS = 7 * 24 * 3600;

/** The experiment input every scenario starts with (configs/tiny.json). */
export function experimentInput(): ExperimentInput {
  const { config } = loadConfigFile(join(PROJECT_ROOT, 'configs', 'tiny.json'));
  // The stage list of the experiments these histories recorded: it is part of the input.
  return { config, experimentId: experimentId(config), stages: ['graph', 'walks'], configHash: configHash(config) };
}

function stageResult(stage: RunStageResult['stage'], attempt = 1): RunStageResult {
  return {
    stage,
    key: `${stage}-key`.padEnd(64, '0'),
    digest: `${stage}-digest`.padEnd(64, '0'),
    outcome: 'computed',
    cache: 'miss',
    reasons: ['no artifact of this stage yet'],
    attempt,
    seconds: 1.5,
    artifactDir: `/store/${stage}/${stage}-key`,
    summary: {},
  };
}

const WRITTEN = { resultDir: '/results/tiny', outputs: 3 };

/** Runs one stage to completion: its start upserts the active stages, then schedules it. */
function scheduleStage(history: HistoryBuilder, stage: RunStageResult['stage'], round = 1, queue = CPU): number {
  history.upsertSearchAttributes();
  return history.scheduleActivity(`${stage}.${round}`, 'runStage', queue);
}

/** graph then walks, then the results activity and completion. */
/** A stage activity that completes, and the workflow task that records it. */
function completeStage(history: HistoryBuilder, stage: RunStageResult['stage'], round = 1): void {
  const id = scheduleStage(history, stage, round);
  history.completeActivity(id, stageResult(stage));
  history.workflowTask();
  history.upsertSearchAttributes(); // stage finished
}

/** The final writeResults activity and a successful workflow completion. */
function writeResultsAndSucceed(history: HistoryBuilder, activityId: string): HistoryBuilder {
  const results = history.scheduleActivity(activityId, 'writeResults', CPU);
  history.completeActivity(results, WRITTEN);
  history.workflowTask();
  history.upsertSearchAttributes(); // succeeded
  return history.completeWorkflow({ experimentId: experimentInput().experimentId, status: 'succeeded', resultDir: WRITTEN.resultDir, stages: [] });
}

export function linearSuccess(): HistoryBuilder {
  const history = new HistoryBuilder('experimentWorkflow', [experimentInput()], CPU);
  history.workflowTask();
  history.upsertSearchAttributes(); // initial status
  completeStage(history, 'graph');
  completeStage(history, 'walks');
  return writeResultsAndSucceed(history, '3');
}

/** A `stageProgress` signal as runStage sends it. */
function progressUpdate(activityId: string, fraction: number, details: Record<string, number | string>) {
  const stage = activityId.split('.')[0];
  return { activityId, attempt: 1, heartbeat: { stage, fraction, details, at: `2026-01-01T00:00:${String(Math.round(fraction * 50)).padStart(2, '0')}.000Z` } };
}

/**
 * graph reports progress by `stageProgress` signals while it runs (two valid ones, one for a
 * stage that is not running, one malformed): each signal is followed by a workflow task
 * that issues no command, so the rest is the linear run.
 */
export function progressSignals(): HistoryBuilder {
  const history = new HistoryBuilder('experimentWorkflow', [experimentInput()], CPU);
  history.workflowTask();
  history.upsertSearchAttributes(); // initial status
  const graph = scheduleStage(history, 'graph');
  for (const update of [
    progressUpdate('graph.1', 0.25, { edges: 120 }),
    progressUpdate('graph.1', 0.75, { edges: 360 }),
    progressUpdate('walks.1', 0.5, { walks: 10 }),
    'not a progress update',
  ]) {
    history.signal('stageProgress', [update]);
    history.workflowTask();
  }
  history.completeActivity(graph, stageResult('graph'));
  history.workflowTask();
  history.upsertSearchAttributes(); // graph finished
  completeStage(history, 'walks');
  return writeResultsAndSucceed(history, '3');
}

/** graph exhausts its retries (a disk full, 3 attempts) and waits for an operator for `waitSeconds`. */
function graphWaitsForOperator(input: ExperimentInput, waitSeconds: number): { history: HistoryBuilder; timer: number } {
  const history = new HistoryBuilder('experimentWorkflow', [input], CPU);
  history.workflowTask();
  history.upsertSearchAttributes();
  const first = scheduleStage(history, 'graph');
  history.failActivity(first, { message: 'disk full', type: 'RESOURCE_ERROR', details: [{ stage: 'graph', attempt: 3 }] }, 3);
  history.workflowTask();
  history.upsertSearchAttributes(); // waiting-for-operator
  return { history, timer: history.startTimer('1', waitSeconds) };
}

/** graph exhausts its retries, waits for the operator, is resumed and succeeds. */
export function operatorResume(): HistoryBuilder {
  const { history, timer } = graphWaitsForOperator(experimentInput(), OPERATOR_WAIT_SECONDS);
  history.signal('resume', [{}]);
  history.workflowTask();
  history.cancelTimer(timer, '1');
  completeStage(history, 'graph', 2);
  completeStage(history, 'walks');
  return writeResultsAndSucceed(history, '4');
}

/** graph exhausts its retries and the operator aborts: results are written, the workflow fails. */
export function operatorAbort(): HistoryBuilder {
  const { history, timer } = graphWaitsForOperator(experimentInput(), OPERATOR_WAIT_SECONDS);
  history.signal('abort', [{ reason: 'wrong config' }]);
  history.workflowTask();
  history.cancelTimer(timer, '1');
  const results = history.scheduleActivity('2', 'writeResults', CPU);
  history.completeActivity(results, WRITTEN);
  history.workflowTask();
  history.upsertSearchAttributes(); // aborted
  return history.failWorkflow('stage graph: wrong config', 'CANCELLED');
}

/**
 * Submitted with `--operator-wait 30m`: graph exhausts its retries, nobody answers within the
 * 30 minutes, and the workflow writes the results and fails with graph's own error.
 */
export function operatorTimeout(): HistoryBuilder {
  const { history, timer } = graphWaitsForOperator({ ...experimentInput(), timeouts: { operatorWait: '30m' } }, 30 * 60);
  history.fireTimer(timer, '1');
  history.workflowTask();
  const results = history.scheduleActivity('2', 'writeResults', CPU);
  history.completeActivity(results, WRITTEN);
  history.workflowTask();
  history.upsertSearchAttributes(); // failed
  return history.failWorkflow('stage graph: disk full', 'RESOURCE_ERROR');
}

/** graph -> (walks on CPU, train on GPU in parallel) -> evaluate, on the test DAG. */
export function parallelDiamond(): HistoryBuilder {
  const history = new HistoryBuilder('diamondExperimentWorkflow', [experimentInput()], CPU);
  history.workflowTask();
  history.upsertSearchAttributes();
  completeStage(history, 'graph');
  const walks = scheduleStage(history, 'walks');
  const train = scheduleStage(history, 'train', 1, GPU);
  history.completeActivity(walks, stageResult('walks'));
  history.workflowTask();
  history.upsertSearchAttributes(); // walks finished, train still running
  history.completeActivity(train, stageResult('train'));
  history.workflowTask();
  history.upsertSearchAttributes(); // train finished
  completeStage(history, 'evaluate');
  return writeResultsAndSucceed(history, '5');
}

/** A sweep over two seeds of the tiny config: a sweep file `{ base: "../tiny.json", seeds: [1, 2] }` as read. */
export function sweepInput(concurrency = 1): SweepInput {
  const base = JSON.parse(readFileSync(join(PROJECT_ROOT, 'configs', 'tiny.json'), 'utf8')) as Record<string, unknown>;
  const definition: SweepDefinition = { base, grid: {}, seeds: [1, 2], parallel: 1, notes: [] };
  return { definition, source: 'configs/sweeps/tiny-seeds.json', stages: ['graph', 'walks'], concurrency };
}

/** A sweep that fetched its first page of points (the two seeds); the workflow task that takes them is next. */
function sweepWithFirstPage(input: SweepInput) {
  const page = sweepPoints({ definition: input.definition, source: input.source, offset: 0, limit: 25 });
  const [first, second] = page.points.map((point) => point.experimentId);
  const history = new HistoryBuilder('sweepWorkflow', [input], CPU);
  history.workflowTask();
  const grid = history.scheduleActivity('1', 'sweepPoints', CPU);
  history.completeActivity(grid, page);
  return { history, page, first, second };
}

const outcome = (experimentId: string) => ({ experimentId, status: 'succeeded', resultDir: `/results/${experimentId}`, stages: [] });

/** What the sweep of two points has done once both children succeeded. */
export const TWO_POINTS_DONE = { total: 2, next: 2, succeeded: 2, failed: 0, skipped: 0, failures: [] };

/** Two points with concurrency 1: the second child starts when the first completes. */
export function sweepTwoPoints(): HistoryBuilder {
  const { history, page, first, second } = sweepWithFirstPage(sweepInput());
  history.workflowTask();
  const child1 = history.startChild(first, 'experimentWorkflow', CPU);
  history.workflowTask(); // the child started: now awaiting its result
  history.completeChild(child1, first, 'experimentWorkflow', outcome(first));
  history.workflowTask();
  const child2 = history.startChild(second, 'experimentWorkflow', CPU);
  const end = history.scheduleActivity('2', 'sweepPoints', CPU); // the next page, while child 2 runs
  history.workflowTask();
  history.completeActivity(end, { total: page.total, points: [] });
  history.workflowTask();
  history.completeChild(child2, second, 'experimentWorkflow', outcome(second));
  history.workflowTask();
  return history.completeWorkflow(TWO_POINTS_DONE);
}

/**
 * The server suggests continue-as-new while the first page's two children run (concurrency
 * 2): the sweep waits for both, then continues as new carrying its counters forward.
 */
export function sweepContinueAsNew(): HistoryBuilder {
  const input = sweepInput(2);
  const { history, first, second } = sweepWithFirstPage(input);
  history.workflowTask({ suggestContinueAsNew: true });
  const child1 = history.startChild(first, 'experimentWorkflow', CPU);
  const child2 = history.startChild(second, 'experimentWorkflow', CPU);
  history.workflowTask(); // both started: awaiting their results
  history.completeChild(child1, first, 'experimentWorkflow', outcome(first));
  history.completeChild(child2, second, 'experimentWorkflow', outcome(second));
  history.workflowTask();
  return history.continueAsNew('sweepWorkflow', [{ ...input, carried: TWO_POINTS_DONE }], CPU);
}

/** The run that continued: it asks for the points after the carried `next` and finds none. */
export function sweepContinued(): HistoryBuilder {
  const input: SweepInput = { ...sweepInput(2), carried: TWO_POINTS_DONE };
  const history = new HistoryBuilder('sweepWorkflow', [input], CPU);
  history.workflowTask();
  const grid = history.scheduleActivity('1', 'sweepPoints', CPU);
  history.completeActivity(grid, { total: 2, points: [] });
  history.workflowTask();
  return history.completeWorkflow(TWO_POINTS_DONE);
}

/** Fixture file name -> builder script. */
export const SCENARIOS = {
  'linear-success.json': linearSuccess,
  'progress-signals.json': progressSignals,
  'operator-resume.json': operatorResume,
  'operator-abort.json': operatorAbort,
  'operator-timeout.json': operatorTimeout,
  'parallel-diamond.json': parallelDiamond,
  'sweep-two-points.json': sweepTwoPoints,
  'sweep-continue-as-new.json': sweepContinueAsNew,
  'sweep-continued.json': sweepContinued,
} as const;

if (process.argv[1]?.endsWith('history-scenarios.ts')) {
  for (const [file, build] of Object.entries(SCENARIOS)) {
    writeFileSync(join(HISTORIES_DIR, file), `${JSON.stringify(JSON.parse(build().toJSON()), null, 2)}\n`);
    process.stdout.write(`wrote ${join(HISTORIES_DIR, file)}\n`);
  }
}
