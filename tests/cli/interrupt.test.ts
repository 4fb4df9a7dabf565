import { describe, expect, test } from 'vitest';
import { interruptOnSignals, SAME_INTERRUPT_MS } from '../../src/cli/interrupt';

/** A fake clock, the exits asked for, and what the user was told. */
function harness() {
  let clock = 0;
  const exits: NodeJS.Signals[] = [];
  const told: string[] = [];
  const interrupt = interruptOnSignals({
    onInterrupt: (signal) => told.push(`stopping on ${signal}`),
    onForcedExit: (signal) => told.push(`exiting on ${signal}`),
    exit: (signal) => void exits.push(signal),
    now: () => clock,
  });
  return { interrupt, exits, told, advance: (ms: number) => (clock += ms) };
}

const send = (signal: NodeJS.Signals) => process.emit(signal, signal);

describe('interruptOnSignals', () => {
  test('the first signal aborts cleanly; one Ctrl-C under npm (the same SIGINT twice at once) does not force an exit', () => {
    const { interrupt, exits, told, advance } = harness();
    try {
      send('SIGINT');
      advance(3);
      send('SIGINT');
      expect(interrupt.signal.aborted).toBe(true);
      expect(exits).toEqual([]);
      expect(told).toEqual(['stopping on SIGINT']);
    } finally {
      interrupt.stop();
    }
  });

  test('a second interrupt after the window ends the process at once, by that signal', () => {
    const { interrupt, exits, told, advance } = harness();
    try {
      send('SIGTERM');
      advance(SAME_INTERRUPT_MS + 1);
      send('SIGINT');
      expect(exits).toEqual(['SIGINT']);
      expect(told).toEqual(['stopping on SIGTERM', 'exiting on SIGINT']);
    } finally {
      interrupt.stop();
    }
  });

  test('after stop it no longer listens', () => {
    const { interrupt, told } = harness();
    interrupt.stop();
    send('SIGINT');
    expect(interrupt.signal.aborted).toBe(false);
    expect(told).toEqual([]);
  });
});
