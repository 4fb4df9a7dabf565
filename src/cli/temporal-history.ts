/**
 * Reading an experiment's workflow history: its start input (to replay a failed experiment)
 * and the event to reset to so that a given stage runs again.
 */
import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { InputError } from '../errors';
import { stageOfActivityId } from '../workflows/activity-ids';
import type { ExperimentInput } from '../workflows/definitions';

type History = temporal.api.history.v1.IHistory;

/** The input the experiment's workflow was started with. */
export function startInput(history: History, id: string): ExperimentInput {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  if (payload === undefined || payload === null) throw new InputError(`${id}: the history has no workflow start input`);
  return defaultPayloadConverter.fromPayload<ExperimentInput>(payload);
}

/**
 * The WorkflowTaskCompleted event that first scheduled `stage`: resetting to it discards
 * everything after and lets the workflow schedule the stage again.
 */
export function resetEventFor(history: History, stage: string, id: string): number {
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityId !== undefined && scheduled.activityId !== null && stageOfActivityId(scheduled.activityId) === stage) {
      return Number(scheduled.workflowTaskCompletedEventId);
    }
  }
  throw new InputError(`${id}: stage ${stage} was never scheduled in this run, so there is nothing to reset to`);
}
