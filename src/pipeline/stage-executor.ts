/**
 * Executing one stage: resolve its key, reuse a verified artifact or compute it under the
 * per-key lock (with retries when a policy is given), and publish it atomically. The embedded
 * runner calls this for every stage; a Temporal activity calls it for its one stage with no
 * retry policy, because Temporal retries activities itself.
 */
import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArtifactStore, Manifest } from '../artifacts/artifact-store';
import type { ExperimentConfig } from '../config/schema';
import { Cancelled, toPipelineError } from '../errors';
import { checkpointStore, clearCheckpoints } from './checkpoints';
import type { CodeFingerprint } from './code-fingerprint';
import type { StageDeclaration } from './dag';
import { resolveStage, type StagePlan } from './plan';
import { findShorterRun } from './shorter-run';
import type { ProgressSink } from './progress';
import { retryDelayMs, type RetryPolicy } from './retry-policy';
import { collectRunMetadata } from './run-metadata';
import type { StageContext, StageImplementation } from './stage';

export interface ExecuteStageOptions {
  stage: StageDeclaration;
  implementation: StageImplementation<never>;
  config: ExperimentConfig;
  experimentId: string;
  /** Published artifacts of the stage's inputs. */
  upstream: ReadonlyMap<string, Manifest>;
  store: ArtifactStore;
  projectRoot: string;
  code: CodeFingerprint;
  threads: number;
  /** Recompute even when the store has a valid artifact. */
  forced: boolean;
  signal: AbortSignal;
  sink: ProgressSink;
  /** Retries within this call; null = one attempt (the caller retries, as Temporal does). */
  retry: RetryPolicy | null;
  /** Called once the key and the hit/miss decision are known, before any work. */
  onPlanned?: (plan: StagePlan) => void;
  /** Called at the start of every attempt (1-based). */
  onAttempt?: (attempt: number) => void;
  /** Waits between retries; replaceable in tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface StageExecution {
  plan: StagePlan;
  manifest: Manifest;
  /** `reused`: a cache hit, or computed meanwhile by a concurrent run. */
  outcome: 'computed' | 'reused';
}

/** Runs or reuses one stage. Throws a PipelineError tagged with the stage on failure. */
export async function executeStage(options: ExecuteStageOptions): Promise<StageExecution> {
  const { stage, config, upstream, code, store, forced, sink } = options;
  const plan = await resolveStage(stage, config, upstream, code, store, forced);
  options.onPlanned?.(plan);
  sink.stageStarted(stage.name, plan.decision === 'hit' ? 'hit' : 'miss', plan.reasons);
  if (plan.decision === 'hit') return { plan, manifest: plan.manifest!, outcome: 'reused' };
  try {
    return await store.withLock(
      stage.name,
      plan.key!,
      () => computeUnlessPublished(options, plan),
      (holder) => sink.line(`    waiting for another run that holds the ${stage.name} lock (${holder})`),
    );
  } catch (caught) {
    throw toPipelineError(caught, stage.name);
  }
}

/** Under the lock: another run may have published the key while we waited. */
async function computeUnlessPublished(options: ExecuteStageOptions, plan: StagePlan): Promise<StageExecution> {
  const { stage, store, sink, forced } = options;
  const key = plan.key!;
  const existing = await store.read(stage.name, key);
  if (existing !== null && !forced && (await store.verify(existing)).ok) {
    sink.line(`    ${stage.name} was computed meanwhile by another run; reusing it`);
    return { plan, manifest: existing, outcome: 'reused' };
  }
  if (existing !== null) {
    sink.line(`    ${forced ? 'replacing the forced' : 'removing the corrupt'} ${stage.name} artifact ${key.slice(0, 12)}`);
    await store.remove(stage.name, key);
  }
  return { plan, manifest: await computeWithRetry(options, plan), outcome: 'computed' };
}

async function computeWithRetry(options: ExecuteStageOptions, plan: StagePlan): Promise<Manifest> {
  const { stage, signal, sink } = options;
  const maximumAttempts = options.retry?.maximumAttempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    options.onAttempt?.(attempt);
    try {
      return await computeOnce(options, plan);
    } catch (caught) {
      const error = signal.aborted ? interrupted(stage.name, caught) : toPipelineError(caught, stage.name);
      if (!error.retryable || attempt >= maximumAttempts || options.retry === null) throw error;
      const delay = retryDelayMs(options.retry, attempt);
      sink.line(
        `    ${stage.name} attempt ${attempt}/${maximumAttempts} failed (${error.code}: ${error.message}); retrying in ${(delay / 1000).toFixed(1)}s`,
      );
      await (options.sleep ?? abortableSleep)(delay, signal);
    }
  }
}

/** The error of a stage stopped by the abort signal, with the stage's own word on where it stopped. */
function interrupted(stage: string, caught: unknown): Cancelled {
  const detail = caught instanceof Cancelled ? `: ${caught.message}` : '';
  return new Cancelled(`interrupted during ${stage}${detail}`, { stage, cause: caught });
}

async function computeOnce(options: ExecuteStageOptions, plan: StagePlan): Promise<Manifest> {
  const { stage, store, signal, experimentId } = options;
  const key = plan.key!;
  const pending = await store.begin(stage.name, key);
  const startedAt = new Date();
  try {
    await mkdir(pending.dir, { recursive: true });
    const run = (options.implementation as StageImplementation<Record<string, unknown>>).run;
    const summary = await run(stageContext(options, plan, pending.dir));
    if (signal.aborted) throw new Cancelled(`interrupted during ${stage.name}`, { stage: stage.name });
    const finishedAt = new Date();
    const meta = collectRunMetadata(options.projectRoot);
    const manifest = await store.publish(pending, {
      keyInputs: plan.keyInputs!,
      summary,
      experimentId,
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

function stageContext(options: ExecuteStageOptions, plan: StagePlan, dir: string): StageContext<Record<string, unknown>> {
  const { stage, store, sink, upstream } = options;
  const key = plan.key!;
  return {
    slice: stage.configSlice(options.config),
    experimentId: options.experimentId,
    threads: options.threads,
    input: (name) => {
      const manifest = upstream.get(name);
      if (manifest === undefined || !stage.inputs.includes(name)) {
        throw new Error(`stage ${stage.name} read ${name}, which is not among its inputs`);
      }
      return { manifest, file: (file) => join(store.artifactDir(name, manifest.key), file) };
    },
    output: (name) => {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      return path;
    },
    progress: (fraction, details) => sink.progress(stage.name, fraction, details),
    signal: options.signal,
    log: (message) => sink.debug(`    [${stage.name}] ${message}`),
    checkpoint: checkpointStore(store.root, stage.name, key),
    ...(stage.prefixBudget === undefined
      ? {}
      : {
          shorterRun: async () => {
            const found = await findShorterRun(stage, plan.keyInputs!, store);
            if (found === null) return null;
            const { manifest, budget } = found;
            return { manifest, budget, file: (file: string) => join(store.artifactDir(stage.name, manifest.key), file) };
          },
        }),
  };
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
