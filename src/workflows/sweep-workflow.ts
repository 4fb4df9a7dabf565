/**
 * `sweepWorkflow`: one child `experimentWorkflow` per point of a sweep (a sweep file or a
 * config with the original `sweep` block, as `npm run sweep` reads it), at most `concurrency`
 * at a time. The points come page by page from an activity that expands the sweep with
 * `expandSweep` (validation and hashing are not sandbox code), and the workflow continues as
 * new before its history grows large, carrying only counters forward.
 */
import {
  ParentClosePolicy,
  condition,
  continueAsNew,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index';
import type { SweepPoint } from '../activities/contract';
import type { SweepDefinition } from '../ops/sweep-spec';
import { BOOKKEEPING_ACTIVITY_OPTIONS } from './activity-options';
import type { ExperimentTimeouts } from './definitions';
import { experimentWorkflow } from './experiment-workflow';
import { CONFIG_HASH, EXPERIMENT_ID } from './search-attributes';
import type { StageName } from '../pipeline/dag';

const { sweepPoints } = proxyActivities<Activities>(BOOKKEEPING_ACTIVITY_OPTIONS);

/** Points fetched per activity call. */
const PAGE_SIZE = 25;
/** Continue as new past this many events even if the server does not suggest it yet. */
const HISTORY_EVENT_LIMIT = 10_000;
/** Failures kept in the summary (the rest are counted). */
const MAX_REPORTED_FAILURES = 100;

/** Input of `sweepWorkflow`. */
export interface SweepInput {
  /** The sweep, as `readSweepDefinition` read it at submission. */
  definition: SweepDefinition;
  /** The file it was read from, for messages. */
  source: string;
  /** The stages every child runs, fixed at submission (see `ExperimentInput.stages`). */
  stages: StageName[];
  /** Children running at the same time. @default 4 */
  concurrency?: number;
  timeouts?: ExperimentTimeouts;
  /** Progress carried across continue-as-new; omit when starting. @internal */
  carried?: SweepSummary;
}

/** What a sweep did, carried across continue-as-new and returned at the end. */
export interface SweepSummary {
  total: number | null;
  /** Index of the next point to start. */
  next: number;
  succeeded: number;
  failed: number;
  /** Points whose experiment was already running elsewhere. */
  skipped: number;
  failures: { experimentId: string | null; index: number; reason: string }[];
}

/** Runs every point; resolves with the counts once every child has finished. */
export async function sweepWorkflow(input: SweepInput): Promise<SweepSummary> {
  const summary: SweepSummary = input.carried ?? { total: null, next: 0, succeeded: 0, failed: 0, skipped: 0, failures: [] };
  const concurrency = Math.max(1, input.concurrency ?? 4);
  let running = 0;
  for (;;) {
    const page = await sweepPoints({ definition: input.definition, source: input.source, offset: summary.next, limit: PAGE_SIZE });
    summary.total = page.total;
    if (page.points.length === 0) break;
    for (const point of page.points) {
      await condition(() => running < concurrency);
      running++;
      void runPoint(point, input, summary).finally(() => running--);
      summary.next = point.index + 1;
    }
    if (historyIsLarge()) {
      // Children must finish first: their results would be lost to the next run.
      await condition(() => running === 0);
      await continueAsNew<typeof sweepWorkflow>({ ...input, carried: summary });
    }
  }
  await condition(() => running === 0);
  return summary;
}

function historyIsLarge(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > HISTORY_EVENT_LIMIT;
}

/** Runs one point as a child and counts the outcome; never rejects. */
async function runPoint(point: SweepPoint, input: SweepInput, summary: SweepSummary): Promise<void> {
  try {
    const child = await startChild(experimentWorkflow, {
      workflowId: point.experimentId,
      args: [{ config: point.config, experimentId: point.experimentId, stages: input.stages, configHash: point.configHash, timeouts: input.timeouts }],
      memo: { description: point.config.description, tags: point.config.tags, sweepPoint: point.values },
      typedSearchAttributes: [
        { key: EXPERIMENT_ID, value: point.experimentId },
        { key: CONFIG_HASH, value: point.configHash },
      ],
      // Children keep running (and can be resumed by id) when a sweep continues as new or is cancelled.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    await child.result();
    summary.succeeded++;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      recordFailure(summary, 'skipped', point, 'an experiment with this id is already running');
    } else {
      recordFailure(summary, 'failed', point, error instanceof Error ? error.message : String(error));
    }
  }
}

function recordFailure(summary: SweepSummary, kind: 'failed' | 'skipped', point: SweepPoint, reason: string): void {
  summary[kind]++;
  if (summary.failures.length < MAX_REPORTED_FAILURES) summary.failures.push({ experimentId: point.experimentId, index: point.index, reason });
}
