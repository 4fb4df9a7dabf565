/**
 * The activities make what the embedded runner makes: runStage over the whole DAG publishes
 * the artifacts `npm run experiment` would (same keys and digests: the local run over that
 * store reuses every stage), and writeResults the same results folder (result.json schema
 * and stage records, config.json, the same linked outputs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { RunStageResult } from '../../src/activities/contract';
import { experimentId } from '../../src/config/hash';
import { STAGES, stagesUpTo } from '../../src/pipeline/dag';
import { runExperiment } from '../../src/pipeline/local-runner';
import { resultSchema } from '../../src/pipeline/result-schema';
import { STAGE_IMPLEMENTATIONS } from '../../src/stages/index';
import { PROJECT_ROOT, RecordingSink } from '../pipeline/helpers';
import { activityWorkspace, tinyConfig } from './helpers';

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
function run<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return new MockActivityEnvironment({}, { logger: quietLogger }).run(fn, ...args) as Promise<R>;
}

describe('writeResults activity', () => {
  it('runStage over every stage and writeResults give the artifacts and results folder of npm run experiment (same keys and digests)', async () => {
    const ws = await activityWorkspace();
    const config = tinyConfig();
    const id = experimentId(config);
    const ref = (r: RunStageResult) => ({ stage: r.stage, key: r.key, digest: r.digest });
    // The stages in the workflow's order, each with its declared inputs' references, as the workflow passes them.
    const done = new Map<string, RunStageResult>();
    for (const stage of stagesUpTo()) {
      const upstream = stage.inputs.map((name) => ref(done.get(name)!));
      done.set(stage.name, await run(ws.activities.runStage, { stage: stage.name, config, experimentId: id, upstream, forced: false }));
    }
    const results = [...done.values()];
    const stages = results.map((r) => ({
      name: r.stage, status: r.outcome, key: r.key, digest: r.digest, cache: r.cache, reasons: r.reasons,
      attempts: r.attempt, seconds: r.seconds, artifact_dir: r.artifactDir, summary: r.summary, error: null, progress: null,
    }));
    const written = await run(ws.activities.writeResults, {
      experimentId: id, config, status: 'succeeded', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:05.000Z',
      stages, published: results.map(ref), error: null,
    });
    expect(written.resultDir).toBe(join(ws.resultsRoot, id));
    const document = resultSchema.parse(JSON.parse(readFileSync(join(written.resultDir, 'result.json'), 'utf8')));
    expect(document).toMatchObject({ experiment_id: id, status: 'succeeded', metadata: { seconds_total: 5 } });
    expect(existsSync(join(written.resultDir, 'config.json'))).toBe(true);

    // The embedded runner over the same store computes nothing: every stage is the same key,
    // reused, with the same digest, and the results folder links the same files.
    const local = await runExperiment({
      config, projectRoot: PROJECT_ROOT, store: ws.store, resultsRoot: join(ws.root, 'local-results'),
      implementations: STAGE_IMPLEMENTATIONS, sink: new RecordingSink(), signal: new AbortController().signal,
    });
    expect(local.result.stages.map((s) => s.name)).toEqual(STAGES.map((s) => s.name));
    expect(local.result.stages.every((s) => s.status === 'reused')).toBe(true);
    expect(document.stages.map((s) => [s.name, s.key, s.digest])).toEqual(local.result.stages.map((s) => [s.name, s.key, s.digest]));
    expect(Object.keys(document.outputs).sort()).toEqual(Object.keys(local.result.outputs).sort());
    expect(Object.keys(document).sort()).toEqual(Object.keys(local.result).sort());
    // The whole tiny pipeline: ~20 s on an idle 2-core machine, over 50 s when it is shared.
  }, 180_000);

  it('EXPECTED FAILURE - an experiment id that is not a folder name is a CONFIG_ERROR', async () => {
    const ws = await activityWorkspace();
    const config = tinyConfig();
    const error = await run(ws.activities.writeResults, {
      experimentId: '../escape', config, status: 'failed', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:00.000Z',
      stages: [], published: [], error: null,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'CONFIG_ERROR', nonRetryable: true });
    expect((error as Error).message).toMatch(/experimentId: "\.\.\/escape" is not a valid folder name/);
  });
});
