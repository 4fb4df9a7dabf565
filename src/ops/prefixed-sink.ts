/**
 * A progress sink for one of several runs sharing a terminal: stage banners and lines are
 * prefixed with the run's label; per-step progress is dropped, because interleaved progress
 * bars of parallel runs are unreadable (`npm run watch` shows them instead).
 */
import { formatDuration, type ProgressSink } from '../pipeline/progress';

/** Writes `[label] text` lines through `write`. */
export class PrefixedSink implements ProgressSink {
  readonly #label: string;
  readonly #write: (line: string) => void;

  constructor(label: string, write: (line: string) => void) {
    this.#label = label;
    this.#write = write;
  }

  stageStarted(stage: string, decision: 'hit' | 'miss', reasons: readonly string[]): void {
    this.line(`${stage}: ${decision === 'hit' ? 'cache hit' : 'computing'}${decision === 'miss' && reasons.length > 0 ? ` (${reasons[0]})` : ''}`);
  }

  progress(): void {}

  stageFinished(stage: string, outcome: 'computed' | 'reused' | 'failed' | 'interrupted', seconds: number): void {
    this.line(`${stage}: ${outcome} in ${formatDuration(seconds)}`);
  }

  line(text: string): void {
    this.#write(`[${this.#label}] ${text}`);
  }

  debug(): void {}
}
