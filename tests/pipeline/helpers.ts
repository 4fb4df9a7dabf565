/**
 * Test helpers for runner tests: a fresh store and results folder per test, a silent progress
 * sink that records what it was told, and the tiny config.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileArtifactStore } from '../../src/artifacts/artifact-store-impl';
import { loadConfigFile, parseConfig } from '../../src/config/load';
import type { ExperimentConfig } from '../../src/config/schema';
import { runExperiment, type RunOptions, type RunOutcome } from '../../src/pipeline/local-runner';
import type { ProgressSink } from '../../src/pipeline/progress';
import { STAGE_IMPLEMENTATIONS } from '../../src/stages/index';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

export function tinyConfig(patch: Record<string, unknown> = {}): ExperimentConfig {
  const raw = JSON.parse(JSON.stringify(loadConfigFile(join(PROJECT_ROOT, 'configs/tiny.json')).config)) as Record<string, unknown>;
  for (const [section, fields] of Object.entries(patch)) {
    raw[section] = typeof fields === 'object' && fields !== null ? { ...(raw[section] as object), ...fields } : fields;
  }
  return parseConfig(raw).config;
}

export class RecordingSink implements ProgressSink {
  readonly lines: string[] = [];
  readonly events: string[] = [];
  stageStarted(stage: string, decision: 'hit' | 'miss', reasons: readonly string[]): void {
    this.events.push(`${stage}:${decision}`);
    this.lines.push(...reasons);
  }
  progress(): void {}
  stageFinished(stage: string, outcome: string): void {
    this.events.push(`${stage}:${outcome}`);
  }
  line(text: string): void {
    this.lines.push(text);
  }
  debug(text: string): void {
    this.lines.push(text);
  }
}

export interface Workspace {
  root: string;
  store: FileArtifactStore;
  resultsRoot: string;
  run(config: ExperimentConfig, options?: Partial<RunOptions>): Promise<RunOutcome & { sink: RecordingSink }>;
}

export async function workspace(): Promise<Workspace> {
  const root = mkdtempSync(join(tmpdir(), 'dcsbm-run-'));
  const store = await FileArtifactStore.open(join(root, 'store'));
  const resultsRoot = join(root, 'results');
  return {
    root,
    store,
    resultsRoot,
    run: async (config, options = {}) => {
      const sink = new RecordingSink();
      const outcome = await runExperiment({
        config,
        projectRoot: PROJECT_ROOT,
        store,
        resultsRoot,
        implementations: STAGE_IMPLEMENTATIONS,
        sink,
        signal: new AbortController().signal,
        // The data stages unless a test asks for more: they are what most runner tests exercise.
        until: 'walks',
        ...options,
      });
      return { ...outcome, sink };
    },
  };
}
