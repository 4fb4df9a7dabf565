/**
 * The Temporal client CLI: submit experiments and sweeps, follow them, resume or abort a
 * stage waiting for an operator, list, replay, reset and export histories. A thin shell:
 * parse, validate with the same loader as the embedded runner, call the server.
 * `tsx src/client.ts <command> ...` (see `CLIENT_USAGE`); package.json has shortcuts.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { runCli } from './cli/main';
import { isMainModule } from './cli/is-main';
import { CLIENT_USAGE, parseClientArgs, type ClientCommand, type OperatorWaitOption } from './cli/temporal-client-args';
import { connectClient, temporalSettings } from './cli/temporal-connection';
import { resetEventFor, startInput } from './cli/temporal-history';
import { mergePending, renderProgress, type PendingActivity } from './cli/temporal-progress';
import { configHash, experimentId, shortHash } from './config/hash';
import { loadConfigFile } from './config/load';
import { expandDefinition } from './ops/search-trials';
import type { SweepPoint } from './ops/sweep-expand';
import { readSweepDefinition } from './ops/sweep-load';
import type { SweepDefinition } from './ops/sweep-spec';
import { ExitCode, InputError, ResourceError } from './errors';
import type { StageHeartbeat } from './activities/contract';
import { TASK_QUEUES, abortSignal, progressQuery, resumeSignal, type ExperimentInput, type ExperimentTimeouts, type ProgressView } from './workflows/definitions';
import type { experimentWorkflow } from './workflows/experiment-workflow';
import { CONFIG_HASH, EXPERIMENT_ID, SEARCH_ATTRIBUTE_REGISTRATIONS } from './workflows/search-attributes';
import type { sweepWorkflow } from './workflows/sweep-workflow';
import { stagesUpTo } from './pipeline/dag';

/** Runs one client command; resolves with the exit code. */
export async function clientCommand(argv: readonly string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
    out.write(`${CLIENT_USAGE}\n`);
    return ExitCode.success;
  }
  const command = parseClientArgs(argv);
  // Input is validated before any connection attempt: a bad config or sweep exits 2 even with no server.
  const prepared = command.name === 'submit' ? loadConfigFile(command.configPath) : null;
  const sweep = command.name === 'sweep' ? prepareSweep(command.sweepPath) : null;
  const settings = temporalSettings();
  const client = await connectClient(settings);
  const print = (line: string) => out.write(`${line}\n`);
  try {
    return await dispatch(client, command, prepared, sweep, print, out);
  } catch (error) {
    const { WorkflowNotFoundError } = await import('@temporalio/client');
    if (error instanceof WorkflowNotFoundError) {
      throw new InputError(`no experiment with id ${error.workflowId ?? '(unknown)'} in namespace ${settings.namespace} at ${settings.address}`, { cause: error });
    }
    throw error;
  } finally {
    await client.connection.close();
  }
}

/** Runs `command` over an open client. */
async function dispatch(
  client: Client,
  command: ClientCommand,
  prepared: { config: ExperimentInput['config'] } | null,
  sweep: PreparedSweep | null,
  print: Print,
  out: NodeJS.WritableStream,
): Promise<number> {
  switch (command.name) {
    case 'submit':
      return await submit(client, command, experimentInput(prepared!.config, command.force, command.until, timeoutsOf(command)), print);
    case 'sweep':
      return await submitSweep(client, sweep!, command, print);
    case 'status':
      return await status(client, command.id, command.json, print);
    case 'watch':
      return await watch(client, command.id, command.intervalMs, print);
    case 'resume':
      await client.workflow.getHandle(command.id).signal(resumeSignal, command.stage === undefined ? {} : { stage: command.stage });
      print(`resume sent to ${command.id}${command.stage === undefined ? ' (every waiting stage)' : ` (stage ${command.stage})`}`);
      return ExitCode.success;
    case 'abort':
      await client.workflow.getHandle(command.id).signal(abortSignal, command.reason === undefined ? {} : { reason: command.reason });
      print(`abort sent to ${command.id}`);
      return ExitCode.success;
    case 'list':
      return await list(client, command, print);
    case 'replay':
      return await replay(client, command, print);
    case 'reset':
      return await reset(client, command.id, command.toStage, print);
    case 'history':
      out.write(`${historyToJSON(await client.workflow.getHandle(command.id).fetchHistory())}\n`);
      return ExitCode.success;
  }
}

