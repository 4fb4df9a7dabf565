import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readParquet } from '../../src/artifacts/parquet';
import { Cancelled, InputError, StageError } from '../../src/errors';
import { stageDeclaration } from '../../src/pipeline/dag';
import { resultSchema } from '../../src/pipeline/result-schema';
import type { StageImplementation } from '../../src/pipeline/stage';
import { STAGE_IMPLEMENTATIONS } from '../../src/stages/index';
import { tinyConfig, workspace } from './helpers';

describe('runExperiment', () => {
  it('computes graph and walks, writes a schema-valid result.json and links the Parquet outputs', async () => {
    const ws = await workspace();
    const outcome = await ws.run(tinyConfig());
    expect(outcome.status).toBe('succeeded');
    const result = resultSchema.parse(JSON.parse(readFileSync(join(outcome.resultDir, 'result.json'), 'utf8')));
    expect(result.stages.map((s) => [s.name, s.status, s.cache])).toEqual([
      ['graph', 'computed', 'miss'],
      ['walks', 'computed', 'miss'],
    ]);
    expect(result.unavailable_stages).toEqual([]);
    expect(result.metadata.git_commit).toMatch(/^([0-9a-f]{12}(-dirty)?|unknown)$/);
    for (const file of ['graph_vertices.parquet', 'graph_edges.parquet', 'walks_train.parquet', 'walks_eval.parquet', 'walk_events_train.parquet']) {
      expect(existsSync(join(outcome.resultDir, file)), file).toBe(true);
    }
    const walks = result.stages[1].summary as { train: { walks: number; rule_compliance: number; edge_validity: number } };
    expect(walks.train).toMatchObject({ walks: 5000, rule_compliance: 1, edge_validity: 1 });
    expect(JSON.parse(readFileSync(join(outcome.resultDir, 'config.json'), 'utf8')).graph.n).toBe(50);
  });

  it('reuses every stage on a second run of the same config', async () => {
    const ws = await workspace();
    await ws.run(tinyConfig());
    const second = await ws.run(tinyConfig());
    expect(second.result.stages.map((s) => s.status)).toEqual(['reused', 'reused']);
    expect(second.sink.events).toEqual(['graph:hit', 'graph:reused', 'walks:hit', 'walks:reused']);
  });

  it('produces byte-identical artifacts for the same seed in two separate stores', async () => {
    const [a, b] = [await workspace(), await workspace()];
    const [ra, rb] = [await a.run(tinyConfig()), await b.run(tinyConfig())];
    expect(ra.result.stages.map((s) => s.digest)).toEqual(rb.result.stages.map((s) => s.digest));
    const other = await a.run(tinyConfig({ seed: 7 }));
    expect(other.result.stages[0].digest).not.toBe(ra.result.stages[0].digest);
  });

  it('recomputes only the walks when a walks field changes, and says which field', async () => {
    const ws = await workspace();
    await ws.run(tinyConfig());
    const changed = await ws.run(tinyConfig({ training: { walk_length: 20 } }));
    expect(changed.result.stages.map((s) => s.status)).toEqual(['reused', 'computed']);
    expect(changed.result.stages[1].reasons.join('\n')).toMatch(/config training\.walk_length changed \(16 -> 20\)/);
  });

  it('detects a corrupted artifact, reports it and recomputes it instead of using it', async () => {
    const ws = await workspace();
    const first = await ws.run(tinyConfig());
    const walksDir = first.result.stages[1].artifact_dir!;
    const file = join(walksDir, 'walks_train.parquet');
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(file, bytes);
    const second = await ws.run(tinyConfig());
    expect(second.result.stages[1].status).toBe('computed');
    expect(second.result.stages[1].reasons.join('\n')).toMatch(/corrupt.*walks_train\.parquet/);
    expect(second.result.stages[1].digest).toBe(first.result.stages[1].digest);
    expect((await ws.store.verify((await ws.store.read('walks', second.result.stages[1].key!))!)).ok).toBe(true);
  });

  it('recomputes a forced stage and keeps downstream hits when its bytes are unchanged', async () => {
    const ws = await workspace();
    await ws.run(tinyConfig());
    const forced = await ws.run(tinyConfig(), { force: new Set(['graph']) });
    expect(forced.result.stages.map((s) => s.status)).toEqual(['computed', 'reused']);
    const all = await ws.run(tinyConfig(), { forceAll: true });
    expect(all.result.stages.map((s) => s.status)).toEqual(['computed', 'computed']);
  });

  it('runs only the needed stages with until', async () => {
    const ws = await workspace();
    const outcome = await ws.run(tinyConfig(), { until: 'graph' });
    expect(outcome.result.stages.map((s) => s.name)).toEqual(['graph']);
  });

  it('retries a stage that fails with a retryable error and records the attempts', async () => {
    const ws = await workspace();
    let calls = 0;
    const flaky: StageImplementation<never> = {
      ...STAGE_IMPLEMENTATIONS.get('graph')!,
      async run(context) {
        calls++;
        if (calls === 1) throw new StageError('transient failure');
        return STAGE_IMPLEMENTATIONS.get('graph')!.run(context);
      },
    };
    const implementations = new Map(STAGE_IMPLEMENTATIONS).set('graph', flaky);
    const outcome = await ws.run(tinyConfig(), { implementations, until: 'graph', sleep: async () => {} });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.result.stages[0].attempts).toBe(2);
    expect(outcome.sink.lines.join('\n')).toMatch(/graph attempt 1\/3 failed \(STAGE_ERROR: transient failure\); retrying/);
  });

  it('does not retry an input error, fails the run naming the stage and still writes result.json', async () => {
    const ws = await workspace();
    let calls = 0;
    const broken: StageImplementation<never> = {
      declaration: stageDeclaration('walks'),
      module: 'src/stages/walks.ts',
      async run() {
        calls++;
        throw new InputError('graph artifact unusable');
      },
    };
    const implementations = new Map(STAGE_IMPLEMENTATIONS).set('walks', broken);
    const outcome = await ws.run(tinyConfig(), { implementations });
    expect(calls).toBe(1);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBeInstanceOf(InputError);
    const saved = resultSchema.parse(JSON.parse(readFileSync(join(outcome.resultDir, 'result.json'), 'utf8')));
    expect(saved.status).toBe('failed');
    expect(saved.error).toEqual({ stage: 'walks', code: 'INPUT_ERROR', message: 'graph artifact unusable' });
    expect(saved.stages.map((s) => s.status)).toEqual(['computed', 'failed']);
    expect(await ws.store.list('walks')).toEqual([]);
  });

  it('stops with status interrupted when the signal aborts, keeping what was published', async () => {
    const ws = await workspace();
    const controller = new AbortController();
    const stopping: StageImplementation<never> = {
      ...STAGE_IMPLEMENTATIONS.get('walks')!,
      async run(context) {
        controller.abort();
        return STAGE_IMPLEMENTATIONS.get('walks')!.run(context);
      },
    };
    const implementations = new Map(STAGE_IMPLEMENTATIONS).set('walks', stopping);
    const outcome = await ws.run(tinyConfig(), { implementations, signal: controller.signal });
    expect(outcome.status).toBe('interrupted');
    expect(outcome.result.stages.map((s) => s.status)).toEqual(['computed', 'interrupted']);
    expect(await ws.store.list('graph')).toHaveLength(1);
    expect(await ws.store.list('walks')).toHaveLength(0);
    const resumed = await ws.run(tinyConfig());
    expect(resumed.result.stages.map((s) => s.status)).toEqual(['reused', 'computed']);
  });

  it('keeps a running stage\'s progress in result.json for other processes, and clears it when the stage ends', async () => {
    const ws = await workspace();
    const seen: unknown[] = [];
    const walks = STAGE_IMPLEMENTATIONS.get('walks')!;
    const reporting: StageImplementation<never> = {
      ...walks,
      async run(context) {
        context.progress(0.25, { walk: 7 });
        const resultFile = join(ws.resultsRoot, readdirSync(ws.resultsRoot).find((name) => name.startsWith('n50'))!, 'result.json');
        const running = resultSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8')));
        seen.push(running.stages.find((s) => s.name === 'walks')!.progress);
        return walks.run(context);
      },
    };
    const outcome = await ws.run(tinyConfig(), { until: 'walks', implementations: new Map(STAGE_IMPLEMENTATIONS).set('walks', reporting) });
    expect(seen).toEqual([{ fraction: 0.25, eta_seconds: null, details: { walk: 7 }, at: expect.any(String) }]);
    const saved = resultSchema.parse(JSON.parse(readFileSync(join(outcome.resultDir, 'result.json'), 'utf8')));
    expect(saved.stages.map((s) => s.progress)).toEqual([null, null]);
  });

  it('an interrupted stage\'s own account of where it stopped reaches the result', async () => {
    const ws = await workspace();
    const controller = new AbortController();
    const stopping: StageImplementation<never> = {
      ...STAGE_IMPLEMENTATIONS.get('walks')!,
      async run() {
        controller.abort();
        throw new Cancelled('stopped after walk 5; the next run resumes there');
      },
    };
    const implementations = new Map(STAGE_IMPLEMENTATIONS).set('walks', stopping);
    const outcome = await ws.run(tinyConfig(), { implementations, signal: controller.signal });
    expect(outcome.result.error).toEqual({ stage: 'walks', code: 'CANCELLED', message: 'interrupted during walks: stopped after walk 5; the next run resumes there' });
  });

  it('trains after the data stages, publishes the model and curves, and reuses them on a re-run', async () => {
    const ws = await workspace();
    const first = await ws.run(tinyConfig(), { until: 'train' });
    expect(first.status).toBe('succeeded');
    expect(first.result.stages.map((s) => [s.name, s.status])).toEqual([
      ['graph', 'computed'],
      ['walks', 'computed'],
      ['train', 'computed'],
    ]);
    const train = first.result.stages[2];
    expect(train.summary).toMatchObject({ steps: expect.any(Number), gate_passed: expect.any(Boolean), backend: { provider: 'cpu' } });
    expect(existsSync(join(train.artifact_dir!, 'model.onnx'))).toBe(true);
    expect(existsSync(join(first.resultDir, 'training_curves.parquet'))).toBe(true);
    const again = await ws.run(tinyConfig(), { until: 'train' });
    expect(again.result.stages.map((s) => s.status)).toEqual(['reused', 'reused', 'reused']);
  });

  it('evaluates the trained model into token metrics, sequences and encounters', async () => {
    const ws = await workspace();
    const outcome = await ws.run(tinyConfig(), { until: undefined });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.result.stages.map((s) => [s.name, s.status])).toEqual([
      ['graph', 'computed'],
      ['walks', 'computed'],
      ['train', 'computed'],
      ['evaluate', 'computed'],
      ['analyse', 'computed'],
      ['figures', 'computed'],
    ]);
    const summary = outcome.result.stages[3].summary as { n_sequences: number; protocol: string };
    expect(summary).toMatchObject({ n_sequences: Math.floor(5000 / 9), protocol: 'sampled' });
    for (const file of ['token_metrics.parquet', 'sequences.parquet', 'encounters.parquet', 'events.parquet', 'auroc.parquet', 'figures/auroc-by-lookback.svg', 'report.html']) {
      expect(existsSync(join(outcome.resultDir, file)), file).toBe(true);
    }
    // The analysis section is in result.json, and its event counts agree with events.parquet.
    const analysis = outcome.result.analysis!;
    const events = await readParquet(join(outcome.resultDir, 'events.parquet'));
    expect(analysis.events.total).toBe(events.numRows);
    expect(analysis.metrics.length).toBeGreaterThan(0);
    const written = JSON.parse(readFileSync(join(outcome.resultDir, 'result.json'), 'utf8')) as { analysis: unknown };
    expect(written.analysis).toEqual(JSON.parse(JSON.stringify(analysis)));
  });

  it('stops with status gate_failed after training when require_gate is set and the gate fails, keeping the model', async () => {
    const ws = await workspace();
    // Twenty steps cannot pass the gate.
    const config = tinyConfig({ training: { max_steps: 20, eval_interval: 20, require_gate: true } });
    const outcome = await ws.run(config, { until: undefined });
    expect(outcome.status).toBe('gate_failed');
    expect(outcome.error?.code).toBe('GATE_FAILED');
    expect(outcome.error?.message).toMatch(/^stopped after train: the sufficiency gate failed .* training\.require_gate is true$/);
    expect(outcome.result.stages[2].status).toBe('computed');
    expect(await ws.store.list('train')).toHaveLength(1);
    // Lifting require_gate reuses the trained model: it is not part of the train stage's key.
    const relaxed = await ws.run(tinyConfig({ training: { max_steps: 20, eval_interval: 20 } }), { until: undefined });
    expect(relaxed.status).toBe('succeeded');
    expect(relaxed.result.stages[2].status).toBe('reused');
  });

  it('writes walks whose tokens read back as the corpus shape', async () => {
    const ws = await workspace();
    const outcome = await ws.run(tinyConfig());
    const table = await readParquet(join(outcome.resultDir, 'walks_eval.parquet'));
    expect(table.numRows).toBe(Math.floor(5000 / 9));
    expect(table.columns.map((c) => c.name)).toEqual(['walk', 'tokens']);
  });
});
