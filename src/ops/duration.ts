/**
 * Durations given on the command line, in two grammars over one unit table: ages
 * (`--older-than 7d`: whole numbers, s to w) and Temporal Duration strings (`--operator-wait
 * 1.5h`: decimals, ms to d, the form Temporal's own timers take); and short human renderings
 * of ages.
 */
import { ConfigError } from '../errors';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const TEMPORAL_DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Milliseconds of a Temporal Duration string such as `30m`, `1.5h` or `250ms`, or null when it is not one. */
export function durationMs(text: string): number | null {
  const match = TEMPORAL_DURATION.exec(text.trim());
  return match === null ? null : Number(match[1]) * UNIT_MS[match[2]];
}

/**
 * Parses `30s`, `15m`, `12h`, `7d` or `2w` into milliseconds.
 * @throws ConfigError naming `flag` and the value when the text is not such a duration.
 */
export function parseAge(text: string, flag: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text);
  if (match === null) throw new ConfigError(`${flag}: ${JSON.stringify(text)} — expected a duration like 30m, 12h, 7d or 2w`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** `42s`, `5m`, `3h`, `2d`: the largest whole unit, for "updated 5m ago" columns. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** Bytes as `512 B`, `1.5 MiB`, `2.0 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}
