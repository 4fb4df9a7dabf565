/**
 * Runs the training loop in a worker thread (a backend's `run` blocks the thread that calls
 * it), so the main thread's event loop stays free for progress, heartbeats and cancellation.
 * The main thread saves each checkpoint the worker sends before the worker continues.
 */
import type { Worker } from 'node:worker_threads';
import { Cancelled, InputError, ResourceError, StageError, type PipelineError } from '../errors';
import type { GateResult } from './gate';
import type { LoopCheckpoint, LoopProgress, LoopResult } from './loop';
import type { TrainerIdentity, TrainerState } from './trainer-backend';
import type { TrainWorkerData, TrainWorkerMessage, TrainWorkerRequest } from './train-worker';
import { startTypeScriptWorker } from '../workers/typescript-worker';

/** A training job: the worker's data, with the progress throttle optional. */
export type TrainingJob = Omit<TrainWorkerData, 'progressIntervalMs'> & {
  /** Minimum milliseconds between two progress callbacks during steps. @default 250 */
  progressIntervalMs?: number;
};

/** Callbacks and cancellation of {@link runTrainingJob}. */
export interface TrainingJobHooks {
  onProgress?: (progress: LoopProgress) => void;
  onGate?: (gate: GateResult) => void;
  /** Saves a checkpoint; the worker waits for it. A rejection fails the job. */
  onCheckpoint?: (checkpoint: LoopCheckpoint) => Promise<void>;
  /** Aborting stops the worker at the next step boundary and rejects with Cancelled. */
  signal?: AbortSignal;
  /** Milliseconds the worker gets to stop after an abort before it is terminated. @default 30000 */
  abortGraceMs?: number;
}

/** What a finished job returns. */
export interface TrainingJobResult {
  loop: LoopResult;
  /** The backend's self-contained inference model (ONNX for the real backend). */
  model: Uint8Array;
  /**
   * The final parameters by parameter name (`blocks.0.attn.v.weight`, …): the state's
   * `param/<name>` tensors. Empty for a backend whose state names no parameters that way.
   */
  parameters: Record<string, Float32Array>;
  /** The backend's whole final state: with `loop` it is the run's final checkpoint (budget extension). */
  state: TrainerState;
  identity: TrainerIdentity;
  parameterCount: number;
}

/**
 * Trains in a worker thread. Rejects with Cancelled when aborted, InputError or ResourceError
 * when the worker failed for that reason, StageError for any other failure of the worker.
 */
export function runTrainingJob(job: TrainingJob, hooks: TrainingJobHooks = {}): Promise<TrainingJobResult> {
  if (hooks.signal?.aborted) return Promise.reject(new Cancelled('training aborted before it started', { cause: hooks.signal.reason }));
  const data: TrainWorkerData = { ...job, progressIntervalMs: job.progressIntervalMs ?? 250 };
  const worker = startTypeScriptWorker(new URL('./train-worker.ts', import.meta.url), data);
  return new Promise<TrainingJobResult>((resolve, reject) => new JobConnection(worker, hooks, resolve, reject).listen());
}

/** The main thread's side of one worker: message handling, abort, and settling exactly once. */
class JobConnection {
  #settled = false;
  #graceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly worker: Worker,
    private readonly hooks: TrainingJobHooks,
    private readonly resolve: (result: TrainingJobResult) => void,
    private readonly reject: (error: PipelineError) => void,
  ) {}

  listen(): void {
    const { worker, hooks } = this;
    hooks.signal?.addEventListener('abort', this.#onAbort, { once: true });
    worker.on('message', (message: TrainWorkerMessage) => void this.#onMessage(message));
    worker.on('error', (error) => this.#settle(() => this.reject(new StageError(`training worker failed: ${error.message}`, { cause: error }))));
    worker.on('exit', (code) => this.#settle(() => this.reject(new StageError(`training worker exited with code ${code} before sending its result`))));
  }

  readonly #onAbort = (): void => {
    this.#send({ type: 'abort' });
    // A step that never returns must not hold the stage forever: the job rejects, but the
    // worker is not terminated mid-step (a thread terminated inside onnxruntime's session.run
    // aborts the whole process). It no longer keeps the process alive, and is terminated as
    // soon as it reports again (it stops at its next step boundary).
    this.#graceTimer = setTimeout(() => {
      this.#settle(() => this.reject(new Cancelled('training aborted; the worker did not stop in time and was left to stop at its next step', { cause: this.hooks.signal?.reason })), 'when-idle');
    }, this.hooks.abortGraceMs ?? 30_000);
  };

  async #onMessage(message: TrainWorkerMessage): Promise<void> {
    // Settled already (the grace time ran out): the worker goes once it has stopped, i.e. when
    // it sends the checkpoint of where it stopped (saved first: a later run resumes from it),
    // its error or its result. Progress means it is still on its way to the step boundary.
    if (this.#settled) {
      if (message.type === 'progress' || message.type === 'gate') return;
      if (message.type === 'checkpoint') await this.hooks.onCheckpoint?.(message.checkpoint).catch(() => undefined);
      return void this.worker.terminate();
    }
    switch (message.type) {
      case 'progress':
        return this.hooks.onProgress?.(message.progress);
      case 'gate':
        return this.hooks.onGate?.(message.gate);
      case 'checkpoint':
        return this.#saveCheckpoint(message.checkpoint);
      case 'result':
        return this.#settle(() =>
          this.resolve({ loop: message.result, model: message.model, parameters: message.parameters, state: message.state, identity: message.identity, parameterCount: message.parameterCount }),
        );
      case 'error':
        return this.#settle(() => this.reject(workerError(message.name, message.message, this.hooks.signal)));
    }
  }

  async #saveCheckpoint(checkpoint: LoopCheckpoint): Promise<void> {
    try {
      await this.hooks.onCheckpoint?.(checkpoint);
      this.#send({ type: 'checkpoint-saved' });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#settle(() => this.reject(new ResourceError(`training: saving the checkpoint at step ${checkpoint.step} failed: ${reason}`, { cause: error })));
    }
  }

  #send(request: TrainWorkerRequest): void {
    if (!this.#settled) this.worker.postMessage(request);
  }

  /**
   * Settles the job once. The worker is terminated now when it is idle (it reported its result
   * or error, or it is gone), or left to finish its step (`when-idle`, see #onAbort).
   */
  #settle(action: () => void, terminate: 'now' | 'when-idle' = 'now'): void {
    if (this.#settled) return;
    this.#settled = true;
    this.hooks.signal?.removeEventListener('abort', this.#onAbort);
    if (this.#graceTimer !== null) clearTimeout(this.#graceTimer);
    if (terminate === 'now') void this.worker.terminate();
    else this.worker.unref();
    action();
  }
}

function workerError(name: string, message: string, signal: AbortSignal | undefined): PipelineError {
  if (name === 'Cancelled') return new Cancelled(message, { cause: signal?.reason });
  if (name === 'InputError') return new InputError(message);
  if (name === 'ResourceError') return new ResourceError(message);
  return new StageError(`training worker: ${name}: ${message}`);
}
