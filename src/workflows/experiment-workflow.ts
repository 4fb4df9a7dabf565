/**
 * `experimentWorkflow`: the durable form of one experiment. It walks the same stage DAG as
 * the embedded runner (the stage list `stagesUpTo` gave the client at submission), runs one activity per stage on the stage's
 * queue, starts independent stages in parallel, hands a stage whose retries are exhausted
 * to an operator (`resume` / `abort`), and finally writes `results/<experiment-id>/`.
 *
 * Deterministic sandbox code: it imports only sandbox-safe pipeline modules and activity
 * TYPES (the bundler test enforces it).
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities/index';
import type { RunStageResult, StageRef, WriteResultsOutput } from '../activities/contract';
import { ErrorCode } from '../errors';
import { stageDeclaration, type StageDeclaration, type StageName } from '../pipeline/dag';
import { BOOKKEEPING_ACTIVITY_OPTIONS, DEFAULT_OPERATOR_WAIT, stageActivityOptions } from './activity-options';
import { runDataflow } from './dataflow';
import {
  abortSignal,
  progressQuery,
  resumeSignal,
  stageProgressSignal,
  type ExperimentInput,
  type ExperimentOutcome,
  type ExperimentStatus,
  type ProgressView,
} from './definitions';
import { OperatorGate } from './operator-gate';
import { CONFIG_HASH, EXPERIMENT_ID, EXPERIMENT_STAGE, EXPERIMENT_STATUS, GATE_PASSED } from './search-attributes';
import { describeStageFailure, type StageFailure } from './stage-failure';
import { StageTable } from './stage-table';


const bookkeeping = proxyActivities<Activities>(BOOKKEEPING_ACTIVITY_OPTIONS);

/** Runs one experiment; fails with the failed stage's error code as the failure type. */
export async function experimentWorkflow(input: ExperimentInput): Promise<ExperimentOutcome> {
  return runExperiment(input, input.stages.map(stageDeclaration));
}

/**
 * The workflow body over an explicit stage list, so tests can replay the same code on a DAG
 * with parallel branches.
 * @internal
 */
export async function runExperiment(input: ExperimentInput, stages: readonly StageDeclaration[]): Promise<ExperimentOutcome> {
  return new ExperimentExecution(input, stages).execute();
}

/** A failure that ends the experiment, with what result.json records about it. */
interface Ending {
  status: Exclude<ExperimentStatus, 'running' | 'waiting-for-operator' | 'succeeded'>;
  error: { stage: string | null; code: string; message: string };
  cause: unknown;
}

class ExperimentExecution {
  readonly #input: ExperimentInput;
  readonly #stages: readonly StageDeclaration[];
  readonly #table: StageTable;
  readonly #gate = new OperatorGate();
  readonly #startedAt = new Date();
  #status: ExperimentStatus = 'running';
  #error: ProgressView['error'] = null;
  #resultDir: string | null = null;
  #published = '';

