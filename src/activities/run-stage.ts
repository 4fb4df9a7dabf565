/**
 * The `runStage` activity: one stage of one experiment, through the same `executeStage` as
 * the embedded runner but with ONE attempt per call (Temporal retries). Progress becomes
 * heartbeats and throttled `stageProgress` signals to the workflow (progress-signal.ts),
 * cancellation (workflow request or worker shutdown) aborts the stage, and a retry resumes
 * from what the store already holds: published upstream artifacts and the stage's own
 * checkpoints.
 */
import { Context } from '@temporalio/activity';
import { parseConfig } from '../config/load';
import { ConfigError } from '../errors';
import { stageDeclaration, type StageDeclaration } from '../pipeline/dag';
import type { FingerprintCache } from '../pipeline/plan';
import { executeStage } from '../pipeline/stage-executor';
import type { StageImplementation } from '../pipeline/stage';
import type { RunStageInput, RunStageResult, StageHeartbeat } from './contract';
import type { ActivityDependencies } from './dependencies';
import { toActivityFailure } from './failure';
import { HeartbeatSink } from './heartbeat-sink';
import { contextSender, ProgressSignaller } from './progress-signal';
import { readUpstream } from './upstream';

/** Runs or reuses `input.stage`; throws an ApplicationFailure typed with the error code. */
export async function runStage(deps: ActivityDependencies, fingerprints: FingerprintCache, input: RunStageInput): Promise<RunStageResult> {
  const context = Context.current();
  const { attempt } = context.info;
  const signal = context.cancellationSignal;
  let sink: HeartbeatSink | undefined;
  let signaller: ProgressSignaller | null = null;
  try {
    const config = parseConfig(input.config).config;
    const stage = declarationOf(input.stage);
    const implementation = implementationOf(deps, stage);
    signaller = progressSignaller(deps, context);
    sink = new HeartbeatSink(context, stage.name, deps.heartbeat, signaller);
    noteResume(sink, attempt, context.info.heartbeatDetails as StageHeartbeat | undefined);
    const upstream = await readUpstream(deps.store, stage, input.upstream);
    const started = performance.now();
    const execution = await executeStage({
      stage,
      implementation,
      config,
      experimentId: input.experimentId,
      upstream,
      store: deps.store,
      projectRoot: deps.projectRoot,
      code: fingerprints.of(implementation),
      threads: config.runtime.threads ?? deps.threads,
      // A retry after a forced attempt published the artifact reuses it rather than forcing again.
      forced: input.forced && attempt === 1,
      signal,
      sink,
      retry: null,
    });
    const { manifest, plan } = execution;
    return {
      stage: stage.name,
      key: manifest.key,
      digest: manifest.digest,
      outcome: execution.outcome,
      cache: plan.decision === 'hit' ? 'hit' : 'miss',
      reasons: plan.reasons,
      attempt,
      seconds: (performance.now() - started) / 1000,
      artifactDir: deps.store.artifactDir(stage.name, manifest.key),
      summary: manifest.summary as Record<string, unknown>,
    };
  } catch (error) {
    throw toActivityFailure(error, { stage: input.stage, attempt, signal });
  } finally {
    sink?.stop();
    signaller?.stop();
  }
}

/** The attempt's `stageProgress` signaller, or null outside a workflow (no run to signal). */
function progressSignaller(deps: ActivityDependencies, context: Context): ProgressSignaller | null {
  const execution = context.info.workflowExecution;
  if (execution === undefined) return null;
  const options = deps.progressSignal ?? {};
  return new ProgressSignaller({
    target: { workflowId: execution.workflowId, runId: execution.runId },
    activityId: context.info.activityId,
    attempt: context.info.attempt,
    send: options.send ?? contextSender(context),
    warn: (message) => context.log.warn(message),
    minIntervalMs: options.minIntervalMs,
    ageDivisor: options.ageDivisor,
  });
}

function declarationOf(name: string): StageDeclaration {
  try {
    return stageDeclaration(name);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function implementationOf(deps: ActivityDependencies, stage: StageDeclaration): StageImplementation<never> {
  const implementation = deps.implementations.get(stage.name);
  if (implementation === undefined) throw new ConfigError(`stage '${stage.name}' has no implementation on this worker`);
  return implementation;
}

/** Says where a retried attempt stands; the stage itself resumes from its checkpoints. */
function noteResume(sink: HeartbeatSink, attempt: number, previous: StageHeartbeat | undefined): void {
  if (attempt === 1) return;
  const progress = previous === undefined ? 'no heartbeat recorded' : `last at ${(previous.fraction * 100).toFixed(1)}% ${JSON.stringify(previous.details)}`;
  sink.line(`attempt ${attempt}: resuming (${progress}); published inputs and checkpoints are reused`);
}
