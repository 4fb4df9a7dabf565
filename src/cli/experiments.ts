/**
 * `npm run experiments -- <command>`: the lifecycle of local experiments, read from
 * `results/*\/result.json` and the run ledger (`results/ledger.csv`).
 *
 *   list [--status S]... [--temporal]        one line per experiment, newest first, with its gate: the result folders,
 *                                            plus Temporal's experiments when TEMPORAL_ADDRESS is set
 *                                            or --temporal is given (a SOURCE column says which)
 *   show <id>                                stages, metrics and ledger history of one experiment
 *                                            (found in results-archive/ when archived)
 *   compare <id> <id> [...] [--out file.html]
 *                                            comparison report: config differences, scalars, horizons, figures
 *   archive [--status S]... [--older-than 7d] [--dry-run]
 *                                            move result folders to results-archive/ (never the store)
 *   promote <id> [--name N] [--min-rule-compliance X] [--min-edge-compliance X] [--force] [--dry-run]
 *                                            copy a succeeded run's config to configs/promoted/<N>.json
 *   failures [--status S]...                 failed, gate_failed and interrupted runs by stage and error
 *                                            class, with attempts and last progress -> results/failures.md
 *   ledger [--last N] [--parquet out.parquet]
 *                                            print the ledger, or export it as Parquet
 *
 * Exit codes: 0 success, 1 refused or failed (e.g. promote of a failed run), 2 invalid input.
 */
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { writeFileAtomic } from '../artifacts/atomic-write';
import { ConfigError, ExitCode } from '../errors';
import { archiveFolders, selectForArchive } from '../ops/archive';
import { writeComparison } from '../ops/compare';
import { parseAge } from '../ops/duration';
import { collectFailures, FAILURE_STATUSES } from '../ops/failures';
import { failuresMarkdown, failuresText } from '../ops/failures-report';
import { readLedger, type LedgerRow } from '../ops/ledger';
import { horizonsByPrimaryMetric } from '../ops/ledger-horizons';
import { writeLedgerParquet } from '../ops/ledger-parquet';
import { listRows, localListRow, LIST_HEADER } from '../ops/list-table';
import { archiveRoot, ledgerPath, promotedRoot, resolveResultsRoot } from '../ops/paths';
import { promoteRun } from '../ops/promote';
import { locateExperiment } from '../ops/show-lookup';
import { findResult, RUN_STATUSES, scanResults, type ResultFolder } from '../ops/result-folders';
import { runMetrics } from '../ops/run-metrics';
import { describeSweepPoint } from '../ops/run-record';
import { formatTable } from '../ops/text-table';
import { formatDuration } from '../pipeline/progress';
import { isMainModule } from './is-main';
import { runCli } from './main';
import { temporalSettings, temporalWanted } from './temporal-connection';

type Flags = Record<string, string | boolean | string[] | undefined>;
interface Parsed {
  flags: Flags;
  positionals: string[];
}

