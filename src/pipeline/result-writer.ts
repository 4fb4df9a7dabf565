/**
 * Writing `results/<experiment-id>/`: config.json and result.json (schema-validated). Shared
 * by the embedded runner and the Temporal `writeResults` activity, so both runners produce
 * the same folder from the same code.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../artifacts/atomic-write';
import { configHash, graphConfigHash } from '../config/hash';
import type { ExperimentConfig } from '../config/schema';
import { UNAVAILABLE_STAGES } from './dag';
import { serializeResult, type ResultDocument, type StageRecord } from './result-schema';
import { collectRunMetadata } from './run-metadata';

/** A stage's record before anything is known about it. */
export function pendingStageRecord(name: string): StageRecord {
  return { name, status: 'pending', key: null, digest: null, cache: null, reasons: [], attempts: 0, seconds: null, artifact_dir: null, summary: null, error: null, progress: null };
}

export interface InitialResultOptions {
  config: ExperimentConfig;
  experimentId: string;
  stages: StageRecord[];
  projectRoot: string;
  storeRoot: string;
  threads: number;
  /** ISO time the run started. @default now */
  startedAt?: string;
  /** The sweep point this run is (npm run sweep). @default null */
  sweepPoint?: ResultDocument['sweep_point'];
}

/** A `running` result document with the config, hashes and the producing machine's metadata. */
export function initialResultDocument(options: InitialResultOptions): ResultDocument {
  const { config } = options;
  const startedAt = options.startedAt ?? new Date().toISOString();
  return {
    schema_version: '2.0',
    experiment_id: options.experimentId,
    status: 'running',
    started_at: startedAt,
    updated_at: startedAt,
    description: config.description,
    tags: config.tags,
    config_hash: configHash(config),
    graph_config_hash: graphConfigHash(config),
    config: config as unknown as Record<string, unknown>,
    stages: options.stages,
    unavailable_stages: [...UNAVAILABLE_STAGES],
    outputs: {},
    error: null,
    analysis: null,
    sweep_point: options.sweepPoint ?? null,
    metadata: {
      ...collectRunMetadata(options.projectRoot),
      threads: options.threads,
      store_root: options.storeRoot,
      seconds_total: 0,
    },
  };
}

/** Creates the results folder and writes config.json (the normalised config). */
export function writeConfigJson(resultDir: string, config: ExperimentConfig): void {
  mkdirSync(resultDir, { recursive: true });
  writeFileAtomic(join(resultDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** Validates and atomically writes result.json; throws naming the first invalid field. */
export function writeResultJson(resultDir: string, document: ResultDocument): void {
  writeFileAtomic(join(resultDir, 'result.json'), serializeResult(document));
}
