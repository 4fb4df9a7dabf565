/**
 * Experiments as Temporal's visibility store lists them (`client.workflow.list`), mapped
 * from the typed search attributes the experiment workflow sets, and merged with the local
 * result folders into one row per experiment id, and that merged table's cells. Pure: the
 * listing itself is in temporal-experiments.ts.
 */
import type { WorkflowExecutionInfo, WorkflowExecutionStatusName } from '@temporalio/client';
import { LIST_HEADER, listCells, type ListRow } from '../ops/list-table';
import type { ExperimentStatus, ProgressView } from '../workflows/definitions';
import { CONFIG_HASH, EXPERIMENT_ID, EXPERIMENT_STAGE, EXPERIMENT_STATUS, GATE_PASSED } from '../workflows/search-attributes';

/** The part of a visibility record the mapping reads. */
export type VisibilityExecution = Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'startTime' | 'closeTime' | 'typedSearchAttributes'> & {
  status: { name: WorkflowExecutionStatusName };
};

/** One experiment workflow run as visibility reports it. */
export interface TemporalExperiment {
  /** The `ExperimentId` attribute (the workflow id when the attribute is missing). */
  experimentId: string;
  runId: string;
  /**
   * The `ExperimentStatus` attribute; for a closed run whose attribute still says `running`
   * or `waiting-for-operator` (terminated, timed out, or never run by a worker) the
   * execution's own status: `terminated`, `timed-out`, `cancelled`, `failed`, `succeeded`.
   */
  status: string;
  workflowStatus: WorkflowExecutionStatusName;
  /** The run is open (running or paused). */
  open: boolean;
  /** `ExperimentStage`: the stages running or waiting for an operator (none once closed). */
  stages: string[];
  configHash: string | null;
  gatePassed: boolean | null;
  startedAt: string;
  closedAt: string | null;
}

/** Experiment statuses the workflow sets when it ends. */
const FINAL_STATUSES: ReadonlySet<string> = new Set<ExperimentStatus>(['succeeded', 'failed', 'gate_failed', 'aborted', 'cancelled']);

/** What a closed run's execution status means when the workflow could not record a final status. */
const CLOSED_STATUS: Partial<Record<WorkflowExecutionStatusName, string>> = {
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed-out',
  CONTINUED_AS_NEW: 'continued-as-new',
};

/** Maps one visibility record. */
export function experimentFromExecution(info: VisibilityExecution): TemporalExperiment {
  const attributes = info.typedSearchAttributes;
  const open = info.status.name === 'RUNNING' || info.status.name === 'PAUSED';
  const recorded = attributes.get(EXPERIMENT_STATUS);
  let status: string;
  if (open) status = recorded ?? 'running';
  else if (recorded !== undefined && FINAL_STATUSES.has(recorded)) status = recorded;
  else status = CLOSED_STATUS[info.status.name] ?? info.status.name.toLowerCase();
  return {
    experimentId: attributes.get(EXPERIMENT_ID) ?? info.workflowId,
    runId: info.runId,
    status,
    workflowStatus: info.status.name,
    open,
    stages: open ? [...(attributes.get(EXPERIMENT_STAGE) ?? [])] : [],
    configHash: attributes.get(CONFIG_HASH) ?? null,
    gatePassed: attributes.get(GATE_PASSED) ?? null,
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString() ?? null,
  };
}

/**
 * One experiment per id: its newest run (a replayed experiment has several runs under the
 * same workflow id), newest first.
 */
export function latestExperiments(infos: readonly VisibilityExecution[]): TemporalExperiment[] {
  const latest = new Map<string, TemporalExperiment>();
  for (const experiment of infos.map(experimentFromExecution)) {
    const seen = latest.get(experiment.experimentId);
    if (seen === undefined || experiment.startedAt > seen.startedAt) latest.set(experiment.experimentId, experiment);
  }
  return [...latest.values()].sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
}

/** Where a row of `experiments list` comes from. */
export type RowSource = 'local' | 'temporal' | 'local+temporal';

/** One row of `experiments list`. */
export interface ExperimentListRow extends ListRow {
  source: RowSource;
}

/** A Temporal run as a list row. */
export function temporalRow(experiment: TemporalExperiment, now: number): ExperimentListRow {
  const end = experiment.closedAt === null ? now : Date.parse(experiment.closedAt);
  return {
    experimentId: experiment.experimentId,
    status: experiment.status,
    gatePassed: experiment.gatePassed,
    stages: experiment.stages.length === 0 ? '' : `active: ${experiment.stages.join(',')}`,
    seconds: Math.max(0, (end - Date.parse(experiment.startedAt)) / 1000),
    updatedAt: experiment.closedAt,
    runs: null,
    source: 'temporal',
  };
}

/**
 * One row per experiment id. An id known to both keeps its ledger run count; its status,
 * gate, stages and times come from Temporal when the run is open or started after the result
 * folder was last written (a newer run), otherwise from the result folder, which has the
 * per-stage detail. Newest first; open runs count as updated now.
 */
export function mergeExperimentRows(local: readonly ExperimentListRow[], temporal: readonly TemporalExperiment[], now: number): ExperimentListRow[] {
  const rows = new Map<string, ExperimentListRow>(local.map((row) => [row.experimentId, { ...row, source: 'local' }]));
  for (const experiment of temporal) {
    const remote = temporalRow(experiment, now);
    const folder = rows.get(experiment.experimentId);
    if (folder === undefined) {
      rows.set(experiment.experimentId, remote);
      continue;
    }
    const newer = experiment.open || folder.updatedAt === null || experiment.startedAt > folder.updatedAt;
    rows.set(experiment.experimentId, { ...(newer ? remote : folder), runs: folder.runs, source: 'local+temporal' });
  }
  const time = (row: ExperimentListRow) => (row.updatedAt === null ? now : Date.parse(row.updatedAt));
  return [...rows.values()].sort((a, b) => time(b) - time(a));
}

/** An experiment run for `npm run watch`: its visibility record and, when open, its progress query. */
export interface TemporalWatchRun {
  experiment: TemporalExperiment;
  /** The `progress` query's answer (open runs only); null when not asked or no worker answered. */
  progress: ProgressView | null;
  /** Why `progress` is null for an open run. */
  problem: string | null;
}

/** The merged table's header: the local table's columns (GATE in the same place), then SOURCE. */
export const MERGED_LIST_HEADER = [...LIST_HEADER, 'SOURCE'] as const;

/** The merged rows as cells under MERGED_LIST_HEADER: the local table's cells, then the source. */
export function mergedListCells(rows: readonly ExperimentListRow[], now: number): string[][] {
  return rows.map((row) => [...listCells(row, now), row.source]);
}
