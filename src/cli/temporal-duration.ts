/**
 * Durations given on the Temporal client's command line (`--operator-wait 30m`): a positive
 * number and one unit, in the form Temporal's own Duration strings take, checked here so that
 * a typo is a ConfigError at submission rather than a workflow that fails on its first timer.
 */
import { ConfigError } from '../errors';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** A timer shorter than a second cannot be an operator's reaction time: almost surely a mistaken unit. */
const SHORTEST_MS = 1000;

/** Milliseconds of a duration string, or null when it is not one. */
export function durationMs(text: string): number | null {
  const match = DURATION.exec(text.trim());
  return match === null ? null : Number(match[1]) * UNIT_MS[match[2]];
}

/** `value` checked as an operator wait; returns it trimmed (Temporal takes the string as it is). */
export function operatorWait(flag: string, value: string): string {
  const ms = durationMs(value);
  if (ms === null) throw new ConfigError(`${flag}: '${value}' — must be a number and a unit (ms, s, m, h, d), e.g. 30m or 2d`);
  if (ms < SHORTEST_MS) throw new ConfigError(`${flag}: '${value}' — must be at least 1s`);
  return value.trim();
}
