/**
 * Live progress for the workflow's `progress` query: a running stage, besides heartbeating,
 * sends its latest heartbeat to its own workflow as a `stageProgress` signal. Heartbeats
 * cost no history; signals do (a WorkflowExecutionSignaled event plus a workflow task: about
 * four events each), so they are throttled.
 *
 * Budget: at most one signal per attempt every `minIntervalMs` (30 s), and the gap grows
 * with the attempt's age to a `1/ageDivisor` (1/40) of it. A stage that reports progress
 * continuously therefore sends about 40 signals in its first 20 minutes and then about
 * 40·ln(duration / 20 min) more: ~85 for one hour, ~155 for 6 hours, under 250 for 48 hours
 * (~1,000 history events, 2% of Temporal's 51,200-event limit), whatever its report rate.
 * The latest report always goes out within one gap (a trailing send), so the query lags
 * the stage by at most that gap. Sending is best effort: a failed signal is logged, never
 * fails the stage.
 */
import type { Context } from '@temporalio/activity';
import type { ProgressDetails } from '../pipeline/stage';
import { stageProgressSignal } from '../workflows/definitions';
import type { StageHeartbeat, StageProgressUpdate } from './contract';

/** The workflow run that scheduled the activity. */
export interface SignalTarget {
  workflowId: string;
  runId: string | undefined;
}

/** Delivers one `stageProgress` signal. */
export type ProgressSignalSender = (target: SignalTarget, update: StageProgressUpdate) => Promise<void>;

/** How `runStage` signals progress to its workflow. */
export interface ProgressSignalOptions {
  /** Smallest gap between two signals of one attempt, in ms. @default 30000 */
  minIntervalMs?: number;
  /** The gap also grows to (time since the attempt's first signal) / this. @default 40 */
  ageDivisor?: number;
  /**
   * Sends a signal. @default through the activity context's client (the worker's own
   * connection), to the run in `Context.info.workflowExecution`
   */
  send?: ProgressSignalSender;
}

/** @see ProgressSignalOptions.minIntervalMs */
export const DEFAULT_SIGNAL_INTERVAL_MS = 30_000;
/** @see ProgressSignalOptions.ageDivisor */
export const DEFAULT_SIGNAL_AGE_DIVISOR = 40;

/** Detail entries and string lengths a signal carries at most (signals are history events). */
const MAX_DETAIL_ENTRIES = 16;
const MAX_KEY_LENGTH = 40;
const MAX_STRING_LENGTH = 80;

/**
 * When signals may go: the first at once, each next one a gap after the previous, the gap
 * being max(minIntervalMs, age at the previous signal / ageDivisor). Pure (times passed in).
 */
export class SignalSchedule {
  readonly #minIntervalMs: number;
  readonly #ageDivisor: number;
  #startedAt: number | null = null;
  #lastSentAt: number | null = null;

  constructor(minIntervalMs = DEFAULT_SIGNAL_INTERVAL_MS, ageDivisor = DEFAULT_SIGNAL_AGE_DIVISOR) {
    if (!(minIntervalMs >= 0)) throw new RangeError(`minIntervalMs: ${minIntervalMs} — must be >= 0`);
    if (!(ageDivisor > 0)) throw new RangeError(`ageDivisor: ${ageDivisor} — must be > 0`);
    this.#minIntervalMs = minIntervalMs;
    this.#ageDivisor = ageDivisor;
  }

  /** The earliest time the next signal may be sent (`-Infinity` before the first). */
  nextAt(): number {
    if (this.#lastSentAt === null || this.#startedAt === null) return -Infinity;
    return this.#lastSentAt + Math.max(this.#minIntervalMs, (this.#lastSentAt - this.#startedAt) / this.#ageDivisor);
  }

  /** Records a signal sent at `now`. */
  sent(now: number): void {
    this.#startedAt ??= now;
    this.#lastSentAt = now;
  }
}

/** What a {@link ProgressSignaller} needs besides its options. */
export interface ProgressSignallerInit {
  target: SignalTarget;
  activityId: string;
  attempt: number;
  send: ProgressSignalSender;
  /** Where failed sends are reported. */
  warn: (message: string) => void;
  minIntervalMs?: number;
  ageDivisor?: number;
}

/** Throttled `stageProgress` signals of one activity attempt; `stop()` when the attempt ends. */
export class ProgressSignaller {
  readonly #init: ProgressSignallerInit;
  readonly #schedule: SignalSchedule;
  #pending: StageHeartbeat | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #sent = 0;
  #failures = 0;

  constructor(init: ProgressSignallerInit) {
    this.#init = init;
    this.#schedule = new SignalSchedule(init.minIntervalMs, init.ageDivisor);
  }

  /** Signals sent so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Offers the latest heartbeat: sent now when due, else when the gap has passed (only the latest is kept). */
  offer(heartbeat: StageHeartbeat): void {
    if (this.#stopped) return;
    this.#pending = heartbeat;
    const wait = this.#schedule.nextAt() - performance.now();
    if (wait <= 0) {
      this.#flush();
    } else if (this.#timer === null) {
      this.#timer = setTimeout(() => this.#flush(), wait);
      this.#timer.unref();
    }
  }

  /** Drops any pending update: the activity's result supersedes it. */
  stop(): void {
    this.#stopped = true;
    this.#pending = null;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #flush(): void {
    this.#timer = null;
    const heartbeat = this.#pending;
    if (this.#stopped || heartbeat === null) return;
    this.#pending = null;
    this.#schedule.sent(performance.now());
    this.#sent++;
    const update: StageProgressUpdate = { activityId: this.#init.activityId, attempt: this.#init.attempt, heartbeat: compactHeartbeat(heartbeat) };
    let delivery: Promise<void>;
    try {
      delivery = this.#init.send(this.#init.target, update);
    } catch (error) {
      delivery = Promise.reject(error);
    }
    delivery.catch((error: unknown) => {
      // One warning per attempt is enough: the stage goes on, the query just lags.
      if (this.#failures++ === 0) this.#init.warn(`progress signal to workflow ${this.#init.target.workflowId} failed (${error instanceof Error ? error.message : String(error)}); the stage continues`);
    });
  }
}

/** The heartbeat with its details bounded (entry count, key and string lengths), for history. */
export function compactHeartbeat(heartbeat: StageHeartbeat): StageHeartbeat {
  const details: ProgressDetails = {};
  for (const [key, value] of Object.entries(heartbeat.details).slice(0, MAX_DETAIL_ENTRIES)) {
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    details[key.slice(0, MAX_KEY_LENGTH)] = typeof value === 'string' ? value.slice(0, MAX_STRING_LENGTH) : value;
  }
  return { stage: heartbeat.stage, fraction: heartbeat.fraction, details, at: heartbeat.at };
}

/** The worker's sender: the activity context's client signals the workflow run that scheduled it. */
export function contextSender(context: Context): ProgressSignalSender {
  return async (target, update) => {
    await context.client.workflow.getHandle(target.workflowId, target.runId).signal(stageProgressSignal, update);
  };
}
