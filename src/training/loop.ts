/**
 * The training loop (method.md section 4, reference-pipeline.md section 7): optimizer steps on
 * shuffled window batches with the scheduled learning rate, the sufficiency gate every
 * `evalInterval` steps and at the end, early stopping, checkpoints and exact resumption, also
 * of a shorter run's final state by a longer run with the same schedule (budget extension).
 * Independent of the model math: it drives any {@link TrainerBackend}.
 */
import { Cancelled, InputError } from '../errors';
import { evaluateGate, type GateInputs, type GateResult } from './gate';
import { lastStep, lrMultiplier, stepBudget, type StepBudget } from './schedule';
import type { TrainerBackend, TrainerShape, TrainerState } from './trainer-backend';
import { epochOrder, fillBatch, stepsPerEpoch, type WindowSet } from './windows';

/** The loop's settings (from the training config section and the seed). */
export interface LoopSettings {
  seed: number;
  /** Base learning rate; the schedule multiplies it. */
  learningRate: number;
  /** The last step this run takes (training stops there). */
  maxSteps: number;
  /**
   * The horizon of the learning-rate schedule; null or absent = maxSteps. Runs that differ only
   * in maxSteps but share this horizon are prefixes of each other (budget extension).
   * @default null
   */
  scheduleSteps?: number | null;
  /** Cap in whole epochs on top of maxSteps; null = none. */
  maxEpochs: number | null;
  /** Gate every this many steps (and after the last step). */
  evalInterval: number;
  /** Checkpoint every this many steps (and when training ends). */
  checkpointInterval: number;
  /** Stop as soon as a gate evaluation passes. */
  earlyStop: boolean;
}

/** The data the loop trains and gates on. */
export interface LoopData {
  windows: WindowSet;
  gate: Omit<GateInputs, 'signal'>;
}

/** Why training ended: the gate passed with early stopping on, or the step budget ran out. */
export type StopReason = 'gate-passed' | 'step-budget';

/** Where training stands: everything besides the backend state that a resumed run needs. */
export interface LoopProgressState {
  /** Optimizer steps taken. */
  step: number;
  /** 0-based epoch of the next batch. */
  epoch: number;
  /** Batches of `epoch` already taken. */
  batchInEpoch: number;
  /** Loss of every step so far. */
  losses: number[];
  /** Every gate evaluation so far. */
  gates: GateResult[];
  /** Set once training has ended. */
  stopReason: StopReason | null;
  /** The schedule the state belongs to; a resume with another schedule is refused. */
  budget: StepBudget;
  stepsPerEpoch: number;
}

/**
 * A resumable snapshot. The window order needs no stored random state: epoch e's order is
 * derived from (seed, 'train', 'epoch', e), so (epoch, batchInEpoch) locate the next batch.
 */
export interface LoopCheckpoint extends LoopProgressState {
  backend: TrainerState;
}

/** One progress report, sent after every step and before every gate evaluation. */
export interface LoopProgress {
  phase: 'train' | 'gate';
  step: number;
  totalSteps: number;
  epoch: number;
  /** Loss of the latest step (NaN before the first). */
  loss: number;
  /** Learning rate of the latest step. */
  learningRate: number;
  /** Training tokens per second of step time in this session (gates excluded). */
  tokensPerSecond: number;
  /** step / totalSteps, for the runner's ETA. */
  fraction: number;
}

/** Callbacks and cancellation of {@link runTrainingLoop}. */
export interface LoopHooks {
  onProgress?: (progress: LoopProgress) => void;
  /** Receives every checkpoint; training waits for it to return. */
  onCheckpoint?: (checkpoint: LoopCheckpoint) => Promise<void> | void;
  onGate?: (gate: GateResult) => void;
  /**
   * Checked between steps and gate model calls; aborting rejects with Cancelled. An abort
   * noticed between steps first checkpoints the steps taken since the last checkpoint; one
   * noticed during a gate evaluation leaves the newest checkpoint as it is (the step's gate is
   * not complete).
   */
  signal?: AbortSignal;
}

/** What a finished loop returns. */
export interface LoopResult extends LoopProgressState {
  stopReason: StopReason;
  /** The last step this run could take: min(maxSteps, maxEpochs * stepsPerEpoch). */
  lastStep: number;
  /** Learning rate of every step taken. */
  learningRates: number[];
  /** The last gate evaluation (there is always one: the loop gates after its last step). */
  finalGate: GateResult;
  /** Training tokens per second of step time in this session (NaN when no step ran). */
  tokensPerSecond: number;
}

