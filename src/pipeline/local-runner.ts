/**
 * The embedded runner: plans and runs the stages in topological order in this process,
 * with each stage's retry policy, a per-key lock, atomic publication, progress events and
 * clean interruption. Re-running the same config resumes: published stages are hits.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ArtifactStore, Manifest } from '../artifacts/artifact-store';
import { experimentId as experimentIdOf } from '../config/hash';
import type { ExperimentConfig } from '../config/schema';
import { Cancelled, GateFailed, toPipelineError, type PipelineError } from '../errors';
import { stagesUpTo, UNAVAILABLE_STAGES, type StageDeclaration, type StageName } from './dag';
import { readAnalysisSection } from './analysis-section';
import { linkOutputs } from './link-outputs';
import { readReportFigures, REPORT_FILE, writeReport } from './report-output';
import { FingerprintCache, type PlanOptions } from './plan';
import type { ProgressSink } from './progress';
import type { ResultDocument, StageRecord } from './result-schema';
import { initialResultDocument, pendingStageRecord, writeConfigJson, writeResultJson } from './result-writer';
import { executeStage } from './stage-executor';
import { StageProgressRecorder, teeProgress } from './stage-progress';
import type { ProgressDetails, StageImplementation } from './stage';

export interface RunOptions extends PlanOptions {
  config: ExperimentConfig;
  projectRoot: string;
  store: ArtifactStore;
  /** Folder that holds `<experiment-id>/` result folders. */
  resultsRoot: string;
  implementations: ReadonlyMap<StageName, StageImplementation<never>>;
  sink: ProgressSink;
  signal: AbortSignal;
  /** Waits between retries; replaceable in tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The sweep point this run is, recorded in result.json (npm run sweep). */
  sweepPoint?: ResultDocument['sweep_point'];
}

export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'gate_failed' | 'interrupted';
  experimentId: string;
  resultDir: string;
  result: ResultDocument;
  error: PipelineError | null;
}

/** Runs the experiment; never throws for stage failures (they are in the outcome). */
export async function runExperiment(options: RunOptions): Promise<RunOutcome> {
  const run = new ExperimentRun(options);
  return run.execute();
}

class ExperimentRun {
  readonly #options: RunOptions;
  readonly #id: string;
  readonly #resultDir: string;
  readonly #document: ResultDocument;
  readonly #records = new Map<string, StageRecord>();
  readonly #published = new Map<string, Manifest>();
  readonly #fingerprints: FingerprintCache;
  readonly #threads: number;
  readonly #startedAt = performance.now();

  constructor(options: RunOptions) {
    this.#options = options;
    this.#id = experimentIdOf(options.config);
    this.#resultDir = join(options.resultsRoot, this.#id);
    this.#fingerprints = new FingerprintCache(options.projectRoot);
    this.#threads = options.config.runtime.threads ?? availableParallelism();
    this.#document = this.#initialDocument();
  }

