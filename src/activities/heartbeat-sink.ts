/**
 * A progress sink that turns a stage's progress events into activity heartbeats: throttled
 * (at most one per `minIntervalMs`), plus a keep-alive that repeats the latest details so a
 * stage that reports rarely is not mistaken for a dead one. If the stage blocks the event
 * loop, the keep-alive stops too and the heartbeat timeout fires: that is intended.
 */
import type { Context } from '@temporalio/activity';
import type { StageName } from '../pipeline/dag';
import type { ProgressSink } from '../pipeline/progress';
import type { ProgressDetails } from '../pipeline/stage';
import type { StageHeartbeat } from './contract';

export interface HeartbeatSinkOptions {
  /** Smallest gap between two progress heartbeats, in ms. @default 1000 */
  minIntervalMs?: number;
  /** Keep-alive period, in ms. @default 10000 */
  keepAliveMs?: number;
}

/** Receives every progress report after it became the latest heartbeat (see progress-signal.ts). */
export interface ProgressListener {
  offer(heartbeat: StageHeartbeat): void;
}

/** Heartbeats progress of `stage` through `context`; call `stop()` when the stage ends. */
export class HeartbeatSink implements ProgressSink {
  readonly #context: Context;
  readonly #stage: StageName;
  readonly #minIntervalMs: number;
  readonly #timer: NodeJS.Timeout;
  readonly #listener: ProgressListener | null;
  #latest: StageHeartbeat;
  #lastSent = 0;

  constructor(context: Context, stage: StageName, options: HeartbeatSinkOptions = {}, listener: ProgressListener | null = null) {
    this.#context = context;
    this.#listener = listener;
    this.#stage = stage;
    this.#minIntervalMs = options.minIntervalMs ?? 1000;
    this.#latest = { stage, fraction: 0, details: {}, at: new Date().toISOString() };
    this.#timer = setInterval(() => this.#send(), options.keepAliveMs ?? 10_000);
    this.#timer.unref();
  }

  /** The details of the last heartbeat (or of the initial one). */
  get latest(): StageHeartbeat {
    return this.#latest;
  }

  stageStarted(stage: string, decision: 'hit' | 'miss', reasons: readonly string[]): void {
    this.line(`${stage}: ${decision === 'hit' ? 'cache hit' : 'computing'}${reasons.length > 0 ? ` because ${reasons.join('; ')}` : ''}`);
    this.#send();
  }

  progress(_stage: string, fraction: number, details: ProgressDetails = {}): void {
    this.#latest = { stage: this.#stage, fraction, details, at: new Date().toISOString() };
    if (performance.now() - this.#lastSent >= this.#minIntervalMs || fraction >= 1) this.#send();
    this.#listener?.offer(this.#latest);
  }

  stageFinished(stage: string, outcome: string, seconds: number): void {
    this.line(`${stage} ${outcome} in ${seconds.toFixed(1)}s`);
  }

  line(text: string): void {
    this.#context.log.info(text.trim(), { stage: this.#stage });
  }

  debug(text: string): void {
    this.#context.log.debug(text.trim(), { stage: this.#stage });
  }

  /** Stops the keep-alive. */
  stop(): void {
    clearInterval(this.#timer);
  }

  #send(): void {
    this.#lastSent = performance.now();
    this.#context.heartbeat(this.#latest);
  }
}