/** A subcommand: its flags, how many positionals it takes ('many' = two or more ids) and its body. */
interface Subcommand {
  options: NonNullable<ParseArgsConfig['options']>;
  positionals: number | 'many';
  run: (p: Parsed, results: string) => Promise<number>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  list: { options: { status: { type: 'string', multiple: true }, temporal: { type: 'boolean' } }, positionals: 0, run: list },
  show: { options: {}, positionals: 1, run: show },
  compare: { options: { out: { type: 'string' } }, positionals: 'many', run: compare },
  archive: { options: { status: { type: 'string', multiple: true }, 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' } }, positionals: 0, run: archive },
  promote: {
    options: { name: { type: 'string' }, 'min-rule-compliance': { type: 'string' }, 'min-edge-compliance': { type: 'string' }, force: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    positionals: 1,
    run: promote,
  },
  failures: { options: { status: { type: 'string', multiple: true } }, positionals: 0, run: failures },
  ledger: { options: { last: { type: 'string' }, parquet: { type: 'string' } }, positionals: 0, run: ledger },
};

/** Runs the command line `argv` (without node and script) and returns the exit code. */
export async function experimentsCommand(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = Object.keys(SUBCOMMANDS).join(', ');
  if (name === undefined) throw new ConfigError(`missing command — expected one of ${names}`);
  const command = SUBCOMMANDS[name];
  if (command === undefined) throw new ConfigError(`${JSON.stringify(name)}: unknown command — expected one of ${names}`);
  let parsed: Parsed;
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    parsed = { flags: values as Flags, positionals };
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
  if (command.positionals === 'many') {
    if (parsed.positionals.length < 2) throw new ConfigError(`${name}: expected two or more experiment ids, got ${parsed.positionals.length === 0 ? 'none' : parsed.positionals.join(' ')}`);
  } else if (parsed.positionals.length !== command.positionals) {
    throw new ConfigError(`${name}: expected ${command.positionals === 0 ? 'no arguments' : 'one experiment id'}, got ${parsed.positionals.length === 0 ? 'none' : parsed.positionals.join(' ')}`);
  }
  return command.run(parsed, resolveResultsRoot());
}

async function list({ flags }: Parsed, results: string): Promise<number> {
  if (temporalWanted(flags.temporal === true)) return listWithTemporal(flags, results);
  const statuses = statusFilter(flags.status);
  const scan = scanResults(results);
  const { rows: ledgerRows } = await readLedger(ledgerPath(results));
  const folders = scan.folders.filter((f) => statuses === null || statuses.has(f.record.status));
  const rows = listRows(folders, ledgerRows, Date.now());
  console.log(rows.length === 0 ? `no experiments in ${results}${statuses === null ? '' : ` with status ${[...statuses].join(' or ')}`}` : formatTable(LIST_HEADER, rows));
  for (const problem of scan.problems) console.log(`unreadable: ${problem.path}: ${problem.problem}`);
  return ExitCode.success;
}

/** Statuses only Temporal experiments have (ExperimentStatus values, and closed runs' own statuses). */
const TEMPORAL_ONLY_STATUSES = ['waiting-for-operator', 'aborted', 'cancelled', 'terminated', 'timed-out'] as const;

/** `list` with Temporal: one row per experiment id from both sources; an unreachable server is one line, not an error. */
async function listWithTemporal(flags: Flags, results: string): Promise<number> {
  const statuses = statusFilter(flags.status, [...RUN_STATUSES, ...TEMPORAL_ONLY_STATUSES]);
  const [{ listExperiments, readTemporal }, { mergeExperimentRows, mergedListCells, MERGED_LIST_HEADER }] = await Promise.all([
    import('./temporal-experiments'),
    import('./temporal-visibility'),
  ]);
  const scan = scanResults(results);
  const { rows: ledgerRows } = await readLedger(ledgerPath(results));
  const settings = temporalSettings();
  const remote = await readTemporal(settings, (client) => listExperiments(client, 'all', 1000));
  const now = Date.now();
  const local = scan.folders.map(({ record }) => ({ ...localListRow(record, ledgerRows), source: 'local' as const }));
  const rows = mergeExperimentRows(local, remote.ok ? remote.value : [], now).filter((row) => statuses === null || statuses.has(row.status));
  const cells = mergedListCells(rows, now);
  const where = `${results} or Temporal at ${settings.address}`;
  console.log(cells.length === 0 ? `no experiments in ${where}${statuses === null ? '' : ` with status ${[...statuses].join(' or ')}`}` : formatTable(MERGED_LIST_HEADER, cells));
  for (const problem of scan.problems) console.log(`unreadable: ${problem.path}: ${problem.problem}`);
  if (!remote.ok) console.log(remote.problem);
  return ExitCode.success;
}

async function show({ positionals }: Parsed, results: string): Promise<number> {
  const { dir, record, archived } = locateExperiment(results, positionals[0]);
  const metrics = runMetrics(record);
  const shown = (value: number | boolean | null) => (value === null ? '(not reported)' : String(value));
  console.log(`Experiment ${record.experiment_id}: ${record.status.toUpperCase()}`);
  console.log(`  folder:      ${dir}`);
  if (archived !== null) console.log(`  archived:    ${archived.at} (${archived.reason}); not in ${results}`);
  console.log(`  config hash: ${record.config_hash}`);
  console.log(`  started:     ${record.started_at}   updated: ${record.updated_at}`);
  if (record.description) console.log(`  description: ${record.description}`);
  if (record.sweep_point) console.log(`  sweep point: ${describeSweepPoint(record.sweep_point)}`);
  if (record.error) console.log(`  error:       ${record.error.stage ?? '-'}: ${record.error.code}: ${record.error.message}`);
  console.log('');
  const stageRows = record.stages.map((s) => [s.name, s.status, s.cache ?? '', String(s.attempts ?? 0), s.seconds == null ? '' : formatDuration(s.seconds), (s.key ?? '').slice(0, 12), s.error ? `${s.error.code}: ${s.error.message}` : '']);
  console.log(formatTable(['STAGE', 'STATUS', 'CACHE', 'ATTEMPTS', 'TIME', 'KEY', 'ERROR'], stageRows));
  console.log('');
  console.log(`Metrics: final loss ${shown(metrics.finalLoss)}, edge compliance ${shown(metrics.edgeCompliance)}, rule compliance ${shown(metrics.ruleCompliance)}, gate passed ${shown(metrics.gatePassed)}, best horizon ${shown(metrics.bestHorizon)}`);
  const horizons = horizonsByPrimaryMetric(record);
  if (horizons !== null) console.log(`Best horizon per primary metric: ${Object.entries(horizons).map(([metric, horizon]) => `${metric} ${horizon}`).join(', ')}`);
  const history = (await readLedger(ledgerPath(results))).rows.filter((r) => r.experiment_id === record.experiment_id);
  console.log('');
  console.log(history.length === 0 ? 'Ledger: no rows for this experiment.' : formatTable(['TIME', 'EVENT', 'STATUS', 'SECONDS', 'NOTE'], history.map((r) => [r.time, r.event, r.status, r.duration_s, r.note || r.error_message])));
  return ExitCode.success;
}

async function compare({ flags, positionals }: Parsed, results: string): Promise<number> {
  const path = writeComparison(results, positionals, flags.out as string | undefined);
  console.log(`comparison of ${positionals.length} experiments: ${path}`);
  return ExitCode.success;
}

async function archive({ flags }: Parsed, results: string): Promise<number> {
  const statuses = statusFilter(flags.status);
  const olderThanMs = flags['older-than'] === undefined ? null : parseAge(flags['older-than'] as string, '--older-than');
  if (statuses === null && olderThanMs === null) {
    throw new ConfigError('archive: give --status and/or --older-than — archiving every result folder at once is never the default');
  }
  const dryRun = flags['dry-run'] === true;
  const selected = selectForArchive(scanResults(results).folders, { statuses, olderThanMs, now: Date.now() });
  const reason = [statuses === null ? null : `status ${[...statuses].join('|')}`, olderThanMs === null ? null : `older than ${flags['older-than'] as string}`].filter(Boolean).join(', ');
  const moves = await archiveFolders(selected, archiveRoot(results), reason, dryRun);
  for (const move of moves) console.log(`${dryRun ? 'would move' : 'moved'} ${move.id} (${move.status}) -> ${move.to}`);
  console.log(`${dryRun ? '[dry-run] would archive' : 'archived'} ${moves.length} result folder(s) (${reason}); the artifact store was not touched`);
  return ExitCode.success;
}

async function promote({ flags, positionals }: Parsed, results: string): Promise<number> {
  const folder: ResultFolder = findResult(results, positionals[0]);
  const dryRun = flags['dry-run'] === true;
  const outcome = await promoteRun(
    {
      folder,
      name: (flags.name as string | undefined) ?? folder.record.experiment_id,
      minRuleCompliance: fraction(flags['min-rule-compliance'], '--min-rule-compliance'),
      minEdgeCompliance: fraction(flags['min-edge-compliance'], '--min-edge-compliance'),
      targetDir: promotedRoot(),
      force: flags.force === true,
    },
    ledgerPath(results),
    dryRun,
  );
  outcome.notes.forEach((note) => console.log(`Note: ${note}`));
  console.log(promoteLine(folder.record.experiment_id, outcome.target, outcome.unchanged, dryRun));
  return ExitCode.success;
}

function promoteLine(id: string, target: string, unchanged: boolean, dryRun: boolean): string {
  const prefix = dryRun ? '[dry-run] ' : '';
  if (unchanged) return `${prefix}already promoted (unchanged): ${id} -> ${target}; nothing written, no ledger row`;
  return dryRun ? `${prefix}would promote ${id} -> ${target}` : `promoted ${id} -> ${target} (recorded in the ledger)`;
}

async function failures({ flags }: Parsed, results: string): Promise<number> {
  const statuses = statusFilter(flags.status, FAILURE_STATUSES) ?? new Set(FAILURE_STATUSES);
  const ledger = ledgerPath(results);
  const { rows, problems } = await readLedger(ledger);
  const found = collectFailures(rows, scanResults(results).folders, statuses);
  const sources = `${ledger} and ${results}/*/result.json`;
  const target = join(results, 'failures.md');
  writeFileAtomic(target, failuresMarkdown(found, sources, new Date()));
  console.log(failuresText(found, sources));
  problems.forEach((problem) => console.log(`Warning: ${problem}`));
  console.log(`(Markdown report written to ${target})`);
  return ExitCode.success;
}

async function ledger({ flags }: Parsed, results: string): Promise<number> {
  const path = ledgerPath(results);
  const { rows, problems } = await readLedger(path);
  problems.forEach((problem) => console.error(`Warning: ${problem}`));
  if (flags.parquet !== undefined) {
    await writeLedgerParquet(flags.parquet as string, rows);
    console.log(`wrote ${rows.length} ledger row(s) to ${flags.parquet as string}`);
    return ExitCode.success;
  }
  const last = flags.last === undefined ? 20 : Number(flags.last);
  if (!Number.isInteger(last) || last < 1) throw new ConfigError(`--last: ${JSON.stringify(flags.last)} — must be an integer >= 1`);
  const shown: LedgerRow[] = rows.slice(-last);
  console.log(
    shown.length === 0
      ? `the ledger ${path} is empty`
      : formatTable(['TIME', 'EVENT', 'EXPERIMENT', 'STATUS', 'SECONDS', 'ERROR / NOTE'], shown.map((r) => [r.time, r.event, r.experiment_id, r.status, r.duration_s, r.note || (r.error_stage ? `${r.error_stage}: ${r.error_message}` : '')])),
  );
  return ExitCode.success;
}

/** `--status a --status b,c` -> {a, b, c}; null when absent. */
function statusFilter(values: Flags[string], allowed: readonly string[] = RUN_STATUSES): Set<string> | null {
  if (values === undefined) return null;
  const statuses = (values as string[]).flatMap((v) => v.split(',')).filter((v) => v !== '');
  const bad = statuses.filter((s) => !allowed.includes(s));
  if (bad.length > 0) throw new ConfigError(bad.map((s) => `--status: ${JSON.stringify(s)} — must be one of ${allowed.join(', ')}`));
  return new Set(statuses);
}

function fraction(value: Flags[string], flag: string): number | null {
  if (value === undefined) return null;
  const number = Number(value);
  if (value === '' || !Number.isFinite(number) || number < 0 || number > 1) throw new ConfigError(`${flag}: ${JSON.stringify(value)} — must be a number in [0, 1]`);
  return number;
}

if (isMainModule(import.meta.url)) runCli(() => experimentsCommand(process.argv.slice(2)));
