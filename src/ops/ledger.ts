/**
 * The run ledger, `results/ledger.csv`: one row per finished run (any status) and per
 * promotion, appended by every process that runs experiments. Each append is one write of
 * one line under a cross-process lock, so concurrent writers never interleave or lose rows,
 * and the header is written exactly once.
 */
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors';
import { encodeCsvLine, parseCsvLine } from './csv';
import { withFileLock } from './file-lock';
import { upgradeLedger } from './ledger-upgrade';

/**
 * The ledger's columns, in file order. Stage details, digests and the horizons per primary
 * metric are compact JSON. Readers go by the file's header, so a ledger written before a
 * column existed still reads (that column is empty); appending to it first upgrades it
 * (ledger-upgrade.ts).
 */
export const LEDGER_COLUMNS = [
  'time',
  'event',
  'experiment_id',
  'config_hash',
  'status',
  'duration_s',
  'stages',
  'final_loss',
  'edge_compliance',
  'rule_compliance',
  'best_horizon',
  'best_horizon_by_primary_metric',
  'gate_passed',
  'error_stage',
  'error_code',
  'error_message',
  'artifact_digests',
  'git_commit',
  'host',
  'execution_provider',
  'note',
] as const;
export type LedgerColumn = (typeof LEDGER_COLUMNS)[number];

/** One ledger row: every column as text; an empty string means "not reported". */
export type LedgerRow = Record<LedgerColumn, string>;

/** What a ledger row records: a finished run, or the promotion of a run's config. */
export const LedgerEvent = { run: 'run', promote: 'promote' } as const;

/** The rows of a ledger file and the lines that could not be read (with their line numbers). */
export interface LedgerContents {
  rows: LedgerRow[];
  problems: string[];
}

const HEADER = encodeCsvLine(LEDGER_COLUMNS);

/**
 * Appends `row` to the ledger at `path` (creating it with its header, or upgrading an older
 * version's file to this header first), under the lock.
 * @throws InputError when the existing file's header has a column this version does not know.
 */
export async function appendLedgerRow(path: string, row: LedgerRow): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  const line = encodeCsvLine(LEDGER_COLUMNS.map((column) => row[column]));
  await withFileLock(path, async () => {
    const prefix = await prefixFor(path);
    const handle = await fs.open(path, 'a');
    try {
      await handle.write(`${prefix}${line}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/**
 * What must precede the new line: the header for a new file, a newline after a torn last
 * line; a file with an earlier version's header is upgraded first.
 */
async function prefixFor(path: string): Promise<string> {
  const handle = await fs.open(path, 'a+');
  try {
    const { size } = await handle.stat();
    if (size === 0) return `${HEADER}\n`;
    const head = Buffer.alloc(Math.min(size, HEADER.length + 1));
    await handle.read(head, 0, head.length, 0);
    if (head.toString('utf8') !== `${HEADER}\n`.slice(0, head.length) || size < HEADER.length + 1) {
      await upgradeLedger(path, LEDGER_COLUMNS);
      return '';
    }
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a ? '' : '\n';
  } finally {
    await handle.close();
  }
}

/** Reads the ledger at `path`; a missing file is an empty ledger. Unreadable lines are reported, not fatal. */
export async function readLedger(path: string): Promise<LedgerContents> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { rows: [], problems: [] };
    throw new InputError(`${path}: cannot be read (${(error as Error).message})`, { cause: error });
  }
  const lines = text.split('\n');
  const header = parseCsvLine(lines[0] ?? '') ?? [];
  const rows: LedgerRow[] = [];
  const problems: string[] = [];
  lines.slice(1).forEach((line, index) => {
    if (line === '') return;
    const fields = parseCsvLine(line);
    if (fields === null || fields.length !== header.length) {
      problems.push(`${path}:${index + 2}: skipped a line with ${fields?.length ?? 'unterminated'} fields (expected ${header.length}); a writer may have died mid-append`);
      return;
    }
    rows.push(Object.fromEntries(LEDGER_COLUMNS.map((column) => [column, fields[header.indexOf(column)] ?? ''])) as LedgerRow);
  });
  return { rows, problems };
}
