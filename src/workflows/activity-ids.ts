/**
 * Activity ids of stage rounds, `<stage>.<round>`: the workflow names its activities so, and
 * the client reads them back (matching pending activities, finding the event to reset to).
 * No imports: the client-side tables use it without loading the workflow package.
 */

/** The id of `stage`'s activity in operator round `round`. */
export function stageActivityId(stage: string, round: number): string {
  return `${stage}.${round}`;
}

/** The stage of an activity id made by {@link stageActivityId}, or null for other activities. */
export function stageOfActivityId(activityId: string): string | null {
  const match = /^(.+)\.(\d+)$/.exec(activityId);
  return match === null ? null : match[1];
}
