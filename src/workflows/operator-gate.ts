/**
 * The operator's say over failed stages: a stage whose retries are exhausted waits here for
 * a `resume` (retry it) or an `abort`, up to a time limit. Signal handlers call `resume` and
 * `abort`; the waiting stage calls `decide`.
 */
import type { Duration } from '@temporalio/common';
import { condition } from '@temporalio/workflow';

/** What the operator decided for a waiting stage. */
export type OperatorDecision = 'resume' | 'abort' | 'timeout';

/** Pending operator decisions, one per waiting stage, and the experiment-wide abort. */
export class OperatorGate {
  readonly #pending = new Map<string, OperatorDecision | null>();
  #abortReason: string | null = null;

  /** Set once `abort` was signalled; every later decision is `abort`. */
  get abortReason(): string | null {
    return this.#abortReason;
  }

  /** Stages waiting now. */
  waiting(): string[] {
    return [...this.#pending.keys()];
  }

  /** Resumes `stage`, or every waiting stage when omitted. Ignored for stages that are not waiting. */
  resume(stage?: string): void {
    for (const name of this.#pending.keys()) if (stage === undefined || stage === name) this.#pending.set(name, 'resume');
  }

  /** Aborts the experiment: waiting stages fail now, later failures do not wait. */
  abort(reason?: string): void {
    this.#abortReason = reason ?? 'aborted by an operator';
    for (const name of this.#pending.keys()) this.#pending.set(name, 'abort');
  }

  /** Waits for the operator's decision about `stage` for at most `timeout`. */
  async decide(stage: string, timeout: Duration): Promise<OperatorDecision> {
    if (this.#abortReason !== null) return 'abort';
    this.#pending.set(stage, null);
    try {
      const decided = await condition(() => this.#pending.get(stage) !== null, timeout);
      return decided ? this.#pending.get(stage)! : 'timeout';
    } finally {
      this.#pending.delete(stage);
    }
  }
}
