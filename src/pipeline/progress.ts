/**
 * Progress events and their two renderings: a live one-line display with a bar and an ETA
 * on a terminal, and plain log lines (stage banners with elapsed time, as the reference
 * printed) otherwise.
 */
import type { ProgressDetails } from './stage';

export interface ProgressSink {
  /** A stage begins (after planning): `decision` says whether it is computed or reused. */
  stageStarted(stage: string, decision: 'hit' | 'miss', reasons: readonly string[]): void;
  progress(stage: string, fraction: number, details?: ProgressDetails): void;
  stageFinished(stage: string, outcome: 'computed' | 'reused' | 'failed' | 'interrupted', seconds: number): void;
  /** A free-form line (warnings, summaries). */
  line(text: string): void;
  /** Verbose detail, shown only with --verbose. */
  debug(text: string): void;
}

/** Where a stage's progress stood at its first report: the fraction and the seconds elapsed then. */
export interface ProgressOrigin {
  fraction: number;
  seconds: number;
}

/**
 * Estimated seconds left at `fraction` done after `elapsedSeconds`, from the rate since
 * `origin` (the stage's first report), or null while too little has moved to tell. Measuring
 * from the first report rather than from zero matters for a resumed stage, which starts at
 * its checkpoint's fraction: the work done before the interruption took none of this run's
 * time.
 */
export function etaSeconds(fraction: number, elapsedSeconds: number, origin: ProgressOrigin = { fraction: 0, seconds: 0 }): number | null {
  const done = fraction - origin.fraction;
  if (!(done > 0.001) || fraction >= 1) return null;
  return ((elapsedSeconds - origin.seconds) * (1 - fraction)) / done;
}

/**
 * The ETA of one stage run, measured from its first progress report; a report below that
 * first fraction (a retry that starts its work over) starts the measurement again.
 */
export class StageEta {
  #origin: ProgressOrigin | null = null;

  /** Estimated seconds left at `fraction` after `elapsedSeconds` of the stage, or null while unknown. */
  at(fraction: number, elapsedSeconds: number): number | null {
    if (this.#origin === null || fraction < this.#origin.fraction) this.#origin = { fraction, seconds: elapsedSeconds };
    return etaSeconds(fraction, elapsedSeconds, this.#origin);
  }
}

/** `1h02m`, `3m05s`, `12.3s`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function describeProgress(fraction: number, elapsed: number, eta: number | null, details?: ProgressDetails): string {
  const extra = details === undefined ? '' : Object.entries(details).map(([k, v]) => ` ${k}=${v}`).join('');
  return `${(fraction * 100).toFixed(1).padStart(5)}%  elapsed ${formatDuration(elapsed)}${eta === null ? '' : `  ETA ${formatDuration(eta)}`}${extra}`;
}

interface Output {
  write(text: string): unknown;
}

/** Shared bookkeeping: when each stage started and its ETA. */
abstract class BaseSink implements ProgressSink {
  protected readonly started = new Map<string, number>();
  readonly #etas = new Map<string, StageEta>();
  constructor(
    protected readonly out: Output,
    protected readonly verbose: boolean,
  ) {}

  protected elapsed(stage: string): number {
    return (performance.now() - (this.started.get(stage) ?? performance.now())) / 1000;
  }

  /**
   * A progress report's text, or null when `show` says not to draw this one. Every report
   * reaches the stage's ETA, drawn or not: its first one is where the ETA measures from.
   */
  protected describe(stage: string, fraction: number, details: ProgressDetails | undefined, show: boolean): string | null {
    const elapsed = this.elapsed(stage);
    let eta = this.#etas.get(stage);
    if (eta === undefined) this.#etas.set(stage, (eta = new StageEta()));
    const seconds = eta.at(fraction, elapsed);
    return show ? describeProgress(fraction, elapsed, seconds, details) : null;
  }

  stageStarted(stage: string, decision: 'hit' | 'miss', reasons: readonly string[]): void {
    this.started.set(stage, performance.now());
    this.#etas.delete(stage);
    this.line(`=== ${stage} === ${decision === 'hit' ? 'cache hit' : 'computing'}`);
    if (decision === 'miss') for (const reason of reasons) this.line(`    because ${reason}`);
  }

  stageFinished(stage: string, outcome: 'computed' | 'reused' | 'failed' | 'interrupted', seconds: number): void {
    this.line(`... ${stage} ${outcome} in ${formatDuration(seconds)}`);
  }

  debug(text: string): void {
    if (this.verbose) this.line(text);
  }

  abstract progress(stage: string, fraction: number, details?: ProgressDetails): void;
  abstract line(text: string): void;
}

/** Plain lines for logs and pipes: at most one progress line per `intervalMs` per stage. */
export class PlainProgressSink extends BaseSink {
  readonly #lastPrinted = new Map<string, number>();

  constructor(
    out: Output,
    verbose: boolean,
    private readonly intervalMs = 5000,
  ) {
    super(out, verbose);
  }

  progress(stage: string, fraction: number, details?: ProgressDetails): void {
    const now = performance.now();
    const text = this.describe(stage, fraction, details, now - (this.#lastPrinted.get(stage) ?? this.started.get(stage) ?? 0) >= this.intervalMs);
    if (text === null) return;
    this.#lastPrinted.set(stage, now);
    this.line(`    ${stage} ${text}`);
  }

  line(text: string): void {
    this.out.write(`${text}\n`);
  }
}

/** A live line redrawn in place on a terminal, with a bar. */
export class TtyProgressSink extends BaseSink {
  #live = '';
  #lastDraw = 0;

  progress(stage: string, fraction: number, details?: ProgressDetails): void {
    const now = performance.now();
    const text = this.describe(stage, fraction, details, now - this.#lastDraw >= 100 || fraction >= 1);
    if (text === null) return;
    this.#lastDraw = now;
    const width = 24;
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    this.#live = `    ${stage} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
    this.out.write(`\r\x1b[2K${this.#live}`);
  }

  line(text: string): void {
    // Clear the live line, print, then redraw it below.
    this.out.write(`\r\x1b[2K${text}\n`);
    this.#live = '';
  }
}

/** The right sink for a stream: live display on a terminal, plain lines otherwise. */
export function progressSinkFor(stream: NodeJS.WriteStream, verbose: boolean): ProgressSink {
  return stream.isTTY ? new TtyProgressSink(stream, verbose) : new PlainProgressSink(stream, verbose);
}
