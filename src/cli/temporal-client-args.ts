/**
 * Argument parsing of the Temporal client (`src/client.ts`): one command per call, every
 * problem a ConfigError naming the flag or argument and the value received.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { STAGES, type StageName } from '../pipeline/dag';
import type { ExperimentStatus } from '../workflows/definitions';
import { operatorWait } from './temporal-duration';

/** Experiment statuses `list --status` accepts (the ExperimentStatus search attribute's values). */
export const LISTABLE_STATUSES: readonly ExperimentStatus[] = ['running', 'waiting-for-operator', 'succeeded', 'failed', 'gate_failed', 'aborted', 'cancelled'];

/** How long a stage that exhausted its retries waits for `resume` or `abort` (`--operator-wait`, e.g. '30m'). */
export interface OperatorWaitOption {
  operatorWait?: string;
}

/** A parsed client command. */
export type ClientCommand =
  | ({ name: 'submit'; configPath: string; wait: boolean; watch: boolean; force: StageName[]; until?: StageName } & OperatorWaitOption)
  /** `concurrency` absent: the sweep's own `parallel` (as `npm run sweep`). */
  | ({ name: 'sweep'; sweepPath: string; concurrency?: number; wait: boolean } & OperatorWaitOption)
  | { name: 'status'; id: string; json: boolean }
  | { name: 'watch'; id: string; intervalMs: number }
  | { name: 'resume'; id: string; stage?: StageName }
  | { name: 'abort'; id: string; reason?: string }
  | { name: 'list'; status?: ExperimentStatus; limit: number }
  | ({ name: 'replay'; id: string; wait: boolean; watch: boolean } & OperatorWaitOption)
  | { name: 'reset'; id: string; toStage: StageName }
  | { name: 'history'; id: string };

/** One line per command, for errors and `help`. */
export const CLIENT_USAGE = [
  'usage: npm run temporal -- <command> ...',
  '  submit <config.json> [--wait] [--watch] [--force <stage>]... [--until <stage>] [--operator-wait <duration>]',
  '  submit --sweep <sweep.json> [--concurrency N] [--wait] [--operator-wait <duration>]   (the same as sweep)',
  '  sweep <sweep.json | config.json with a sweep block> [--concurrency N] [--wait] [--operator-wait <duration>]',
  '  status <experiment-id> [--json]',
  '  watch <experiment-id> [--interval <seconds>]',
  '  resume <experiment-id> [--stage <stage>]',
  '  abort <experiment-id> [--reason <text>]',
  '  list [--status <status>] [--limit N]',
  '  replay <experiment-id> [--wait] [--watch] [--operator-wait <duration>]',
  '  reset <experiment-id> --to-stage <stage>',
  '  history <experiment-id> > history.json',
  '<duration>: a number and a unit (ms, s, m, h, d), e.g. 30m or 2d: how long a stage that',
  '  exhausted its retries waits for resume or abort before the experiment fails (default 7d)',
].join('\n');

/** Parses `argv` (without node and script). */
export function parseClientArgs(argv: readonly string[]): ClientCommand {
  const [name, ...rest] = argv;
  switch (name) {
    case 'submit': {
      // `npm run submit -- --sweep sweep.json` is the sweep command.
      const sweepFlag = rest.findIndex((arg) => arg === '--sweep' || arg.startsWith('--sweep='));
      if (sweepFlag >= 0) return parseSweep(sweepArgs(rest, sweepFlag));
      const { values, positional } = parse(rest, 'config file', {
        wait: { type: 'boolean' },
        watch: { type: 'boolean' },
        force: { type: 'string', multiple: true },
        until: { type: 'string' },
        'operator-wait': { type: 'string' },
      });
      const force = ((values.force as string[] | undefined) ?? []).map((stage) => stageName('--force', stage));
      const until = values.until === undefined ? undefined : stageName('--until', values.until as string);
      return { name, configPath: positional, wait: values.wait === true, watch: values.watch === true, force, ...(until === undefined ? {} : { until }), ...waitOption(values) };
    }
    case 'sweep':
      return parseSweep(rest);
    case 'status': {
      const { values, positional } = parse(rest, 'experiment id', { json: { type: 'boolean' } });
      return { name, id: positional, json: values.json === true };
    }
    case 'watch': {
      const { values, positional } = parse(rest, 'experiment id', { interval: { type: 'string' } });
      return { name, id: positional, intervalMs: positiveInt('--interval', values.interval, 2) * 1000 };
    }
    case 'resume': {
      const { values, positional } = parse(rest, 'experiment id', { stage: { type: 'string' } });
      return { name, id: positional, ...(values.stage === undefined ? {} : { stage: stageName('--stage', values.stage as string) }) };
    }
    case 'abort': {
      const { values, positional } = parse(rest, 'experiment id', { reason: { type: 'string' } });
      return { name, id: positional, ...(values.reason === undefined ? {} : { reason: values.reason as string }) };
    }
    case 'list':
      return parseList(rest);
    case 'replay': {
      const { values, positional } = parse(rest, 'experiment id', { wait: { type: 'boolean' }, watch: { type: 'boolean' }, 'operator-wait': { type: 'string' } });
      return { name, id: positional, wait: values.wait === true, watch: values.watch === true, ...waitOption(values) };
    }
    case 'reset': {
      const { values, positional } = parse(rest, 'experiment id', { 'to-stage': { type: 'string' } });
      if (values['to-stage'] === undefined) throw new ConfigError(`reset: --to-stage is required\n${CLIENT_USAGE}`);
      return { name, id: positional, toStage: stageName('--to-stage', values['to-stage'] as string) };
    }
    case 'history':
      return { name, id: parse(rest, 'experiment id', {}).positional };
    default:
      throw new ConfigError(`${name === undefined ? 'no command given' : `unknown command '${name}'`}\n${CLIENT_USAGE}`);
  }
}

