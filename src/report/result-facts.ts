/**
 * Typed reads of a result document for the reports. Stage summaries are free-form records in
 * the schema (each stage writes its own), so every read here tolerates a missing or
 * differently-typed field and returns null instead of throwing.
 */
import type { AnalysisSection, MetricRecord } from '../analysis/analysis-schema';
import type { ResultDocument, StageRecord } from '../pipeline/result-schema';

/** The value at a dotted path (`graph.n`) of a JSON object, or undefined. */
export function valueAt(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A finite number at `path`, else null. */
export function numberAt(root: unknown, path: string): number | null {
  const value = valueAt(root, path);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A boolean at `path`, else null. */
export function booleanAt(root: unknown, path: string): boolean | null {
  const value = valueAt(root, path);
  return typeof value === 'boolean' ? value : null;
}

/** A string at `path`, else null. */
export function stringAt(root: unknown, path: string): string | null {
  const value = valueAt(root, path);
  return typeof value === 'string' ? value : null;
}

/** An array at `path`, else an empty array. */
export function arrayAt(root: unknown, path: string): unknown[] {
  const value = valueAt(root, path);
  return Array.isArray(value) ? value : [];
}

/** The record of stage `name`, or null when the document has none. */
export function stageRecord(document: ResultDocument, name: string): StageRecord | null {
  return document.stages.find((stage) => stage.name === name) ?? null;
}

/** The summary of stage `name`, or null. */
export function stageSummary(document: ResultDocument, name: string): Record<string, unknown> | null {
  return stageRecord(document, name)?.summary ?? null;
}

/** Why stage `name` has no summary, in one sentence. */
export function missingStageReason(document: ResultDocument, name: string): string {
  const record = stageRecord(document, name);
  if (document.unavailable_stages.includes(name)) return `This version of the engine does not implement the ${name} stage yet.`;
  if (record === null) return `The run has no ${name} stage record.`;
  if (record.error !== null) return `The ${name} stage failed: ${record.error.message}`;
  if (record.status === 'pending' || record.status === 'skipped') return sentence(`The ${name} stage did not run: ${runStopReason(document)}`);
  if (record.status === 'running') return `The ${name} stage is still running.`;
  if (record.status === 'interrupted') return `The ${name} stage was interrupted.`;
  return `The ${name} stage recorded no summary.`;
}

/** Why the run ended where it did (no trailing period), from its status and error. */
export function runStopReason(document: ResultDocument): string {
  const message = document.error === null ? null : stripStopPrefix(document.error.message);
  switch (document.status) {
    case 'gate_failed':
      return `the run stopped after training${message === null ? '' : `: ${message}`}`;
    case 'failed':
      return `the run failed${document.error?.stage ? ` in the ${document.error.stage} stage` : ''}${message === null ? '' : `: ${message}`}`;
    case 'interrupted':
      return `the run was interrupted${message === null ? '' : `: ${message}`}`;
    case 'running':
      return 'the run is still in progress';
    case 'succeeded':
      return 'the run succeeded without it';
  }
}

/** "stopped after train: reason" -> "reason" (the gate error repeats what the sentence says). */
function stripStopPrefix(message: string): string {
  return message.replace(/^stopped after [a-z]+: /, '');
}

/** One sentence saying why `analysis` is null. */
export function analysisAbsentReason(document: ResultDocument): string {
  if (document.unavailable_stages.includes('analyse')) return 'This version of the engine does not implement the analyse stage yet, so there is no analysis.';
  const reason = runStopReason(document);
  if (document.status === 'running') return 'The run is still in progress; the analysis has not run yet.';
  if (document.status === 'succeeded') return 'The run succeeded but recorded no analysis section (the analyse stage was not part of this run).';
  return `${reason[0].toUpperCase()}${reason.slice(1)}, so the analysis did not run.`;
}

/** Sentence case with a period. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = `${trimmed[0]?.toUpperCase() ?? ''}${trimmed.slice(1)}`;
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The primary metric records, sorted by r, then max AUROC descending (nulls last), then name. */
export function primaryRecords(analysis: AnalysisSection): MetricRecord[] {
  return analysis.metrics.filter((record) => record.is_primary).sort(compareRecords);
}

/** By r, then max AUROC descending (nulls last), then metric name. */
export function compareRecords(a: MetricRecord, b: MetricRecord): number {
  if (a.r !== b.r) return a.r - b.r;
  const av = a.max_auroc ?? -Infinity;
  const bv = b.max_auroc ?? -Infinity;
  if (av !== bv) return bv - av;
  return a.metric.localeCompare(b.metric);
}

/** The primary record with the largest max AUROC, or null when none has one. */
export function bestPrimary(analysis: AnalysisSection): MetricRecord | null {
  let best: MetricRecord | null = null;
  for (const record of analysis.metrics) {
    if (!record.is_primary || record.max_auroc === null) continue;
    if (best === null || record.max_auroc > (best.max_auroc as number)) best = record;
  }
  return best;
}

/** The execution provider identity the train stage recorded (`backend`), when present. */
export interface BackendFacts {
  provider: string | null;
  fallbackReason: string | null;
  threads: number | null;
  precision: string | null;
  onnxruntimeVersion: string | null;
}

/** The train summary's `backend` (src/training/trainer-backend.ts `TrainerIdentity`), or null. */
export function backendFacts(document: ResultDocument): BackendFacts | null {
  const backend = valueAt(stageSummary(document, 'train'), 'backend');
  if (backend === null || typeof backend !== 'object') return null;
  return {
    provider: stringAt(backend, 'provider'),
    fallbackReason: stringAt(backend, 'fallbackReason'),
    threads: numberAt(backend, 'threads'),
    precision: stringAt(backend, 'precision'),
    onnxruntimeVersion: stringAt(backend, 'onnxruntimeVersion'),
  };
}