/**
 * Trains until the step budget is spent or, with early stopping, the gate passes. With
 * `resume`, the backend state and loop position are restored first and the run continues
 * exactly as the uninterrupted run would have. `resume` may also be the final state of a
 * shorter run with the same schedule horizon (see {@link positionAfterResume}): the run then
 * continues from that step exactly as a run to this budget from scratch would have.
 */
export async function runTrainingLoop(
  backend: TrainerBackend,
  shape: TrainerShape,
  settings: LoopSettings,
  data: LoopData,
  hooks: LoopHooks = {},
  resume: LoopCheckpoint | null = null,
): Promise<LoopResult> {
  const { state, last } = await initialState(backend, shape, settings, data, resume);
  const session = new StepSession(backend, shape, settings, data, state, hooks, last);
  while (state.stopReason === null) {
    if (hooks.signal?.aborted) throw await session.interrupted(hooks.signal);
    await session.trainOneStep();
    await session.afterStep();
    // Yield to the event loop so an abort (or, in a worker, an abort message) can arrive.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const finalGate = state.gates[state.gates.length - 1];
  return {
    ...state,
    stopReason: state.stopReason,
    lastStep: last,
    learningRates: state.losses.map((_, k) => settings.learningRate * lrMultiplier(k, state.budget)),
    finalGate,
    tokensPerSecond: session.tokensPerSecond(),
  };
}

async function initialState(
  backend: TrainerBackend,
  shape: TrainerShape,
  settings: LoopSettings,
  data: LoopData,
  resume: LoopCheckpoint | null,
): Promise<{ state: LoopProgressState; last: number }> {
  const perEpoch = stepsPerEpoch(data.windows.count, shape.batch);
  const budget = stepBudget(settings.maxSteps, settings.maxEpochs, perEpoch, settings.scheduleSteps ?? null);
  const last = lastStep(settings.maxSteps, settings.maxEpochs, perEpoch);
  if (resume === null) return { state: { step: 0, epoch: 0, batchInEpoch: 0, losses: [], gates: [], stopReason: null, budget, stepsPerEpoch: perEpoch }, last };
  if (resume.stepsPerEpoch !== perEpoch || resume.budget.total !== budget.total || resume.budget.warm !== budget.warm) {
    throw new InputError(
      `training: the checkpoint at step ${resume.step} belongs to another plan ` +
        `(${resume.stepsPerEpoch} steps/epoch, ${resume.budget.total} steps; now ${perEpoch} and ${budget.total})`,
    );
  }
  if (resume.step > last) {
    throw new InputError(`training: the checkpoint at step ${resume.step} is past this run's last step ${last}: a longer run cannot be the prefix of a shorter one`);
  }
  await backend.importState(resume.backend);
  return { state: positionAfterResume(resume, settings, last), last };
}

/**
 * The loop position to continue from `resume` in a run whose last step is `last`. For a
 * checkpoint of the same run this is the checkpoint itself. For the final state of a shorter
 * run with the same schedule (budget extension) two things differ from what this run would
 * have at that step, and both are recomputed with the loop's own rules:
 * - the shorter run gated after its last step; this run gates there only when the step is a
 *   multiple of `evalInterval` (or its own last step), so other gates are dropped;
 * - the shorter run ended; this run ends there only when the gate passed with early stopping
 *   (the longer run stops at the same gate) or when the step is also this run's last step.
 * The parameters need no adjustment: gating only reads them.
 */
export function positionAfterResume(resume: LoopCheckpoint, settings: Pick<LoopSettings, 'evalInterval' | 'earlyStop'>, last: number): LoopProgressState {
  const { backend: _state, ...position } = resume;
  const gates = resume.gates.filter((gate) => gate.step % settings.evalInterval === 0 || gate.step === last);
  const latest = gates[gates.length - 1];
  let stopReason: StopReason | null = null;
  if (settings.earlyStop && latest !== undefined && latest.passed && latest.step === resume.step) stopReason = 'gate-passed';
  else if (resume.step >= last) stopReason = 'step-budget';
  return { ...position, losses: [...resume.losses], gates, stopReason };
}

/** The mutable per-session part of the loop: buffers, the current epoch's order, timing. */
class StepSession {
  readonly #inputs: Int32Array;
  readonly #targets: Int32Array;
  #order: Int32Array;
  #orderEpoch: number;
  #stepSeconds = 0;
  #stepsThisSession = 0;
  /** The step of the newest checkpoint: the start when none was taken in this session. */
  #checkpointedStep: number;

  constructor(
    private readonly backend: TrainerBackend,
    private readonly shape: TrainerShape,
    private readonly settings: LoopSettings,
    private readonly data: LoopData,
    private readonly state: LoopProgressState,
    private readonly hooks: LoopHooks,
    private readonly last: number,
  ) {
    this.#inputs = new Int32Array(shape.batch * shape.context);
    this.#targets = new Int32Array(shape.batch * shape.context);
    this.#orderEpoch = state.epoch;
    this.#order = epochOrder(settings.seed, state.epoch, data.windows.count);
    this.#checkpointedStep = state.step;
  }

  async trainOneStep(): Promise<void> {
    const { state, settings } = this;
    if (state.batchInEpoch === state.stepsPerEpoch) {
      state.epoch++;
      state.batchInEpoch = 0;
    }
    if (this.#orderEpoch !== state.epoch) {
      this.#order = epochOrder(settings.seed, state.epoch, this.data.windows.count);
      this.#orderEpoch = state.epoch;
    }
    fillBatch(this.data.windows, this.#order, state.batchInEpoch, this.#inputs, this.#targets);
    const learningRate = settings.learningRate * lrMultiplier(state.step, state.budget);
    const started = performance.now();
    const loss = await this.backend.step(this.#inputs, this.#targets, learningRate);
    this.#stepSeconds += (performance.now() - started) / 1000;
    this.#stepsThisSession++;
    state.losses.push(loss);
    state.step++;
    state.batchInEpoch++;
    this.report('train', loss, learningRate);
  }

  /** Gate and checkpoint when due; decides whether training has ended. */
  async afterStep(): Promise<void> {
    const { state, settings } = this;
    const last = state.step >= this.last;
    if (state.step % settings.evalInterval === 0 || last) {
      const gate = await this.gate();
      if (gate.passed && settings.earlyStop) state.stopReason = 'gate-passed';
    }
    if (state.stopReason === null && last) state.stopReason = 'step-budget';
    if (state.step % settings.checkpointInterval === 0 || state.stopReason !== null) await this.checkpoint();
  }

  /**
   * The error for an abort noticed between steps, once the steps taken since the newest
   * checkpoint are checkpointed too: the state between two steps is complete (its gate
   * included), so a resume from it is exact.
   */
  async interrupted(signal: AbortSignal): Promise<Cancelled> {
    const { state, hooks } = this;
    if (hooks.onCheckpoint !== undefined && state.step > this.#checkpointedStep) await this.checkpoint();
    return new Cancelled(`training interrupted after step ${state.step}; ${this.#whereNextRunStarts()}`, { cause: signal.reason });
  }

  #whereNextRunStarts(): string {
    if (this.hooks.onCheckpoint === undefined) return 'no checkpoint is kept';
    return this.#checkpointedStep === 0 ? 'the next run starts from the beginning' : `the next run resumes from step ${this.#checkpointedStep}`;
  }

  tokensPerSecond(): number {
    return (this.#stepsThisSession * this.shape.batch * this.shape.context) / this.#stepSeconds;
  }

  private async gate(): Promise<GateResult> {
    const { state } = this;
    this.report('gate', state.losses[state.losses.length - 1], this.settings.learningRate * lrMultiplier(state.step - 1, state.budget));
    const gate = await evaluateGate(this.backend, this.shape, { ...this.data.gate, signal: this.hooks.signal }, state.step);
    state.gates.push(gate);
    this.hooks.onGate?.(gate);
    return gate;
  }

  private async checkpoint(): Promise<void> {
    if (this.hooks.onCheckpoint === undefined) return;
    const { state } = this;
    const snapshot: LoopCheckpoint = { ...state, losses: [...state.losses], gates: [...state.gates], backend: await this.backend.exportState() };
    await this.hooks.onCheckpoint(snapshot);
    this.#checkpointedStep = state.step;
  }

  private report(phase: LoopProgress['phase'], loss: number, learningRate: number): void {
    const { state } = this;
    this.hooks.onProgress?.({
      phase,
      step: state.step,
      totalSteps: this.last,
      epoch: state.epoch,
      loss,
      learningRate,
      tokensPerSecond: this.tokensPerSecond(),
      fraction: state.step / this.last,
    });
  }
}
