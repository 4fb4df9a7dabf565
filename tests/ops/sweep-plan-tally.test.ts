import { describe, expect, it } from 'vitest';
import type { StageTally } from '../../src/ops/sweep-plan';
import { tallyLines } from '../../src/ops/sweep-plan-tally';

describe('sweep dry-run tally', () => {
  it('pads stage names to the longest, so the counts line up for evaluate, analyse and figures', () => {
    const tallies: StageTally[] = ['graph', 'walks', 'train', 'evaluate', 'analyse', 'figures'].map((stage) => ({ stage: stage as StageTally['stage'], runs: 8, hits: 0, compute: 8, shared: 0 }));
    const lines = tallyLines(tallies);
    expect(lines[0]).toBe('Stage runs: 48 in total: 0 cache hit(s), 48 to compute, 0 shared with an earlier point of this sweep');
    expect(lines.slice(1)).toEqual([
      '  graph     8 runs: 0 hit(s), 8 to compute, 0 shared',
      '  walks     8 runs: 0 hit(s), 8 to compute, 0 shared',
      '  train     8 runs: 0 hit(s), 8 to compute, 0 shared',
      '  evaluate  8 runs: 0 hit(s), 8 to compute, 0 shared',
      '  analyse   8 runs: 0 hit(s), 8 to compute, 0 shared',
      '  figures   8 runs: 0 hit(s), 8 to compute, 0 shared',
    ]);
    expect(new Set(lines.slice(1).map((line) => line.indexOf(' runs:'))).size).toBe(1);
  });
});
