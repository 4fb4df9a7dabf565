/**
 * Worker-thread entry of {@link runTrainingJob}: imports the backend factory named in the job,
 * builds the backend and runs the training loop, posting progress, gate results, checkpoints
 * (then waiting until the parent confirms each is saved) and the result with the exported
 * inference model and the final parameters. The backend is released before the worker reports its end.
 * @internal
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelConfig } from '../config/schema';
import { paramInput } from '../model/graph-names';
import type { GateResult } from './gate';
import { runTrainingLoop, type LoopCheckpoint, type LoopData, type LoopProgress, type LoopResult, type LoopSettings } from './loop';
import type { OptimizerSettings } from './optimizer';
import type { TrainerBackend, TrainerFactory, TrainerIdentity, TrainerRuntime, TrainerShape, TrainerState } from './trainer-backend';

/** Where the worker finds the backend factory: a module URL and the name of its export. */
export interface BackendModule {
  /** `file:` URL of the module (TypeScript is fine: the worker has tsx registered). */
  url: string;
  /** Name of the exported {@link TrainerFactory}. */
  exportName: string;
}

/** Everything a training worker needs; passed as `workerData` (structured clone). */
export interface TrainWorkerData {
  backend: BackendModule;
  model: ModelConfig;
  shape: TrainerShape;
  optimizer: OptimizerSettings;
  seed: number;
  runtime: TrainerRuntime;
  settings: LoopSettings;
  data: LoopData;
  resume: LoopCheckpoint | null;
  /** Minimum milliseconds between two training progress messages (gate messages are never held back). */
  progressIntervalMs: number;
}

/** Messages the parent sends. */
export type TrainWorkerRequest = { type: 'abort' } | { type: 'checkpoint-saved' };

/** Messages a training worker posts. */
export type TrainWorkerMessage =
  | { type: 'progress'; progress: LoopProgress }
  | { type: 'gate'; gate: GateResult }
  | { type: 'checkpoint'; checkpoint: LoopCheckpoint }
  | {
      type: 'result';
      result: LoopResult;
      model: Uint8Array;
      parameters: Record<string, Float32Array>;
      /** The backend's whole final state (parameters, optimizer moments, step), for budget extension. */
      state: TrainerState;
      identity: TrainerIdentity;
      parameterCount: number;
    }
  | { type: 'error'; name: string; message: string };

type Port = NonNullable<typeof parentPort>;

async function run(port: Port, data: TrainWorkerData): Promise<void> {
  const controller = new AbortController();
  let confirmSaved: (() => void) | null = null;
  port.on('message', (request: TrainWorkerRequest) => {
    if (request.type === 'abort') controller.abort();
    else confirmSaved?.();
  });
  let backend: TrainerBackend | null = null;
  try {
    const factory = await loadFactory(data.backend);
    backend = await factory(data.model, data.shape, data.optimizer, data.seed, data.runtime);
    const result = await runTrainingLoop(backend, data.shape, data.settings, data.data, {
      signal: controller.signal,
      onProgress: throttled(data.progressIntervalMs, (progress) => port.postMessage({ type: 'progress', progress } satisfies TrainWorkerMessage)),
      onGate: (gate) => port.postMessage({ type: 'gate', gate } satisfies TrainWorkerMessage),
      onCheckpoint: (checkpoint) =>
        new Promise<void>((resolve) => {
          confirmSaved = resolve;
          port.postMessage({ type: 'checkpoint', checkpoint } satisfies TrainWorkerMessage);
        }),
    }, data.resume);
    // A copy: the backend may hand out a view of memory it still owns, which must not be transferred.
    const model = (await backend.exportInferenceModel()).slice();
    const exported = await backend.exportState();
    const parameters = finalParameters(exported);
    // Copies again: every tensor must own its whole buffer to be transferred.
    const state: TrainerState = { step: exported.step, tensors: Object.fromEntries(Object.entries(exported.tensors).map(([name, data]) => [name, data.slice()])) };
    const { identity, parameterCount } = backend;
    await release(backend);
    backend = null;
    const transfer = [model.buffer, ...Object.values(parameters).map((data) => data.buffer), ...Object.values(state.tensors).map((data) => data.buffer)] as ArrayBuffer[];
    port.postMessage({ type: 'result', result, model, parameters, state, identity, parameterCount } satisfies TrainWorkerMessage, transfer);
  } catch (error) {
    if (backend !== null) await release(backend);
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: 'error', name, message } satisfies TrainWorkerMessage);
  }
}

/** The state's parameter tensors (`param/<name>`) by parameter name, copied; the AdamW moments are left out. */
function finalParameters(state: TrainerState): Record<string, Float32Array> {
  const prefix = paramInput('');
  const parameters: Record<string, Float32Array> = {};
  for (const [name, data] of Object.entries(state.tensors)) {
    // A copy, so every tensor owns its whole buffer and can be transferred.
    if (name.startsWith(prefix)) parameters[name.slice(prefix.length)] = data.slice();
  }
  return parameters;
}

async function loadFactory(backend: BackendModule): Promise<TrainerFactory> {
  const module = (await import(backend.url)) as Record<string, unknown>;
  const factory = module[backend.exportName];
  if (typeof factory !== 'function') {
    throw new TypeError(`training backend module ${backend.url} has no exported function '${backend.exportName}'`);
  }
  return factory as TrainerFactory;
}

async function release(backend: TrainerBackend): Promise<void> {
  try {
    await backend.release();
  } catch {
    // Releasing is best effort: the worker exits right after, which frees everything anyway.
  }
}

/** Passes on a progress report at most every `intervalMs`, except gate-phase and final-step reports. */
function throttled(intervalMs: number, send: (progress: LoopProgress) => void): (progress: LoopProgress) => void {
  let last = -Infinity;
  return (progress) => {
    const now = performance.now();
    if (progress.phase === 'gate' || progress.fraction >= 1 || now - last >= intervalMs) {
      last = now;
      send(progress);
    }
  };
}

if (parentPort !== null) void run(parentPort, workerData as TrainWorkerData);
