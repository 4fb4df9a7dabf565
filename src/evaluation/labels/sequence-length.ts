/**
 * Target length of a generated evaluation sequence (reference-pipeline.md section 8.1,
 * method.md section 5): 4w tokens, extended per sequence when a jumper appears so late that its
 * deadline would fall beyond the end. See docs/behaviour-labels.md.
 */
import type { JumperTable } from './jumper-table';

/** The constants of the length rule for one experiment. */
export interface LengthPlan {
  /** 4w: the length of a sequence that meets no late jumper. */
  readonly defaultLength: number;
  /** Largest jumper r (0 without jumpers); used, as in the reference, in the lateness test. */
  readonly maxR: number;
  /** defaultLength + maxR + 1: no sequence is ever longer; per-step arrays have maxLength - 1 columns. */
  readonly maxLength: number;
  /** The jumper rules looked up for each new token. */
  readonly jumpers: JumperTable;
}

/** The plan for context window `w` and the experiment's jumpers. */
export function lengthPlan(w: number, jumpers: JumperTable): LengthPlan {
  if (!(Number.isInteger(w) && w >= 1)) throw new RangeError(`lengthPlan: w must be an integer >= 1, got ${w}`);
  const defaultLength = 4 * w;
  return { defaultLength, maxR: jumpers.maxR, maxLength: defaultLength + jumpers.maxR + 1, jumpers };
}

/**
 * The target length after generating `token` at `position`, given the target `current` before
 * it. A jumper at a position p > defaultLength - maxR (maxR > 0) raises the target to
 * max(current, min(p + r + 1, maxLength)), so that its deadline p + r is a position of the
 * sequence whenever the cap allows; every other token leaves the target unchanged.
 *
 * Call it for generated tokens only: the prompt (position 0) is never tested, as in the
 * reference. Throws RangeError for position < 1 or position >= current (a sequence that has
 * reached its target receives no more tokens) and for a token that is not a vertex id.
 */
export function nextTargetLength(plan: LengthPlan, current: number, position: number, token: number): number {
  if (!(Number.isInteger(position) && position >= 1 && position < current)) {
    throw new RangeError(`nextTargetLength: position ${position} outside the generated range [1, ${current})`);
  }
  if (!(Number.isInteger(token) && token >= 0 && token < plan.jumpers.r.length)) {
    throw new RangeError(`nextTargetLength: token ${token} at position ${position} is not a vertex id`);
  }
  const r = plan.jumpers.r[token];
  // The reference tests lateness with the global maxR, not the jumper's own r. Keeping it only
  // matters at p = defaultLength - maxR with r = maxR (not extended, deadline unresolved); for
  // every smaller r the max() below makes the looser test a no-op.
  if (r === 0 || plan.maxR === 0 || position <= plan.defaultLength - plan.maxR) return current;
  return Math.max(current, Math.min(position + r + 1, plan.maxLength));
}

/**
 * Replays the rule over a token sequence (generated or longer): the length the generator stops
 * at, i.e. the first target that the sequence reaches. `tokens` must hold at least that many
 * tokens; throws RangeError otherwise.
 */
export function sequenceTargetLength(plan: LengthPlan, tokens: ArrayLike<number>): number {
  let target = plan.defaultLength;
  for (let position = 1; position < target; position++) {
    if (position >= tokens.length) {
      throw new RangeError(`sequenceTargetLength: ${tokens.length} tokens end before the target length ${target}`);
    }
    target = nextTargetLength(plan, target, position, tokens[position]);
  }
  return target;
}
