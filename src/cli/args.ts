/**
 * Argument parsing shared by `experiment` and `plan`: the config path and the run options.
 * Every problem is a ConfigError naming the flag and the value.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { STAGES, type StageName } from '../pipeline/dag';

export interface RunArgs {
  configPath: string;
  until?: StageName;
  force: Set<string>;
  forceAll: boolean;
  dryRun: boolean;
  verbose: boolean;
  /** Run without the pre-flight checks (disk, memory, writable folders). */
  skipPreflight: boolean;
}

const USAGE = 'usage: <config.json> [--until <stage>] [--force <stage>]... [--force-all] [--dry-run] [--verbose] [--skip-preflight]';

/** The help text of `experiment` and `plan`. */
export function runHelp(command: 'experiment' | 'plan'): string {
  return [
    `npm run ${command} -- <config.json> [options]`,
    '',
    command === 'experiment' ? 'Runs (or resumes) the experiment in this process.' : 'Shows, per stage, whether it is cached and why not; computes nothing.',
    '',
    `  --until <stage>     stop after this stage (one of: ${STAGES.map((s) => s.name).join(', ')})`,
    '  --force <stage>     recompute this stage even when cached (repeatable)',
    '  --force-all         recompute every stage',
    ...(command === 'experiment'
      ? ['  --dry-run           print the plan and exit', '  --verbose, -v       more detail (gate evaluations, checkpoints, pre-flight)', '  --skip-preflight    do not check disk, memory, folders and the execution provider first']
      : []),
    '',
    'Exit codes: 0 success, 1 run failed, 2 invalid input, 130 interrupted.',
    '',
  ].join('\n');
}

/** True when the user asked for help. */
export function helpRequested(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Parses `argv` (without node and script). */
export function parseRunArgs(argv: readonly string[]): RunArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        until: { type: 'string' },
        force: { type: 'string', multiple: true },
        'force-all': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        'skip-preflight': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new ConfigError(`expected exactly one config file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}\n${USAGE}`);
  }
  const force = new Set(values.force ?? []);
  const problems = [...force].filter((name) => !isStage(name)).map((name) => `--force: '${name}' — ${stageRule()}`);
  if (values.until !== undefined && !isStage(values.until)) problems.push(`--until: '${values.until}' — ${stageRule()}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    configPath: positionals[0],
    until: values.until as StageName | undefined,
    force,
    forceAll: values['force-all'] ?? false,
    dryRun: values['dry-run'] ?? false,
    verbose: values.verbose ?? false,
    skipPreflight: values['skip-preflight'] ?? false,
  };
}

function isStage(name: string): boolean {
  return STAGES.some((stage) => stage.name === name);
}

function stageRule(): string {
  return `must be one of the available stages: ${STAGES.map((s) => s.name).join(', ')}`;
}
