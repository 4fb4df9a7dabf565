/**
 * What every run-like command needs: the validated config, the store, the stage
 * implementations, the project and results roots, and the header the reference printed.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { configHash, experimentId, graphConfigHash } from '../config/hash';
import { loadConfigFile } from '../config/load';
import type { ExperimentConfig } from '../config/schema';

/** The repository root (two levels above this file). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Session {
  config: ExperimentConfig;
  warnings: string[];
  store: ArtifactStore;
  resultsRoot: string;
}

/** Loads the config (ConfigError on any problem) and opens the store. Nothing is written before validation passes. */
export async function openSession(configPath: string): Promise<Session> {
  const { config, warnings } = loadConfigFile(configPath);
  const { FileArtifactStore, resolveStoreRoot } = await import('../artifacts/artifact-store-impl');
  const store = await FileArtifactStore.open(resolveStoreRoot(PROJECT_ROOT));
  const resultsRoot = resolve(process.env.DCSBM_RESULTS ?? join(process.cwd(), 'results'));
  return { config, warnings, store, resultsRoot };
}

/** The lines printed at the start of every run (as the reference did). */
export function headerLines(config: ExperimentConfig, warnings: readonly string[]): string[] {
  const { graph, model, training } = config;
  return [
    `Experiment ID: ${experimentId(config)}`,
    `Config hash:   ${configHash(config)}    Graph hash: ${graphConfigHash(config)}`,
    `Graph:    n=${graph.n} K=${graph.K} p_in=${graph.p_in} p_out=${graph.p_out} jumpers/block=${graph.n_jumpers_per_block}`,
    `Model:    d_model=${model.d_model} n_layers=${model.n_layers} n_heads=${model.n_heads}`,
    `Training: w=${training.w} walk_length=${training.walk_length} corpus_size=${training.corpus_size} r=${training.r}`,
    `Seed:     ${config.seed}`,
    ...warnings.map((warning) => `Warning:  ${warning}`),
  ];
}

/** A path shown relative to the working directory when that is shorter. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}
