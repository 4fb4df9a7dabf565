/**
 * Saves a long stage's checkpoints while it runs: at most one every `intervalMs` when the
 * stage reports progress (never two saves at once), and one on request when the stage is
 * interrupted. A failed save is logged and the stage goes on: the previous checkpoint stays.
 */

/** What {@link PeriodicCheckpoints} saves, and how it talks about it. */
export interface PeriodicCheckpointOptions<State> {
  /** The state to keep, taken synchronously (it must not change while it is saved). */
  capture: () => State;
  /** How much a state holds (sequences, columns); one holding no more than the newest checkpoint is not saved. */
  size: (state: State) => number;
  save: (state: State) => Promise<void>;
  /** `after 576 sequences`, for the log. */
  describe: (state: State) => string;
  intervalMs: number;
  log: (line: string) => void;
  /** The size of the checkpoint the stage resumed from; 0 for none. */
  resumedSize: number;
}

export class PeriodicCheckpoints<State> {
  #last = performance.now();
  #inFlight: Promise<void> = Promise.resolve();
  #busy = false;
  #saved: number;

  constructor(private readonly options: PeriodicCheckpointOptions<State>) {
    this.#saved = options.resumedSize;
  }

  /** The size of the newest checkpoint (0: none). */
  get saved(): number {
    return this.#saved;
  }

  /** The stage moved on: saves when the interval has passed and no save is running. */
  due(): void {
    if (!this.#busy && performance.now() - this.#last >= this.options.intervalMs) this.#start();
  }

  /** Waits for a save in flight; then, with `save`, saves the state now. */
  async settle(save: boolean): Promise<void> {
    await this.#inFlight;
    if (save) {
      this.#start();
      await this.#inFlight;
    }
  }

  #start(): void {
    const { capture, size, save, describe, log } = this.options;
    this.#last = performance.now();
    const state = capture();
    if (size(state) <= this.#saved) return;
    this.#busy = true;
    this.#inFlight = save(state)
      .then(() => {
        this.#saved = size(state);
        log(`checkpoint saved ${describe(state)}`);
      })
      .catch((error: unknown) => log(`checkpoint ${describe(state)} not saved: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.#busy = false;
      });
  }
}
