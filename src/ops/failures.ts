/**
 * The failures report: failed runs grouped by stage and error class, with their messages and
 * attempts, as Markdown. Sources: the ledger's failed run rows, plus failed result folders
 * that the ledger does not know (runs from before the ledger existed).
 */
import { ErrorCode } from '../errors';
import type { LedgerRow } from './ledger';
import type { ResultFolder } from './result-folders';

/** One failed run. */
export interface Failure {
  time: string;
  experimentId: string;
  stage: string;
  code: string;
  message: string;
  /** Attempts of the failed stage, when recorded. */
  attempts: number | null;
}

const CLASS_OF_CODE: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ErrorCode).map(([key, code]) => [code, { config: 'ConfigError', input: 'InputError', resource: 'ResourceError', stage: 'StageError', cancelled: 'Cancelled' }[key] ?? code]),
);

/** Failures from the ledger and from failed result folders missing from it. */
export function collectFailures(rows: readonly LedgerRow[], folders: readonly ResultFolder[]): Failure[] {
  const failures = rows.filter((row) => row.event === 'run' && row.status === 'failed').map(fromLedgerRow);
  const known = new Set(failures.map((f) => `${f.experimentId}@${f.time}`));
  for (const { record } of folders) {
    if (record.status !== 'failed' || known.has(`${record.experiment_id}@${record.updated_at}`)) continue;
    const stage = record.stages.find((s) => s.error);
    failures.push({
      time: record.updated_at,
      experimentId: record.experiment_id,
      stage: record.error?.stage ?? stage?.name ?? '(none)',
      code: record.error?.code ?? stage?.error?.code ?? '(unknown)',
      message: record.error?.message ?? stage?.error?.message ?? '',
      attempts: stage?.attempts ?? null,
    });
  }
  return failures.sort((a, b) => (a.time < b.time ? 1 : -1));
}

function fromLedgerRow(row: LedgerRow): Failure {
  let attempts: number | null = null;
  try {
    const stages = JSON.parse(row.stages) as Record<string, { attempts?: number }>;
    attempts = stages[row.error_stage]?.attempts ?? null;
  } catch {
    // A hand-edited stages cell: attempts stay unknown.
  }
  return { time: row.time, experimentId: row.experiment_id, stage: row.error_stage || '(none)', code: row.error_code || '(unknown)', message: row.error_message, attempts };
}

/** The Markdown report; `sources` names where the failures were read from. */
export function failuresMarkdown(failures: readonly Failure[], sources: string, now: Date): string {
  const experiments = new Set(failures.map((f) => f.experimentId)).size;
  const lines = ['# Failed runs', '', `Generated ${now.toISOString()} from ${sources}: ${failures.length} failed run(s) of ${experiments} experiment(s).`];
  const groups = new Map<string, Failure[]>();
  for (const failure of failures) {
    const key = `${failure.stage} — ${CLASS_OF_CODE[failure.code] ?? failure.code} (${failure.code})`;
    groups.set(key, [...(groups.get(key) ?? []), failure]);
  }
  for (const [key, group] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    lines.push('', `## ${key}: ${group.length} run(s)`, '', '| time | experiment | attempts | message |', '|---|---|---|---|');
    for (const f of group) lines.push(`| ${f.time} | ${f.experimentId} | ${f.attempts ?? ''} | ${cell(f.message)} |`);
  }
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}
