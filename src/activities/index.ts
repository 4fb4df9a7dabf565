/**
 * The activities a worker registers, bound to their dependencies (store, results folder,
 * stage implementations). Workflows import this module as a TYPE only.
 */
import { Context } from '@temporalio/activity';
import { FingerprintCache } from '../pipeline/plan';
import type { RunStageInput, RunStageResult, SweepPage, SweepPointsInput, WriteResultsInput, WriteResultsOutput } from './contract';
import type { ActivityDependencies } from './dependencies';
import { toActivityFailure } from './failure';
import { runStage } from './run-stage';
import { sweepPoints } from './sweep-points';
import { writeResults } from './write-results';

/** The activity functions, closed over `deps`. */
export function createActivities(deps: ActivityDependencies) {
  const fingerprints = new FingerprintCache(deps.projectRoot);
  return {
    /** One stage of one experiment (see run-stage.ts). */
    runStage: (input: RunStageInput): Promise<RunStageResult> => runStage(deps, fingerprints, input),
    /** The experiment's results folder (see write-results.ts). */
    writeResults: (input: WriteResultsInput): Promise<WriteResultsOutput> => atBoundary(() => writeResults(deps, input)),
    /** A page of a sweep's grid (see sweep-points.ts). */
    sweepPoints: (input: SweepPointsInput): Promise<SweepPage> => atBoundary(async () => sweepPoints(input)),
  };
}

/** The activity-function type map that workflows proxy. */
export type Activities = ReturnType<typeof createActivities>;

async function atBoundary<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const context = Context.current();
    throw toActivityFailure(error, { stage: null, attempt: context.info.attempt, signal: context.cancellationSignal });
  }
}
