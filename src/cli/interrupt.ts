/**
 * Clean interruption of a long-running command: the first SIGINT or SIGTERM aborts the
 * returned signal (the work stops at its next check; published artifacts and checkpoints
 * stay), a later one ends the process at once (killed by that signal: status 130 for SIGINT).
 *
 * A repeat within {@link SAME_INTERRUPT_MS} of the first is the same interrupt, not a second
 * press: under `npm run`, one Ctrl-C in a terminal reaches node twice, from the terminal
 * (which signals the whole foreground process group) and forwarded by npm.
 *
 * The forced exit re-raises the signal with its default action instead of `process.exit`:
 * exiting runs Node's teardown, which terminates worker threads, and a worker thread
 * terminated inside onnxruntime's session.run aborts the process ("terminate called after
 * throwing an instance of 'Napi::Error'", exit 134). Killed by the signal, the process ends at
 * once and the shell reports 128 + the signal (130 for SIGINT).
 */
/** Signals closer together than this count as one interrupt. */
export const SAME_INTERRUPT_MS = 1000;

/** What {@link interruptOnSignals} tells the user, and how it exits. */
export interface InterruptHooks {
  /** The first signal: the work is being stopped cleanly. */
  onInterrupt(signal: NodeJS.Signals): void;
  /** A second signal: the process exits now. */
  onForcedExit?(signal: NodeJS.Signals): void;
  /** @default {@link dieBySignal} */
  exit?: (signal: NodeJS.Signals) => void;
  /** Milliseconds clock. @default performance.now */
  now?: () => number;
}

/** Listens for SIGINT and SIGTERM until `stop` is called. */
export function interruptOnSignals(hooks: InterruptHooks): { signal: AbortSignal; stop: () => void } {
  const controller = new AbortController();
  const now = hooks.now ?? (() => performance.now());
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      firstAt = now();
      hooks.onInterrupt(signal);
      controller.abort();
      return;
    }
    if (now() - firstAt < SAME_INTERRUPT_MS) return;
    hooks.onForcedExit?.(signal);
    (hooks.exit ?? dieBySignal)(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    stop: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Ends the process by `signal` itself, with no teardown: every listener goes, so the default action applies. */
export function dieBySignal(signal: NodeJS.Signals): void {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}
