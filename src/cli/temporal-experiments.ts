/**
 * Reading experiments from a Temporal server for the commands that also show local ones
 * (`npm run experiments -- list`, `npm run watch`; whether to ask at all is
 * `temporalWanted` in temporal-connection.ts): the visibility listing, the progress queries, and one line instead of an error when the server cannot
 * be reached (those commands still show the local experiments and exit 0).
 */
import type { Client } from '@temporalio/client';
import { progressQuery } from '../workflows/definitions';
import { connectClient, type TemporalSettings } from './temporal-connection';
import { latestExperiments, type TemporalExperiment, type TemporalWatchRun, type VisibilityExecution } from './temporal-visibility';

/** What a Temporal read gave: its value, or one line saying why there is none. */
export type TemporalRead<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Longest a whole read (listing plus queries) may take. @default 10000 ms */
export const READ_DEADLINE_MS = 10_000;

/**
 * Connects, runs `read` within `deadlineMs`, closes. Any failure becomes one line naming the
 * server and the reason, ending in `showing local experiments only`.
 */
export async function readTemporal<T>(settings: TemporalSettings, read: (client: Client) => Promise<T>, deadlineMs = READ_DEADLINE_MS): Promise<TemporalRead<T>> {
  let client: Client;
  try {
    client = await connectClient(settings);
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    return { ok: false, problem: `Temporal: cannot reach the server at ${settings.address} (${firstLine(cause)}); showing local experiments only` };
  }
  try {
    return { ok: true, value: await client.connection.withDeadline(Date.now() + deadlineMs, () => read(client)) };
  } catch (error) {
    return { ok: false, problem: `Temporal: reading experiments from ${settings.address} failed (${firstLine(error)}); showing local experiments only` };
  } finally {
    await client.connection.close().catch(() => undefined);
  }
}

/** The visibility query of experiment runs: all, open ones or closed ones. */
export function experimentsQuery(which: 'all' | 'open' | 'closed'): string {
  const base = "WorkflowType = 'experimentWorkflow'";
  if (which === 'open') return `${base} AND ExecutionStatus = 'Running'`;
  if (which === 'closed') return `${base} AND ExecutionStatus != 'Running'`;
  return base;
}

/** The newest run of each experiment, from at most `limit` visibility records. */
export async function listExperiments(client: Client, which: 'all' | 'open' | 'closed', limit: number): Promise<TemporalExperiment[]> {
  const infos: VisibilityExecution[] = [];
  if (limit <= 0) return [];
  for await (const info of client.workflow.list({ query: experimentsQuery(which), pageSize: Math.min(limit, 1000) })) {
    infos.push(info);
    if (infos.length >= limit) break;
  }
  return latestExperiments(infos);
}

/** Open experiment runs with their progress (queried in parallel) and the `recent` newest closed ones. */
export async function watchRuns(client: Client, recent: number, queryTimeoutMs = 3000): Promise<TemporalWatchRun[]> {
  const [open, closed] = await Promise.all([listExperiments(client, 'open', 200), listExperiments(client, 'closed', recent)]);
  const live = await Promise.all(
    open.map(async (experiment): Promise<TemporalWatchRun> => {
      try {
        const handle = client.workflow.getHandle(experiment.experimentId, experiment.runId);
        const progress = await client.connection.withDeadline(Date.now() + queryTimeoutMs, () => handle.query(progressQuery));
        return { experiment, progress, problem: null };
      } catch (error) {
        return { experiment, progress: null, problem: `no answer to the progress query (is a worker running?): ${firstLine(error)}` };
      }
    }),
  );
  return [...live, ...closed.slice(0, recent).map((experiment) => ({ experiment, progress: null, problem: null }))];
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
