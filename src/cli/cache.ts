/**
 * `npm run cache -- ls [--stage S] | verify [--stage S] | gc [--dry-run] [--older-than 7d]`:
 * inspects and maintains the artifact store at `resolveStoreRoot(process.cwd())`.
 * Exit codes: 0 success, 1 a corrupt artifact (verify) or a failure, 2 bad subcommand or flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FileArtifactStore, gcStore, resolveStoreRoot, type GcReport } from '../artifacts/artifact-store-impl';
import type { Manifest } from '../artifacts/artifact-store';
import { ConfigError, ExitCode, exitCodeFor, toPipelineError } from '../errors';
import { formatBytes, parseAge } from '../ops/duration';
import { formatTable } from '../ops/text-table';

const USAGE = 'usage: npm run cache -- ls [--stage S] | verify [--stage S] | gc [--dry-run] [--older-than 7d]';

const SUBCOMMANDS = {
  ls: { options: { stage: { type: 'string' } }, run: ls },
  verify: { options: { stage: { type: 'string' } }, run: verify },
  gc: { options: { 'dry-run': { type: 'boolean' }, 'older-than': { type: 'string' } }, run: gc },
} as const;
type Subcommand = keyof typeof SUBCOMMANDS;
type Flags = Record<string, string | boolean | undefined>;

/** Runs the command line `argv` (without node and script) and returns the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    console.log(USAGE);
    return ExitCode.success;
  }
  if (name === undefined) throw new ConfigError('missing subcommand (expected ls, verify or gc; see --help)');
  if (!Object.hasOwn(SUBCOMMANDS, name)) {
    throw new ConfigError(`unknown subcommand ${JSON.stringify(name)} (expected ls, verify or gc)`);
  }
  const command = SUBCOMMANDS[name as Subcommand];
  const store = await FileArtifactStore.open(resolveStoreRoot(process.cwd()));
  return command.run(store, parseFlags(rest, command.options));
}

function parseFlags(args: string[], options: ParseArgsConfig['options']): Flags {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Flags;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

async function ls(store: FileArtifactStore, flags: Flags): Promise<number> {
  const manifests = await store.list(flags.stage as string | undefined);
  if (manifests.length === 0) {
    console.log(`no artifacts in ${store.root}`);
    return ExitCode.success;
  }
  const rows = manifests.map((m) => [
    m.stage,
    m.key.slice(0, 12),
    String(m.files.length),
    formatBytes(totalBytes(m)),
    m.experimentId,
    m.timings.finishedAt,
  ]);
  console.log(formatTable(['STAGE', 'KEY', 'FILES', 'SIZE', 'EXPERIMENT', 'FINISHED'], rows));
  return ExitCode.success;
}

async function verify(store: FileArtifactStore, flags: Flags): Promise<number> {
  const manifests = await store.list(flags.stage as string | undefined);
  let corrupt = 0;
  for (const manifest of manifests) {
    const result = await store.verify(manifest);
    const label = `${manifest.stage}/${manifest.key.slice(0, 12)}`;
    if (result.ok) {
      console.log(`OK       ${label}`);
      continue;
    }
    corrupt++;
    console.log(`CORRUPT  ${label}`);
    for (const problem of result.problems) console.log(`         ${problem}`);
  }
  console.log(`${manifests.length} artifact(s) verified, ${corrupt} corrupt`);
  return corrupt === 0 ? ExitCode.success : ExitCode.runFailed;
}

async function gc(store: FileArtifactStore, flags: Flags): Promise<number> {
  const olderThan = flags['older-than'] === undefined ? null : parseAge(flags['older-than'] as string, '--older-than');
  const now = Date.now();
  // An artifact whose finish time cannot be read is kept: gc never deletes what it cannot date.
  const keep = (m: Manifest): boolean =>
    olderThan === null || !(now - Date.parse(m.timings.finishedAt) > olderThan);
  printGcReport(await gcStore(store, keep, { dryRun: flags['dry-run'] === true, now }));
  return ExitCode.success;
}

function printGcReport(report: GcReport): void {
  const verb = report.dryRun ? 'would remove' : 'removed';
  for (const entry of report.removed) {
    const what = entry.kind === 'artifact' ? `artifact ${entry.stage}/${entry.key?.slice(0, 12)}` : `temp dir ${entry.path}`;
    console.log(`${verb} ${what} (${formatBytes(entry.bytes)})`);
  }
  console.log(`${report.dryRun ? 'would free' : 'freed'} ${formatBytes(report.bytes)} in ${report.removed.length} director${report.removed.length === 1 ? 'y' : 'ies'}`);
}

function totalBytes(manifest: Manifest): number {
  return manifest.files.reduce((sum, f) => sum + f.size, 0);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const failure = toPipelineError(error);
    console.error(`cache: ${failure.message.split('\n').join('; ')}`);
    process.exitCode = exitCodeFor(failure);
  },
);
