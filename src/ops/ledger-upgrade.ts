/**
 * Upgrading a ledger written by an earlier version to this version's columns, so that a new
 * column never strands an existing ledger (its runs would otherwise go unrecorded). Called
 * under the ledger's lock, just before an append.
 *
 * Every row keeps its values under its header's column names; a column the old file lacks is
 * empty in the old rows ("not reported", as for any metric a run did not record). A line that
 * cannot be parsed (torn by a crash) is kept as it is, so readers still report it.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../artifacts/atomic-write';
import { InputError } from '../errors';
import { encodeCsvLine, parseCsvLine } from './csv';

/**
 * Rewrites the ledger at `path` (atomically) with the header `columns`.
 * @throws InputError when the file's header has a column `columns` does not contain: it is not
 *   an earlier ledger of this project, so it is left alone.
 */
export async function upgradeLedger(path: string, columns: readonly string[]): Promise<void> {
  const [headerLine, ...lines] = (await fs.readFile(path, 'utf8')).split('\n');
  const header = parseCsvLine(headerLine) ?? [headerLine];
  const unknown = header.filter((column) => !columns.includes(column));
  if (unknown.length > 0) {
    throw new InputError(
      `${path}: header is not the ledger header of this version and cannot be upgraded (unknown column(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')}); move the file aside to start a new ledger`,
    );
  }
  const body = lines.filter((line) => line !== '').map((line) => upgradedLine(line, header, columns));
  writeFileAtomic(path, [encodeCsvLine(columns), ...body].map((line) => `${line}\n`).join(''));
}

function upgradedLine(line: string, header: readonly string[], columns: readonly string[]): string {
  const fields = parseCsvLine(line);
  if (fields === null || fields.length !== header.length) return line;
  return encodeCsvLine(columns.map((column) => (header.includes(column) ? fields[header.indexOf(column)] : '')));
}
