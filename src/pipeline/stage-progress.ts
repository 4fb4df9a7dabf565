/**
 * A running stage's latest progress as result.json keeps it, so that other processes
 * (`npm run watch`, a sweep's points in parallel) can show progress and an ETA without the
 * terminal that runs the stage.
 */
import { StageEta, type ProgressSink } from './progress';
import type { ProgressDetails } from './stage';

/** One stage's progress entry in result.json. */
export interface StageProgress {
  /** Fraction done in [0, 1]. */
  fraction: number;
  /** Estimated seconds left at this run's rate (see {@link StageEta}); null while unknown. */
  eta_seconds: number | null;
  /** The stage's latest details (step, loss, ...). */
  details: ProgressDetails;
  /** When this entry was taken (ISO 8601). */
  at: string;
}

/** Seconds between two rewrites of result.json for progress: it is a whole-file rewrite. */
export const PROGRESS_RECORD_INTERVAL_MS = 2000;

/** Turns one stage run's progress reports into result.json entries, at most one per interval. */
export class StageProgressRecorder {
  readonly #started: number;
  readonly #eta = new StageEta();
  #lastEntry = -Infinity;

  constructor(
    private readonly intervalMs = PROGRESS_RECORD_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#started = now();
  }

  /** The entry for this report, or null when the last entry is more recent than the interval. */
  report(fraction: number, details: ProgressDetails = {}): StageProgress | null {
    const now = this.now();
    const eta = this.#eta.at(fraction, (now - this.#started) / 1000);
    if (now - this.#lastEntry < this.intervalMs && fraction < 1) return null;
    this.#lastEntry = now;
    return { fraction, eta_seconds: eta, details: { ...details }, at: new Date().toISOString() };
  }
}

/** `sink`, with every progress report also passed to `onProgress`. */
export function teeProgress(sink: ProgressSink, onProgress: (fraction: number, details?: ProgressDetails) => void): ProgressSink {
  return {
    stageStarted: (stage, decision, reasons) => sink.stageStarted(stage, decision, reasons),
    progress: (stage, fraction, details) => {
      sink.progress(stage, fraction, details);
      onProgress(fraction, details);
    },
    stageFinished: (stage, outcome, seconds) => sink.stageFinished(stage, outcome, seconds),
    line: (text) => sink.line(text),
    debug: (text) => sink.debug(text),
  };
}