function parseSweep(rest: readonly string[]): ClientCommand {
  const { values, positional } = parse(rest, 'sweep file', { concurrency: { type: 'string' }, wait: { type: 'boolean' }, 'operator-wait': { type: 'string' } });
  const concurrency = values.concurrency === undefined ? undefined : positiveInt('--concurrency', values.concurrency, 1);
  return { name: 'sweep', sweepPath: positional, wait: values.wait === true, ...(concurrency === undefined ? {} : { concurrency }), ...waitOption(values) };
}

/** `submit`'s arguments with `--sweep <file>` (or `--sweep=<file>`) turned into the sweep file argument. */
function sweepArgs(rest: readonly string[], at: number): string[] {
  const flag = rest[at];
  if (flag.startsWith('--sweep=')) return [...rest.slice(0, at), flag.slice('--sweep='.length), ...rest.slice(at + 1)];
  if (at + 1 >= rest.length || rest[at + 1].startsWith('--')) throw new ConfigError(`--sweep: expects the sweep file after it\n${CLIENT_USAGE}`);
  return [...rest.slice(0, at), ...rest.slice(at + 1)];
}

function waitOption(values: Record<string, unknown>): OperatorWaitOption {
  const value = values['operator-wait'];
  return value === undefined ? {} : { operatorWait: operatorWait('--operator-wait', value as string) };
}

function parseList(rest: readonly string[]): ClientCommand {
  const { values } = parse(rest, null, { status: { type: 'string' }, limit: { type: 'string' } });
  const status = values.status as string | undefined;
  if (status !== undefined && !(LISTABLE_STATUSES as readonly string[]).includes(status)) {
    throw new ConfigError(`--status: '${status}' — must be one of ${LISTABLE_STATUSES.join(', ')}`);
  }
  return { name: 'list', limit: positiveInt('--limit', values.limit, 50), ...(status === undefined ? {} : { status: status as ExperimentStatus }) };
}

type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

function parse(args: readonly string[], positionalName: string | null, options: Options): { values: Record<string, unknown>; positional: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${CLIENT_USAGE}`);
  }
  const expected = positionalName === null ? 0 : 1;
  if (parsed.positionals.length !== expected) {
    const got = parsed.positionals.length === 0 ? 'none' : parsed.positionals.join(' ');
    throw new ConfigError(`expected ${positionalName === null ? 'no positional arguments' : `exactly one ${positionalName}`}, got ${got}\n${CLIENT_USAGE}`);
  }
  return { values: parsed.values, positional: parsed.positionals[0] ?? '' };
}

function stageName(flag: string, value: string): StageName {
  const stage = STAGES.find((candidate) => candidate.name === value);
  if (stage === undefined) throw new ConfigError(`${flag}: '${value}' — must be one of the available stages: ${STAGES.map((s) => s.name).join(', ')}`);
  return stage.name;
}

function positiveInt(flag: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new ConfigError(`${flag}: '${String(value)}' — must be a positive integer`);
  return number;
}