/** The workflow input for a validated config. */
export function experimentInput(config: ExperimentInput['config'], force: readonly string[] = [], until?: ExperimentInput['until'], timeouts?: ExperimentTimeouts): ExperimentInput {
  const stages = stagesUpTo(until).map((stage) => stage.name);
  return {
    config,
    experimentId: experimentId(config),
    stages,
    configHash: configHash(config),
    ...(force.length > 0 ? { force: [...force] } : {}),
    ...(until === undefined ? {} : { until }),
    ...(timeouts === undefined ? {} : { timeouts }),
  };
}

/** The timeouts a command's flags set (only the operator wait has a flag), or none. */
export function timeoutsOf(command: OperatorWaitOption): ExperimentTimeouts | undefined {
  return command.operatorWait === undefined ? undefined : { operatorWait: command.operatorWait };
}

type Print = (line: string) => void;

async function submit(client: Client, command: { wait: boolean; watch: boolean }, input: ExperimentInput, print: Print): Promise<number> {
  try {
    // By name: workflow code belongs in the worker's sandbox, not in this process.
    await client.workflow.start<typeof experimentWorkflow>('experimentWorkflow', {
      taskQueue: TASK_QUEUES.cpu,
      workflowId: input.experimentId,
      args: [input],
      memo: { description: input.config.description, tags: input.config.tags },
      typedSearchAttributes: [
        { key: EXPERIMENT_ID, value: input.experimentId },
        { key: CONFIG_HASH, value: input.configHash! },
      ],
    });
    print(`submitted ${input.experimentId} (task queue ${TASK_QUEUES.cpu})`);
  } catch (error) {
    const { WorkflowExecutionAlreadyStartedError } = await import('@temporalio/common');
    if (error instanceof WorkflowExecutionAlreadyStartedError) print(`${input.experimentId} is already running; following it`);
    else throw explainStartError(error);
  }
  if (command.watch) return watch(client, input.experimentId, 2000, print);
  if (command.wait) return waitFor(client.workflow.getHandle(input.experimentId), print);
  print(`follow it with: npm run temporal -- watch ${input.experimentId}`);
  return ExitCode.success;
}

/**
 * A sweep read and expanded once, as `npm run sweep` does: every point valid, or a ConfigError
 * listing each problem. A random search is its fixed list of sampled trials; a halving search
 * is refused (a ConfigError: it runs locally only).
 */
interface PreparedSweep {
  source: string;
  definition: SweepDefinition;
  points: readonly SweepPoint[];
}

function prepareSweep(source: string): PreparedSweep {
  const definition = readSweepDefinition(source);
  return { source, definition, points: expandDefinition(definition, source) };
}

async function submitSweep(client: Client, sweep: PreparedSweep, command: { concurrency?: number; wait: boolean } & OperatorWaitOption, print: Print): Promise<number> {
  const { source, definition, points } = sweep;
  // The same experiments make the same sweep, whichever file they were written in.
  const workflowId = `sweep_${shortHash(points.map((point) => point.experimentId))}`;
  const concurrency = command.concurrency ?? definition.parallel;
  try {
    await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: TASK_QUEUES.cpu,
      workflowId,
      // A search stops every trial after the stage its objective reads (`until`), as npm run sweep does.
      args: [{ definition, source, stages: stagesUpTo(definition.until).map((stage) => stage.name), concurrency, timeouts: timeoutsOf(command) }],
      // The base config's (it need not be valid on its own: points are validated, not the base).
      memo: { description: definition.base.description ?? '', tags: definition.base.tags ?? [] },
    });
  } catch (error) {
    throw explainStartError(error);
  }
  print(`submitted sweep ${workflowId}: ${points.length} point(s) from ${source} (at most ${concurrency} experiments at a time)`);
  return command.wait ? waitFor(client.workflow.getHandle(workflowId), print) : ExitCode.success;
}

/** Unregistered search attributes are the usual first-run problem: say how to fix it. */
function explainStartError(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!/search attribute/i.test(message)) return error;
  const create = SEARCH_ATTRIBUTE_REGISTRATIONS.map((sa) => `--name ${sa.name} --type ${sa.type}`).join(' ');
  return new ResourceError(`${message}\nregister the search attributes: temporal operator search-attribute create ${create}`, { cause: error });
}

async function waitFor(handle: WorkflowHandle, print: Print): Promise<number> {
  try {
    const result = await handle.result();
    print(JSON.stringify(result, null, 2));
    return ExitCode.success;
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    print(`${handle.workflowId} failed: ${cause?.message ?? (error as Error).message}`);
    return ExitCode.runFailed;
  }
}

