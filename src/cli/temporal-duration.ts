/**
 * The operator wait given on the Temporal client's command line (`--operator-wait 30m`): a
 * Temporal Duration string (ops/duration.ts), checked here so that a typo is a ConfigError at
 * submission rather than a workflow that fails on its first timer.
 */
import { ConfigError } from '../errors';
import { durationMs } from '../ops/duration';

/** A timer shorter than a second cannot be an operator's reaction time: almost surely a mistaken unit. */
const SHORTEST_MS = 1000;

/** `value` checked as an operator wait; returns it trimmed (Temporal takes the string as it is). */
export function operatorWait(flag: string, value: string): string {
  const ms = durationMs(value);
  if (ms === null) throw new ConfigError(`${flag}: '${value}' — must be a number and a unit (ms, s, m, h, d), e.g. 30m or 2d`);
  if (ms < SHORTEST_MS) throw new ConfigError(`${flag}: '${value}' — must be at least 1s`);
  return value.trim();
}
