/**
 * The dry run's stage tally as text: the total line, then one line per stage with the stage
 * names padded to the longest, so the counts line up for any stage name (`evaluate`,
 * `analyse`, `figures` are longer than `graph` and `walks`).
 */
import type { StageTally } from './sweep-plan';

/** The total line and one indented line per stage, in stage order. */
export function tallyLines(tallies: readonly StageTally[]): string[] {
  const sum = (key: 'runs' | 'hits' | 'compute' | 'shared') => tallies.reduce((total, t) => total + t[key], 0);
  const width = Math.max(0, ...tallies.map((t) => t.stage.length));
  return [
    `Stage runs: ${sum('runs')} in total: ${sum('hits')} cache hit(s), ${sum('compute')} to compute, ${sum('shared')} shared with an earlier point of this sweep`,
    ...tallies.map((t) => `  ${t.stage.padEnd(width)}  ${t.runs} runs: ${t.hits} hit(s), ${t.compute} to compute, ${t.shared} shared`),
  ];
}