  constructor(input: ExperimentInput, stages: readonly StageDeclaration[]) {
    this.#input = input;
    this.#stages = stages;
    this.#table = new StageTable(stages);
    setHandler(progressQuery, () => this.#view());
    setHandler(resumeSignal, (request) => this.#gate.resume(request?.stage));
    setHandler(abortSignal, (request) => this.#gate.abort(request?.reason));
    // State only, no commands: histories recorded before this handler existed (no such
    // signals) and after it (signals, each followed by a command-free workflow task) replay
    // the same way, so it needs no patched() guard. It must not publish search attributes.
    setHandler(stageProgressSignal, (update) => void this.#table.noteProgress(update));
  }

  async execute(): Promise<ExperimentOutcome> {
    this.#publish();
    const results = new Map<StageName, RunStageResult>();
    const ending = await this.#runStages(results);
    this.#status = ending?.status ?? 'succeeded';
    this.#error = ending?.error ?? null;
    // The results folder is written even when the workflow was cancelled.
    const written = await CancellationScope.nonCancellable(() => this.#writeResults(results));
    this.#resultDir = written.resultDir;
    this.#publish();
    if (ending !== undefined) throw endingFailure(ending);
    return {
      experimentId: this.#input.experimentId,
      status: 'succeeded',
      resultDir: written.resultDir,
      stages: this.#table.rows().map((row) => ({ name: row.name, status: row.status, digest: row.digest })),
    };
  }

  /** Runs the DAG until it completes, a stage fails for good, or an operator aborts. */
  async #runStages(results: Map<StageName, RunStageResult>): Promise<Ending | undefined> {
    const scope = new CancellationScope();
    const dag = scope.run(() =>
      runDataflow<RunStageResult>(this.#stages, async (stage, inputs) => {
        const result = await this.#runUntilDone(stage, [...inputs.values()]);
        results.set(stage.name, result);
        const reason = stage.stopAfter?.(this.#input.config, (result.summary ?? {}) as Record<string, unknown>);
        if (reason) throw new PipelineStoppedError(stage.name, reason);
        return result;
      }),
    );
    // An abort cancels the stages that are still running (their activities see it on the next
    // heartbeat). The rejection handler covers the workflow itself being cancelled meanwhile.
    void condition(() => this.#gate.abortReason !== null).then(
      () => scope.cancel(),
      () => undefined,
    );
    try {
      await dag;
      return undefined;
    } catch (error) {
      scope.cancel();
      return this.#ending(error);
    }
  }

  #ending(error: unknown): Ending {
    if (this.#gate.abortReason !== null) {
      return { status: 'aborted', error: { stage: this.#failedStage(), code: ErrorCode.cancelled, message: this.#gate.abortReason }, cause: error };
    }
    if (isCancellation(error)) {
      return { status: 'cancelled', error: { stage: null, code: ErrorCode.cancelled, message: 'the workflow was cancelled' }, cause: error };
    }
    if (error instanceof PipelineStoppedError) {
      return { status: 'gate_failed', error: { stage: error.stage, code: ErrorCode.gateFailed, message: error.message }, cause: error };
    }
    if (error instanceof StageFailedError) {
      return { status: 'failed', error: { stage: error.stage, code: error.failure.code, message: error.failure.message }, cause: error };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'failed', error: { stage: null, code: ErrorCode.stage, message }, cause: error };
  }

  #failedStage(): string | null {
    return this.#table.rows().find((row) => row.status === 'failed' || row.status === 'waiting-for-operator')?.name ?? null;
  }

  /** Rounds of one stage: each round is one activity with Temporal's retries; between rounds an operator decides. */
  async #runUntilDone(stage: StageDeclaration, upstream: RunStageResult[]): Promise<RunStageResult> {
    const forced = this.#input.force?.includes(stage.name) === true;
    for (let round = 1; ; round++) {
      this.#table.start(stage.name, round, new Date());
      this.#publish();
      try {
        const activities = proxyActivities<Activities>(stageActivityOptions(stage, round, this.#input.timeouts));
        const result = await activities.runStage({
          stage: stage.name,
          config: this.#input.config,
          experimentId: this.#input.experimentId,
          upstream: upstream.map(toRef),
          // A resumed round reuses what the forced round already published.
          forced: forced && round === 1,
        });
        this.#table.finish(result, new Date());
        this.#publish();
        return result;
      } catch (error) {
        const failure = describeStageFailure(stage, error);
        if (failure === null) {
          this.#table.mark(stage.name, 'cancelled');
          throw error;
        }
        this.#table.fail(stage.name, failure, failure.attempts, failure.heartbeat, new Date());
        if (failure.permanent || (await this.#askOperator(stage)) !== 'resume') {
          this.#table.mark(stage.name, 'failed');
          throw new StageFailedError(stage.name, failure);
        }
      }
    }
  }

  async #askOperator(stage: StageDeclaration): Promise<'resume' | 'abort' | 'timeout'> {
    this.#table.mark(stage.name, 'waiting-for-operator');
    this.#status = 'waiting-for-operator';
    this.#publish();
    const decision = await this.#gate.decide(stage.name, this.#input.timeouts?.operatorWait ?? DEFAULT_OPERATOR_WAIT);
    if (this.#gate.waiting().length === 0 && this.#gate.abortReason === null) this.#status = 'running';
    return decision;
  }

  async #writeResults(results: ReadonlyMap<StageName, RunStageResult>): Promise<WriteResultsOutput> {
    const status = this.#status === 'succeeded' || this.#status === 'gate_failed' ? this.#status : this.#status === 'cancelled' ? 'interrupted' : 'failed';
    return bookkeeping.writeResults({
      experimentId: this.#input.experimentId,
      config: this.#input.config,
      status,
      startedAt: this.#startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      stages: this.#table.records(),
      published: [...results.values()].map(toRef),
      error: this.#error,
    });
  }

  /** Upserts the search attributes when they changed (each upsert is a history event). */
  #publish(): void {
    const pairs: SearchAttributeUpdatePair[] = [
      { key: EXPERIMENT_ID, value: this.#input.experimentId },
      { key: EXPERIMENT_STATUS, value: this.#status },
      { key: EXPERIMENT_STAGE, value: this.#table.active() },
    ];
    if (this.#input.configHash !== undefined) pairs.push({ key: CONFIG_HASH, value: this.#input.configHash });
    const gate = this.#table.gatePassed();
    if (gate !== null) pairs.push({ key: GATE_PASSED, value: gate });
    const fingerprint = JSON.stringify(pairs.map((pair) => pair.value));
    if (fingerprint === this.#published) return;
    this.#published = fingerprint;
    upsertSearchAttributes(pairs);
  }

  #view(): ProgressView {
    return {
      experimentId: this.#input.experimentId,
      status: this.#status,
      startedAt: this.#startedAt.toISOString(),
      updatedAt: new Date().toISOString(),
      stages: this.#table.rows(),
      error: this.#error,
      resultDir: this.#resultDir,
    };
  }
}

/** A stage failed for good (permanent error, operator abort or no decision in time). */
class StageFailedError extends Error {
  constructor(
    readonly stage: string,
    readonly failure: StageFailure,
  ) {
    super(`stage ${stage} failed: ${failure.code}: ${failure.message}`);
  }
}

/** A declared stop condition (dag.ts `stopAfter`) ended the run after a stage that succeeded. */
class PipelineStoppedError extends Error {
  constructor(
    readonly stage: string,
    reason: string,
  ) {
    super(`stopped after ${stage}: ${reason}`);
  }
}

function toRef(result: RunStageResult): StageRef {
  return { stage: result.stage, key: result.key, digest: result.digest };
}

/** The workflow's own failure: non-retryable, typed with the stage's error code. */
function endingFailure(ending: Ending): unknown {
  if (ending.status === 'cancelled') return ending.cause;
  const where = ending.error.stage === null ? '' : `stage ${ending.error.stage}: `;
  return ApplicationFailure.create({
    message: `${where}${ending.error.message}`,
    type: ending.error.code,
    nonRetryable: true,
    details: [ending.error],
    cause: ending.cause instanceof Error ? ending.cause : undefined,
  });
}
