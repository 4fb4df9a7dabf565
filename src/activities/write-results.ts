/**
 * The `writeResults` activity: `results/<experiment-id>/` with config.json, result.json (the
 * embedded runner's schema, written by the same module) and the artifacts' files linked in.
 */
import { join } from 'node:path';
import type { Manifest } from '../artifacts/artifact-store';
import { parseConfig } from '../config/load';
import { ConfigError } from '../errors';
import { readAnalysisSection } from '../pipeline/analysis-section';
import { linkOutputs } from '../pipeline/link-outputs';
import { readReportFigures, REPORT_FILE, writeReport } from '../pipeline/report-output';
import { initialResultDocument, writeConfigJson, writeResultJson } from '../pipeline/result-writer';
import type { WriteResultsInput, WriteResultsOutput } from './contract';
import type { ActivityDependencies } from './dependencies';
import { readRef } from './upstream';

/** Experiment ids become folder names. */
const SAFE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Writes the results folder on this worker's `resultsRoot`; returns its path. */
export async function writeResults(deps: ActivityDependencies, input: WriteResultsInput): Promise<WriteResultsOutput> {
  if (!SAFE_ID.test(input.experimentId)) throw new ConfigError(`experimentId: ${JSON.stringify(input.experimentId)} is not a valid folder name`);
  const config = parseConfig(input.config).config;
  const resultDir = join(deps.resultsRoot, input.experimentId);
  writeConfigJson(resultDir, config);
  const document = initialResultDocument({
    config,
    experimentId: input.experimentId,
    stages: input.stages,
    projectRoot: deps.projectRoot,
    storeRoot: deps.store.root,
    threads: config.runtime.threads ?? deps.threads,
    startedAt: input.startedAt,
  });
  const published = new Map<string, Manifest>();
  for (const ref of input.published) published.set(ref.stage, await readRef(deps.store, ref, 'results'));
  const storeDirOf = (manifest: Manifest) => deps.store.artifactDir(manifest.stage, manifest.key);
  document.outputs = await linkOutputs(published, resultDir, storeDirOf);
  document.analysis = await readAnalysisSection(published, storeDirOf);
  document.status = input.status;
  document.error = input.error;
  document.updated_at = input.finishedAt;
  document.metadata.seconds_total = Math.max(0, (Date.parse(input.finishedAt) - Date.parse(input.startedAt)) / 1000);
  document.outputs[REPORT_FILE] = writeReport(resultDir, document, await readReportFigures(published, storeDirOf));
  writeResultJson(resultDir, document);
  return { resultDir, outputs: Object.keys(document.outputs).length };
}
