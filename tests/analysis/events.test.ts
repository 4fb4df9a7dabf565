import { describe, expect, it } from 'vitest';
import { applyContaminationFilter, eventTier, extractEvents, groupByR, type EncounterColumns } from '../../src/analysis/events';

/** Encounters from rows [sequence, encounterStep, r, outcome]; resolution = step + r. */
function encounters(rows: number[][]): EncounterColumns {
  return {
    sequence: Int32Array.from(rows, (row) => row[0]),
    encounterStep: Int32Array.from(rows, (row) => row[1]),
    resolutionStep: Int32Array.from(rows, (row) => row[1] + row[2]),
    r: Int32Array.from(rows, (row) => row[2]),
    outcome: Int32Array.from(rows, (row) => row[3]),
  };
}

describe('extractEvents', () => {
  it('orders events by sequence then encounter step and marks first violations from the failure index', () => {
    const events = extractEvents(
      encounters([
        [1, 5, 3, 2],
        [0, 4, 2, 1],
        [0, 1, 2, 2],
        [1, 0, 3, 1],
      ]),
      Int32Array.from([2, 7]),
    );
    expect([...events.sequence]).toEqual([0, 0, 1, 1]);
    expect([...events.encounterStep]).toEqual([1, 4, 0, 5]);
    expect([...events.resolutionStep]).toEqual([3, 6, 3, 8]);
    // Sequence 0 fails at step 2 = R - 1 of its violation at R = 3; sequence 1 at 7 = 8 - 1.
    expect([...events.isFirstViolation]).toEqual([1, 0, 0, 1]);
  });

  it('drops the encounters of excluded sequences (dedupe)', () => {
    const events = extractEvents(encounters([[0, 1, 2, 1], [1, 1, 2, 2], [2, 3, 2, 1]]), Int32Array.from([-1, 2, -1]), Uint8Array.from([1, 0, 1]));
    expect([...events.sequence]).toEqual([0, 2]);
  });
});

describe('applyContaminationFilter', () => {
  it('excludes events met before the resolution of an earlier kept violation, per sequence', () => {
    // Sequence 0: violation [1 -> 6]; event at 3 is inside it (excluded, and being excluded it
    // does not extend the window); event at 6 is not (6 < 6 is false): kept. A followed event
    // [7 -> 12] never contaminates, so the event at 8 is kept.
    // Sequence 1 starts clean: its event at 0 is kept despite sequence 0's window.
    const events = extractEvents(
      encounters([
        [0, 1, 5, 2],
        [0, 3, 9, 2],
        [0, 6, 2, 1],
        [0, 7, 5, 1],
        [0, 8, 2, 2],
        [1, 0, 2, 1],
      ]),
      Int32Array.from([5, -1]),
    );
    const audit = applyContaminationFilter(events);
    expect([...events.kept]).toEqual([1, 0, 1, 1, 1, 1]);
    expect(audit.total).toBe(6);
    expect(audit.excluded).toBe(1);
    expect(audit.exclusion_rate).toBeCloseTo(1 / 6, 12);
    expect(audit.flagged).toBe(false);
    expect(audit.by_r['9']).toEqual({ total: 1, excluded: 1, exclusion_rate: 1 });
    expect(audit.by_r['2']).toEqual({ total: 3, excluded: 0, exclusion_rate: 0 });
  });

  it('flags an exclusion rate above 30%', () => {
    const events = extractEvents(encounters([[0, 0, 10, 2], [0, 1, 2, 1], [0, 2, 2, 1]]), Int32Array.from([9]));
    expect(applyContaminationFilter(events).flagged).toBe(true);
  });
});

describe('groupByR and eventTier', () => {
  it('groups kept events by r with class counts and the reference tiers', () => {
    expect([eventTier(1, 100), eventTier(4, 100), eventTier(9, 10), eventTier(10, 10)]).toEqual(['skip', 'low_n', 'moderate_n', 'full']);
    const events = extractEvents(encounters([[0, 0, 3, 2], [1, 0, 3, 1], [2, 0, 3, 1], [3, 0, 2, 1]]), Int32Array.from([2, -1, -1, -1]));
    applyContaminationFilter(events);
    const groups = groupByR(events);
    expect(groups.map((g) => g.r)).toEqual([2, 3]);
    expect(groups[1]).toMatchObject({ violations: 1, controls: 2, tier: 'skip' });
    expect([...groups[1].isViolation]).toEqual([1, 0, 0]);
  });
});