/** The progress view merged with live heartbeats, or null when no worker answers the query. */
async function progressOf(client: Client, id: string): Promise<{ view: ProgressView | null; closed: boolean; status: string }> {
  const handle = client.workflow.getHandle(id);
  const description = await handle.describe();
  const closed = description.status.name !== 'RUNNING';
  let view: ProgressView | null = null;
  try {
    view = await client.connection.withDeadline(Date.now() + 5000, () => handle.query(progressQuery));
  } catch {
    view = null;
  }
  const pending: PendingActivity[] = (description.raw.pendingActivities ?? []).map((activity) => ({
    activityId: activity.activityId ?? '',
    attempt: activity.attempt ?? 1,
    heartbeat: decodeHeartbeat(activity.heartbeatDetails?.payloads?.[0]),
    lastFailure: activity.lastFailure?.message ?? null,
  }));
  return { view: view === null ? null : mergePending(view, pending), closed, status: description.status.name };
}

function decodeHeartbeat(payload: Parameters<typeof defaultPayloadConverter.fromPayload>[0] | undefined | null): StageHeartbeat | null {
  if (payload === undefined || payload === null) return null;
  try {
    return defaultPayloadConverter.fromPayload<StageHeartbeat>(payload);
  } catch {
    return null;
  }
}

async function status(client: Client, id: string, json: boolean, print: Print): Promise<number> {
  const { view, status: workflowStatus } = await progressOf(client, id);
  if (json) print(JSON.stringify({ workflowStatus, progress: view }, null, 2));
  else if (view === null) print(`${id}: workflow ${workflowStatus}; no worker answered the progress query (is \`npm run worker\` running?)`);
  else renderProgress(view).forEach(print);
  return ExitCode.success;
}

async function watch(client: Client, id: string, intervalMs: number, print: Print): Promise<number> {
  for (;;) {
    const { view, closed, status: workflowStatus } = await progressOf(client, id);
    print(`--- ${new Date().toISOString()} (workflow ${workflowStatus})`);
    if (view === null) print('no worker answered the progress query yet (is `npm run worker` running?)');
    else renderProgress(view).forEach(print);
    if (closed) return workflowStatus === 'COMPLETED' ? ExitCode.success : ExitCode.runFailed;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function list(client: Client, command: { status?: string; limit: number }, print: Print): Promise<number> {
  const filter = command.status === undefined ? '' : ` AND ExperimentStatus = '${command.status}'`;
  let count = 0;
  for await (const execution of client.workflow.list({ query: `WorkflowType = 'experimentWorkflow'${filter}` })) {
    const experimentStatus = execution.searchAttributes?.ExperimentStatus?.[0] ?? execution.status.name.toLowerCase();
    const stages = (execution.searchAttributes?.ExperimentStage ?? []).join(',');
    print(`${execution.workflowId.padEnd(44)} ${String(experimentStatus).padEnd(21)} ${stages.padEnd(16)} ${execution.startTime.toISOString()}`);
    if (++count >= command.limit) break;
  }
  if (count === 0) print('no experiments match');
  return ExitCode.success;
}

async function replay(client: Client, command: { id: string; wait: boolean; watch: boolean } & OperatorWaitOption, print: Print): Promise<number> {
  const handle = client.workflow.getHandle(command.id);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') throw new InputError(`${command.id} is still running; use resume or abort instead of replay`);
  const recorded = startInput(await handle.fetchHistory(), command.id);
  // A new --operator-wait replaces the recorded one; otherwise the replay waits as the original did.
  const timeouts = command.operatorWait === undefined ? recorded.timeouts : { ...recorded.timeouts, operatorWait: command.operatorWait };
  const input: ExperimentInput = { ...recorded, ...(timeouts === undefined ? {} : { timeouts }) };
  print(`replaying ${command.id} (last run ${description.status.name.toLowerCase()}): published stages will be cache hits`);
  return submit(client, command, input, print);
}

async function reset(client: Client, id: string, stage: string, print: Print): Promise<number> {
  const handle = client.workflow.getHandle(id);
  const description = await handle.describe();
  const eventId = resetEventFor(await handle.fetchHistory(), stage, id);
  // The proto field is a Long (the `long` package, a dependency of ours as of protobufjs).
  const { default: Long } = await import('long');
  const response = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: id, runId: description.runId },
    reason: `reset to stage ${stage} by the dcsbm client`,
    workflowTaskFinishEventId: Long.fromNumber(eventId),
    requestId: randomUUID(),
  });
  print(`reset ${id} to event ${eventId} (before stage ${stage} was scheduled); new run ${response.runId}`);
  return ExitCode.success;
}

if (isMainModule(import.meta.url)) runCli(() => clientCommand(process.argv.slice(2)));
