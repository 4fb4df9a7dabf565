/**
 * Clean interruption of a long-running command: the first SIGINT or SIGTERM aborts the
 * returned signal (the work stops at its next check; published artifacts and checkpoints
 * stay), a later one exits at once with code 130.
 *
 * A repeat within {@link SAME_INTERRUPT_MS} of the first is the same interrupt, not a second
 * press: under `npm run`, one Ctrl-C in a terminal reaches node twice, from the terminal
 * (which signals the whole foreground process group) and forwarded by npm.
 */
import { ExitCode } from '../errors';

/** Signals closer together than this count as one interrupt. */
export const SAME_INTERRUPT_MS = 1000;

/** What {@link interruptOnSignals} tells the user, and how it exits. */
export interface InterruptHooks {
  /** The first signal: the work is being stopped cleanly. */
  onInterrupt(signal: NodeJS.Signals): void;
  /** A second signal: the process exits now. */
  onForcedExit?(signal: NodeJS.Signals): void;
  /** @default process.exit */
  exit?: (code: number) => void;
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
    (hooks.exit ?? process.exit)(ExitCode.interrupted);
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
