/**
 * The failures report in two renderings of the same groups: Markdown for `failures.md` (cells
 * escaped for Markdown tables) and plain text for the terminal (no Markdown escapes). Runs are
 * grouped by status, stage and error class, largest group first within a status.
 */
import { ErrorCode } from '../errors';
import { FAILURE_STATUSES, type Failure, type LastProgress } from './failures';
import { formatTable } from './text-table';

/** The class name of each error code (`STAGE_ERROR` -> `StageError`), as src/errors.ts names them. */
const CLASS_OF_CODE: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ErrorCode).map(([key, code]) => [
    code,
    { config: 'ConfigError', input: 'InputError', resource: 'ResourceError', stage: 'StageError', cancelled: 'Cancelled', gateFailed: 'GateFailed' }[key] ?? code,
  ]),
);

interface Group {
  title: string;
  failures: Failure[];
}

const COLUMNS = ['time', 'experiment', 'attempts', 'last progress', 'message'];

/** The Markdown report; `sources` names where the runs were read from. */
export function failuresMarkdown(failures: readonly Failure[], sources: string, now: Date): string {
  const lines = ['# Failed runs', '', `Generated ${now.toISOString()} from ${sources}: ${summary(failures)}.`];
  for (const group of groups(failures)) {
    lines.push('', `## ${group.title}: ${group.failures.length} run(s)`, '', `| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map(() => '---|').join('')}`);
    for (const f of group.failures) lines.push(`| ${cells(f).map(markdownCell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The same report for a terminal: plain text, nothing escaped; each run's message goes on
 * the lines below its row, with its own line breaks, so a long or multi-line message does not
 * stretch the table.
 */
export function failuresText(failures: readonly Failure[], sources: string): string {
  const lines = [`Failed runs in ${sources}: ${summary(failures)}.`];
  for (const group of groups(failures)) {
    const [header, ...rows] = formatTable(COLUMNS.slice(0, -1).map((c) => c.toUpperCase()), group.failures.map((f) => cells(f).slice(0, -1))).split('\n');
    lines.push('', `${group.title}: ${group.failures.length} run(s)`, `  ${header}`);
    group.failures.forEach((f, i) => lines.push(`  ${rows[i]}`, ...f.message.split(/\r?\n/).map((line) => `      ${line}`)));
  }
  return lines.join('\n');
}

/** `2 failed, 1 gate_failed run(s) of 3 experiment(s)`. */
function summary(failures: readonly Failure[]): string {
  if (failures.length === 0) return `no ${FAILURE_STATUSES.join(', ')} runs`;
  const counts = FAILURE_STATUSES.map((status) => [status, failures.filter((f) => f.status === status).length] as const).filter(([, n]) => n > 0);
  const experiments = new Set(failures.map((f) => f.experimentId)).size;
  return `${counts.map(([status, n]) => `${n} ${status}`).join(', ')} run(s) of ${experiments} experiment(s)`;
}

/** Groups by status (in FAILURE_STATUSES order), then stage and error class, largest first. */
function groups(failures: readonly Failure[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const failure of failures) {
    const title = `${failure.status}: ${failure.stage} — ${CLASS_OF_CODE[failure.code] ?? failure.code} (${failure.code})`;
    const group = byKey.get(title) ?? { title, failures: [] };
    group.failures.push(failure);
    byKey.set(title, group);
  }
  const rank = (group: Group) => (FAILURE_STATUSES as readonly string[]).indexOf(group.failures[0].status);
  return [...byKey.values()].sort((a, b) => rank(a) - rank(b) || b.failures.length - a.failures.length);
}

function cells(f: Failure): string[] {
  return [f.time, f.experimentId, f.attempts === null ? '' : String(f.attempts), progressText(f.progress), f.message];
}

/** `42.0% step=84 loss=2.31 at 2026-01-01T00:00:00.000Z`; empty when none was recorded. */
export function progressText(progress: LastProgress | null): string {
  if (progress === null) return '';
  const details = Object.entries(progress.details).map(([key, value]) => ` ${key}=${String(value)}`).join('');
  return `${(progress.fraction * 100).toFixed(1)}%${details}${progress.at === null ? '' : ` at ${progress.at}`}`;
}

/** A Markdown table cell: one line (line breaks become ` | `, as in the ledger), and a `|` escaped so it does not split the cell. */
function markdownCell(text: string): string {
  return text.replace(/\r?\n/g, ' | ').replace(/\|/g, '\\|');
}
