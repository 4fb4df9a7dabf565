/**
 * Rule events of the analysis (reference-pipeline.md sections 10.1-10.3, method.md section 6):
 * one event per resolved jumper encounter, with its own outcome (the reference copied one
 * outcome to every encounter sharing a deadline), then the contamination filter and the
 * grouping by rule length r.
 */

/** Encounter outcomes as stored in `encounters.parquet` (RuleOutcome codes). */
export const EventOutcome = { Followed: 1, Violated: 2 } as const;

/** The resolved encounters of the evaluation, one array per column, in any order. */
export interface EncounterColumns {
  sequence: Int32Array;
  encounterStep: Int32Array;
  resolutionStep: Int32Array;
  r: Int32Array;
  outcome: Int32Array;
}

/** Events in a fixed order (by sequence, then encounter step): event id = index. */
export interface RuleEvents {
  count: number;
  sequence: Int32Array;
  encounterStep: Int32Array;
  /** R = encounter step + r: the position whose block decides the outcome. */
  resolutionStep: Int32Array;
  r: Int32Array;
  /** 1 followed, 2 violated. */
  outcome: Int32Array;
  /** Violated and the sequence's first violation (failure index = R - 1). */
  isFirstViolation: Uint8Array;
  /** 1 when the event survives the contamination filter. */
  kept: Uint8Array;
}

/**
 * Events of the encounters whose sequence is analysed (`include[sequence]`, all when absent),
 * sorted by sequence then encounter step; `kept` is filled by {@link applyContaminationFilter}.
 */
export function extractEvents(encounters: EncounterColumns, failureIndex: Int32Array, include?: Uint8Array): RuleEvents {
  const order: number[] = [];
  for (let i = 0; i < encounters.sequence.length; i++) {
    if (include === undefined || include[encounters.sequence[i]] === 1) order.push(i);
  }
  // Stable: equal (sequence, step) pairs keep their file order.
  order.sort((a, b) => encounters.sequence[a] - encounters.sequence[b] || encounters.encounterStep[a] - encounters.encounterStep[b]);
  const pick = (column: Int32Array) => Int32Array.from(order, (i) => column[i]);
  const events: RuleEvents = {
    count: order.length,
    sequence: pick(encounters.sequence),
    encounterStep: pick(encounters.encounterStep),
    resolutionStep: pick(encounters.resolutionStep),
    r: pick(encounters.r),
    outcome: pick(encounters.outcome),
    isFirstViolation: new Uint8Array(order.length),
    kept: new Uint8Array(order.length),
  };
  for (let e = 0; e < events.count; e++) {
    const violated = events.outcome[e] === EventOutcome.Violated;
    events.isFirstViolation[e] = violated && failureIndex[events.sequence[e]] === events.resolutionStep[e] - 1 ? 1 : 0;
  }
  return events;
}

/** Exclusion counts of the contamination filter. */
export interface ContaminationCounts {
  total: number;
  excluded: number;
  exclusion_rate: number;
}

/** The filter's audit, as the reference reports it. */
export interface ContaminationAudit extends ContaminationCounts {
  /** More than 30% of the events excluded. */
  flagged: boolean;
  by_r: Record<string, ContaminationCounts>;
}

/** The reference's threshold above which the exclusion rate is flagged. */
export const CONTAMINATION_FLAG_RATE = 0.3;

/**
 * The reference's contamination filter: within a sequence, an event whose jumper was met
 * before the resolution of an earlier KEPT violation is excluded (its context already holds a
 * broken rule). Followed events never contaminate. Sets `events.kept` and returns the audit.
 */
export function applyContaminationFilter(events: RuleEvents): ContaminationAudit {
  let sequence = -1;
  let lastEnd = -1;
  for (let e = 0; e < events.count; e++) {
    if (events.sequence[e] !== sequence) {
      sequence = events.sequence[e];
      lastEnd = -1;
    }
    if (events.encounterStep[e] < lastEnd) {
      events.kept[e] = 0;
      continue;
    }
    events.kept[e] = 1;
    if (events.outcome[e] === EventOutcome.Violated) lastEnd = events.resolutionStep[e];
  }
  return contaminationAudit(events);
}

function contaminationAudit(events: RuleEvents): ContaminationAudit {
  const byR = new Map<number, { total: number; excluded: number }>();
  let excluded = 0;
  for (let e = 0; e < events.count; e++) {
    const counts = byR.get(events.r[e]) ?? { total: 0, excluded: 0 };
    counts.total++;
    if (events.kept[e] === 0) {
      counts.excluded++;
      excluded++;
    }
    byR.set(events.r[e], counts);
  }
  const rate = (part: number, total: number) => (total === 0 ? 0 : part / total);
  const exclusionRate = rate(excluded, events.count);
  return {
    total: events.count,
    excluded,
    exclusion_rate: exclusionRate,
    flagged: exclusionRate > CONTAMINATION_FLAG_RATE,
    by_r: Object.fromEntries(
      [...byR.entries()].sort(([a], [b]) => a - b).map(([r, c]) => [String(r), { ...c, exclusion_rate: rate(c.excluded, c.total) }]),
    ),
  };
}

/** How well a class comparison is powered, from the smaller class (reference section 10.3). */
export type EventTier = 'skip' | 'low_n' | 'moderate_n' | 'full';

export function eventTier(violations: number, controls: number): EventTier {
  const smaller = Math.min(violations, controls);
  if (smaller <= 1) return 'skip';
  if (smaller <= 4) return 'low_n';
  if (smaller <= 9) return 'moderate_n';
  return 'full';
}

/** The kept events of one rule length. */
export interface RGroup {
  r: number;
  /** Event ids (indices into RuleEvents), ascending. */
  events: Int32Array;
  /** 1 for a violation, per entry of `events`. */
  isViolation: Uint8Array;
  violations: number;
  controls: number;
  tier: EventTier;
}

/** Kept events grouped by r, ascending r. */
export function groupByR(events: RuleEvents): RGroup[] {
  const ids = new Map<number, number[]>();
  for (let e = 0; e < events.count; e++) {
    if (events.kept[e] === 0) continue;
    const list = ids.get(events.r[e]) ?? [];
    list.push(e);
    ids.set(events.r[e], list);
  }
  return [...ids.entries()]
    .sort(([a], [b]) => a - b)
    .map(([r, list]) => {
      const isViolation = Uint8Array.from(list, (e) => (events.outcome[e] === EventOutcome.Violated ? 1 : 0));
      const violations = isViolation.reduce((sum, v) => sum + v, 0);
      const controls = list.length - violations;
      return { r, events: Int32Array.from(list), isViolation, violations, controls, tier: eventTier(violations, controls) };
    });
}