  async execute(): Promise<RunOutcome> {
    const { sink, config } = this.#options;
    writeConfigJson(this.#resultDir, config);
    this.#save();
    let error: PipelineError | null = null;
    try {
      for (const stage of stagesUpTo(this.#options.until)) {
        if (this.#options.signal.aborted) throw new Cancelled('interrupted before the stage started', { stage: stage.name });
        await this.#runStage(stage);
        const reason = stage.stopAfter?.(this.#options.config, this.#published.get(stage.name)!.summary as Record<string, unknown>);
        if (reason) throw new GateFailed(`stopped after ${stage.name}: ${reason}`, { stage: stage.name });
      }
      const storeDirOf = (m: Manifest) => this.#options.store.artifactDir(m.stage, m.key);
      this.#document.outputs = await linkOutputs(this.#published, this.#resultDir, storeDirOf);
      this.#document.analysis = await readAnalysisSection(this.#published, storeDirOf);
    } catch (caught) {
      error = toPipelineError(caught);
      this.#document.error = { stage: error.stage ?? null, code: error.code, message: error.message };
    }
    const status = runStatus(error);
    this.#document.status = status;
    await this.#writeReport();
    this.#save();
    if (status === 'succeeded' && UNAVAILABLE_STAGES.length > 0 && this.#options.until === undefined) {
      sink.line(`Not available yet in this version: ${UNAVAILABLE_STAGES.join(', ')} (nothing was faked for them).`);
    }
    return { status, experimentId: this.#id, resultDir: this.#resultDir, result: this.#document, error };
  }

  async #runStage(stage: StageDeclaration): Promise<void> {
    const { config, store, sink, signal, projectRoot } = this.#options;
    const implementation = this.#options.implementations.get(stage.name)!;
    const record = this.#record(stage.name);
    const started = performance.now();
    const recorder = new StageProgressRecorder();
    const recordProgress = (fraction: number, details?: ProgressDetails) => {
      const entry = recorder.report(fraction, details);
      if (entry === null || record.status !== 'running') return;
      record.progress = entry;
      this.#save();
    };
    try {
      const execution = await executeStage({
        stage,
        implementation,
        config,
        experimentId: this.#id,
        upstream: this.#published,
        store,
        projectRoot,
        code: this.#fingerprints.of(implementation),
        threads: this.#threads,
        forced: this.#options.forceAll === true || this.#options.force?.has(stage.name) === true,
        signal,
        sink: teeProgress(sink, recordProgress),
        retry: stage.retry,
        sleep: this.#options.sleep,
        onPlanned: (plan) => {
          Object.assign(record, { key: plan.key, cache: plan.decision === 'hit' ? 'hit' : 'miss', reasons: plan.reasons });
          if (plan.decision !== 'hit') record.status = 'running';
          this.#save();
        },
        onAttempt: (attempt) => {
          record.attempts = attempt;
          this.#save();
        },
      });
      this.#finishStage(record, execution.manifest, execution.outcome, started);
    } catch (caught) {
      const error = toPipelineError(caught, stage.name);
      const outcome = error instanceof Cancelled ? 'interrupted' : 'failed';
      // The last progress entry is kept: it says how far a failed or interrupted stage got
      // (`experiments failures`, the ledger's stages cell). Only a finished stage clears it.
      Object.assign(record, { status: outcome, seconds: elapsedSince(started), error: { code: error.code, message: error.message } });
      sink.stageFinished(stage.name, outcome, elapsedSince(started));
      throw error;
    }
  }

  #finishStage(record: StageRecord, manifest: Manifest, outcome: 'computed' | 'reused', started: number): void {
    this.#published.set(record.name, manifest);
    Object.assign(record, {
      status: outcome,
      digest: manifest.digest,
      seconds: elapsedSince(started),
      artifact_dir: this.#options.store.artifactDir(record.name, manifest.key),
      summary: manifest.summary as Record<string, unknown>,
      error: null,
      progress: null,
    });
    this.#options.sink.stageFinished(record.name, outcome, elapsedSince(started));
    this.#save();
  }

  /**
   * report.html after every run, partial and failed ones included: the report says why its
   * later sections are absent. A report that cannot be rendered is
   * logged and does not change the run's status.
   */
  async #writeReport(): Promise<void> {
    try {
      const storeDirOf = (m: Manifest) => this.#options.store.artifactDir(m.stage, m.key);
      this.#document.updated_at = new Date().toISOString();
      this.#document.metadata.seconds_total = elapsedSince(this.#startedAt);
      const path = writeReport(this.#resultDir, this.#document, await readReportFigures(this.#published, storeDirOf));
      this.#document.outputs[REPORT_FILE] = path;
    } catch (caught) {
      this.#options.sink.line(`warning: report.html was not written: ${caught instanceof Error ? caught.message : String(caught)}`);
    }
  }

  #record(name: string): StageRecord {
    return this.#records.get(name)!;
  }

  #initialDocument(): ResultDocument {
    const { config, projectRoot, store } = this.#options;
    const stages = stagesUpTo(this.#options.until).map((stage) => pendingStageRecord(stage.name));
    for (const record of stages) this.#records.set(record.name, record);
    return initialResultDocument({ config, experimentId: this.#id, stages, projectRoot, storeRoot: store.root, threads: this.#threads, sweepPoint: this.#options.sweepPoint ?? null });
  }

  /** Writes result.json (schema-validated) after every state change, so it exists on failure too. */
  #save(): void {
    this.#document.updated_at = new Date().toISOString();
    this.#document.metadata.seconds_total = elapsedSince(this.#startedAt);
    writeResultJson(this.#resultDir, this.#document);
  }
}

function elapsedSince(started: number): number {
  return (performance.now() - started) / 1000;
}

/** The run's status for how it ended. */
function runStatus(error: PipelineError | null): RunOutcome['status'] {
  if (error === null) return 'succeeded';
  if (error instanceof Cancelled) return 'interrupted';
  return error instanceof GateFailed ? 'gate_failed' : 'failed';
}
