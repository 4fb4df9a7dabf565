/**
 * The analyse stage interrupted after a few metric columns and run again: it analyses only the
 * other columns and writes the bytes of the uninterrupted run's artifact.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cancelled } from '../../src/errors';
import { checkpointStore } from '../../src/pipeline/checkpoints';
import type { StageContext } from '../../src/pipeline/stage';
import { createAnalyseStage, type AnalyseSlice } from '../../src/stages/analyse';
import { tinyConfig, workspace } from './helpers';

describe('the analyse stage', () => {
  it('resumes from its checkpoint of finished metric columns and writes the uninterrupted bytes', async () => {
    const ws = await workspace();
    const reference = await ws.run(tinyConfig(), { until: 'analyse' });
    expect(reference.status).toBe('succeeded');
    const [evaluate] = await ws.store.list('evaluate');
    const [analyse] = await ws.store.list('analyse');
    const slice = analyse.keyInputs.config as unknown as AnalyseSlice;
    const store = checkpointStore(await mkdtemp(join(ws.root, 'checkpoints-')), 'analyse', 'k'.repeat(64));

    const context = async (signal: AbortSignal, logs: string[], progress: StageContext<AnalyseSlice>['progress']): Promise<StageContext<AnalyseSlice>> => {
      const out = await mkdtemp(join(ws.root, 'out-'));
      return {
        slice,
        experimentId: 'test',
        threads: 2,
        input: () => ({ manifest: evaluate, file: (name) => join(ws.store.artifactDir('evaluate', evaluate.key), name) }),
        output: (name) => join(out, name),
        progress,
        signal,
        log: (line) => void logs.push(line),
        checkpoint: store,
      };
    };
    const stage = createAnalyseStage({ checkpointSeconds: 0 });
    const controller = new AbortController();
    const logs: string[] = [];
    // Stop after the fourth finished column (a checkpoint follows each one here).
    let columns = 0;
    const interrupted = await context(controller.signal, logs, (_fraction, details) => {
      if (details?.metric !== undefined && ++columns === 4) controller.abort();
    });
    const run = stage.run(interrupted);
    await expect(run).rejects.toThrow(Cancelled);
    await expect(run).rejects.toThrow(/analysis interrupted; the next run resumes with \d+ of \d+ metric columns analysed/);
    const savedLines = logs.filter((line) => line.startsWith('checkpoint saved with'));
    const saved = Number(/with (\d+) of/.exec(savedLines[savedLines.length - 1])![1]);
    expect(saved).toBeGreaterThanOrEqual(4);

    const resumedLogs: string[] = [];
    const analysed: string[] = [];
    const resumed = await context(new AbortController().signal, resumedLogs, (_fraction, details) => {
      if (details?.metric !== undefined) analysed.push(String(details.metric));
    });
    await stage.run(resumed);
    expect(resumedLogs.some((line) => line.startsWith(`resuming with ${saved} of `))).toBe(true);
    const total = Number(/resuming with \d+ of (\d+)/.exec(resumedLogs.find((line) => line.startsWith('resuming'))!)![1]);
    expect(analysed).toHaveLength(total - saved);
    for (const file of ['analysis.json', 'auroc.parquet', 'events.parquet', 'permutation_nulls.parquet']) {
      const published = join(ws.store.artifactDir('analyse', analyse.key), file);
      expect((await readFile(resumed.output(file))).equals(await readFile(published)), file).toBe(true);
    }
  });
});
