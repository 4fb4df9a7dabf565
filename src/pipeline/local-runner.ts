/**
 * The embedded runner: plans and runs the stages in topological order in this process,
 * with each stage's retry policy, a per-key lock, atomic publication, progress events and
 * clean interruption. Re-running the same config resumes: published stages are hits.
 */
import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { ArtifactStore, Manifest } from '../artifacts/artifact-store';
import { writeFileAtomic } from '../artifacts/atomic-write';
import { configHash, experimentId as experimentIdOf, graphConfigHash } from '../config/hash';
import type { ExperimentConfig } from '../config/schema';
import { Cancelled, toPipelineError, type PipelineError } from '../errors';
import { checkpointStore, clearCheckpoints } from './checkpoints';
import { stagesUpTo, UNAVAILABLE_STAGES, type StageDeclaration, type StageName } from './dag';
import { linkOutputs } from './link-outputs';
import { FingerprintCache, resolveStage, type PlanOptions, type StagePlan } from './plan';
import type { ProgressSink } from './progress';
import { retryDelayMs } from './retry-policy';
import { serializeResult, type ResultDocument, type StageRecord } from './result-schema';
import { collectRunMetadata } from './run-metadata';
import type { StageContext, StageImplementation } from './stage';

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
}

export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'interrupted';
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
    mkdirSync(this.#resultDir, { recursive: true });
    writeFileAtomic(join(this.#resultDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    this.#save();
    let error: PipelineError | null = null;
    try {
      for (const stage of stagesUpTo(this.#options.until)) {
        if (this.#options.signal.aborted) throw new Cancelled('interrupted before the stage started', { stage: stage.name });
        await this.#runStage(stage);
      }
      this.#document.outputs = await linkOutputs(this.#published, this.#resultDir, (m) => this.#options.store.artifactDir(m.stage, m.key));
    } catch (caught) {
      error = toPipelineError(caught);
      this.#document.error = { stage: error.stage ?? null, code: error.code, message: error.message };
    }
    const status = error === null ? 'succeeded' : error instanceof Cancelled ? 'interrupted' : 'failed';
    this.#document.status = status;
    this.#save();
    if (status === 'succeeded' && UNAVAILABLE_STAGES.length > 0 && this.#options.until === undefined) {
      sink.line(`Not available yet in this version: ${UNAVAILABLE_STAGES.join(', ')} (nothing was faked for them).`);
    }
    return { status, experimentId: this.#id, resultDir: this.#resultDir, result: this.#document, error };
  }

  async #runStage(stage: StageDeclaration): Promise<void> {
    const { config, store, sink } = this.#options;
    const implementation = this.#options.implementations.get(stage.name)!;
    const forced = this.#options.forceAll === true || this.#options.force?.has(stage.name) === true;
    const plan = await resolveStage(stage, config, this.#published, this.#fingerprints.of(implementation), store, forced);
    const record = this.#record(stage.name);
    Object.assign(record, { key: plan.key, cache: plan.decision === 'hit' ? 'hit' : 'miss', reasons: plan.reasons });
    sink.stageStarted(stage.name, plan.decision === 'hit' ? 'hit' : 'miss', plan.reasons);
    const started = performance.now();
    if (plan.decision === 'hit') {
      this.#finishStage(record, plan.manifest!, 'reused', started);
      return;
    }
    record.status = 'running';
    this.#save();
    try {
      const { manifest, reused } = await this.#computeUnderLock(stage, implementation, plan, record, forced);
      this.#finishStage(record, manifest, reused ? 'reused' : 'computed', started);
    } catch (caught) {
      const error = toPipelineError(caught, stage.name);
      const outcome = error instanceof Cancelled ? 'interrupted' : 'failed';
      Object.assign(record, { status: outcome, seconds: elapsedSince(started), error: { code: error.code, message: error.message } });
      sink.stageFinished(stage.name, outcome, elapsedSince(started));
      throw error;
    }
  }

  async #computeUnderLock(
    stage: StageDeclaration,
    implementation: StageImplementation<never>,
    plan: StagePlan,
    record: StageRecord,
    forced: boolean,
  ): Promise<{ manifest: Manifest; reused: boolean }> {
    const { store, sink } = this.#options;
    const key = plan.key!;
    return store.withLock(
      stage.name,
      key,
      async () => {
        // Another run may have published this key while we waited for the lock.
        const existing = await store.read(stage.name, key);
        if (existing !== null && !forced && (await store.verify(existing)).ok) {
          sink.line(`    ${stage.name} was computed meanwhile by another run; reusing it`);
          return { manifest: existing, reused: true };
        }
        if (existing !== null) {
          sink.line(`    ${forced ? "replacing the forced" : "removing the corrupt"} ${stage.name} artifact ${key.slice(0, 12)}`);
          await store.remove(stage.name, key);
        }
        return { manifest: await this.#computeWithRetry(stage, implementation, plan, record), reused: false };
      },
      (holder) => sink.line(`    waiting for another run that holds the ${stage.name} lock (${holder})`),
    );
  }

  async #computeWithRetry(
    stage: StageDeclaration,
    implementation: StageImplementation<never>,
    plan: StagePlan,
    record: StageRecord,
  ): Promise<Manifest> {
    const policy = stage.retry;
    for (let attempt = 1; ; attempt++) {
      record.attempts = attempt;
      this.#save();
      try {
        return await this.#computeOnce(stage, implementation, plan);
      } catch (caught) {
        const error = this.#options.signal.aborted
          ? new Cancelled(`interrupted during ${stage.name}`, { stage: stage.name, cause: caught })
          : toPipelineError(caught, stage.name);
        if (!error.retryable || attempt >= policy.maximumAttempts) throw error;
        const delay = retryDelayMs(policy, attempt);
        this.#options.sink.line(
          `    ${stage.name} attempt ${attempt}/${policy.maximumAttempts} failed (${error.code}: ${error.message}); retrying in ${(delay / 1000).toFixed(1)}s`,
        );
        await (this.#options.sleep ?? abortableSleep)(delay, this.#options.signal);
      }
    }
  }

  async #computeOnce(stage: StageDeclaration, implementation: StageImplementation<never>, plan: StagePlan): Promise<Manifest> {
    const { store, sink, signal, config, projectRoot } = this.#options;
    const key = plan.key!;
    const pending = await store.begin(stage.name, key);
    const startedAt = new Date();
    const context: StageContext<Record<string, unknown>> = {
      slice: stage.configSlice(config),
      experimentId: this.#id,
      threads: this.#threads,
      input: (name) => {
        const manifest = this.#published.get(name);
        if (manifest === undefined) throw new Error(`stage ${stage.name} read ${name}, which is not among its inputs`);
        return { manifest, file: (file) => join(store.artifactDir(name, manifest.key), file) };
      },
      output: (name) => {
        const path = join(pending.dir, name);
        mkdirSync(dirname(path), { recursive: true });
        return path;
      },
      progress: (fraction, details) => sink.progress(stage.name, fraction, details),
      signal,
      log: (message) => sink.debug(`    [${stage.name}] ${message}`),
      checkpoint: checkpointStore(store.root, stage.name, key),
    };
    try {
      await mkdir(pending.dir, { recursive: true });
      const summary = await (implementation as StageImplementation<Record<string, unknown>>).run(context);
      if (signal.aborted) throw new Cancelled(`interrupted during ${stage.name}`, { stage: stage.name });
      const finishedAt = new Date();
      const meta = collectRunMetadata(projectRoot);
      const manifest = await store.publish(pending, {
        keyInputs: plan.keyInputs!,
        summary,
        experimentId: this.#id,
        timings: {
          startedAt: startedAt.toISOString(),
          finishedAt: finishedAt.toISOString(),
          seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
        },
        producer: { host: meta.host, pid: process.pid, packageVersion: meta.package_version, gitCommit: meta.git_commit },
      });
      await clearCheckpoints(store.root, stage.name, key);
      return manifest;
    } catch (error) {
      await store.discard(pending);
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
    });
    this.#options.sink.stageFinished(record.name, outcome, elapsedSince(started));
    this.#save();
  }

  #record(name: string): StageRecord {
    return this.#records.get(name)!;
  }

  #initialDocument(): ResultDocument {
    const { config, projectRoot, store } = this.#options;
    const stages = stagesUpTo(this.#options.until).map(
      (stage): StageRecord => ({
        name: stage.name,
        status: 'pending',
        key: null,
        digest: null,
        cache: null,
        reasons: [],
        attempts: 0,
        seconds: null,
        artifact_dir: null,
        summary: null,
        error: null,
      }),
    );
    for (const record of stages) this.#records.set(record.name, record);
    const now = new Date().toISOString();
    return {
      schema_version: '2.0',
      experiment_id: this.#id,
      status: 'running',
      started_at: now,
      updated_at: now,
      description: config.description,
      tags: config.tags,
      config_hash: configHash(config),
      graph_config_hash: graphConfigHash(config),
      config: config as unknown as Record<string, unknown>,
      stages,
      unavailable_stages: [...UNAVAILABLE_STAGES],
      outputs: {},
      error: null,
      metadata: {
        ...collectRunMetadata(projectRoot),
        threads: this.#threads,
        store_root: store.root,
        seconds_total: 0,
      },
    };
  }

  /** Writes result.json (schema-validated) after every state change, so it exists on failure too. */
  #save(): void {
    this.#document.updated_at = new Date().toISOString();
    this.#document.metadata.seconds_total = elapsedSince(this.#startedAt);
    writeFileAtomic(join(this.#resultDir, 'result.json'), serializeResult(this.#document));
  }
}

function elapsedSince(started: number): number {
  return (performance.now() - started) / 1000;
}

/** Resolves after `ms`, or rejects with Cancelled as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Cancelled('interrupted while waiting to retry'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Cancelled('interrupted while waiting to retry'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
