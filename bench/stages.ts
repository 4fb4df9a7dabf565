/**
 * Benchmark of the real graph and walks stages, end to end through the embedded runner
 * (generation, validation, Parquet writing, hashing, publication) into a fresh store, then
 * a second, all-hits run whose wall time is the resume overhead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileArtifactStore } from '../src/artifacts/artifact-store-impl';
import { loadConfigFile } from '../src/config/load';
import { runExperiment } from '../src/pipeline/local-runner';
import { PlainProgressSink } from '../src/pipeline/progress';
import { STAGE_IMPLEMENTATIONS } from '../src/stages/index';
import type { BenchRow } from './bench-row';

const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** Runs `configPath` up to the walks stage twice in a temporary store and reports stage times and peak RSS. */
export async function benchStages(configPath: string, label: string, targets: { walksSeconds?: string } = {}): Promise<BenchRow[]> {
  const { config } = loadConfigFile(configPath);
  const dir = await mkdtemp(join(tmpdir(), 'bench-stages-'));
  try {
    const store = await FileArtifactStore.open(join(dir, 'store'));
    const run = async () => {
      const started = performance.now();
      const outcome = await runExperiment({
        config,
        projectRoot: PROJECT_ROOT,
        store,
        resultsRoot: join(dir, 'results'),
        implementations: STAGE_IMPLEMENTATIONS,
        sink: new PlainProgressSink({ write: () => true }, false),
        signal: new AbortController().signal,
        until: 'walks',
      });
      if (outcome.error !== null) throw outcome.error;
      return { outcome, seconds: (performance.now() - started) / 1000 };
    };
    const cold = await run();
    const warm = await run();
    const seconds = (name: string) => cold.outcome.result.stages.find((s) => s.name === name)!.seconds!;
    const walks = cold.outcome.result.stages[1].summary as { train: { tokens: number }; eval: { tokens: number } };
    return [
      { name: `${label}: graph stage`, value: seconds('graph'), unit: 's' },
      { name: `${label}: walks stage (generate + validate + write)`, value: seconds('walks'), unit: 's', target: targets.walksSeconds },
      { name: `${label}: walks stage tokens/s`, value: (walks.train.tokens + walks.eval.tokens) / seconds('walks'), unit: 'tokens/s' },
      { name: `${label}: second run, all cache hits`, value: warm.seconds, unit: 's', target: '<= 2' },
      { name: `${label}: peak RSS`, value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
