import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { appendLedgerRow, LEDGER_COLUMNS, readLedger, type LedgerRow } from '../../src/ops/ledger';
import { ROOT, TSX } from './fixtures/results';

function row(id: string, patch: Partial<LedgerRow> = {}): LedgerRow {
  return { ...(Object.fromEntries(LEDGER_COLUMNS.map((c) => [c, ''])) as LedgerRow), time: '2026-01-01T00:00:00.000Z', event: 'run', experiment_id: id, status: 'succeeded', ...patch };
}

function ledgerFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'dcsbm-ledger-')), 'results', 'ledger.csv');
}

describe('run ledger', () => {
  it('creates the file with its header once and reads rows back', async () => {
    const path = ledgerFile();
    await appendLedgerRow(path, row('a', { stages: '{"graph":{"seconds":0.1}}', error_message: 'x, "y"' }));
    await appendLedgerRow(path, row('b'));
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')[0]).toBe(LEDGER_COLUMNS.join(','));
    expect(text.match(/^time,/gm)).toHaveLength(1);
    const { rows, problems } = await readLedger(path);
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.experiment_id)).toEqual(['a', 'b']);
    expect(rows[0].stages).toBe('{"graph":{"seconds":0.1}}');
    expect(rows[0].error_message).toBe('x, "y"');
  });

  it('skips a torn last line with a warning and starts the next row on a new line', async () => {
    const path = ledgerFile();
    await appendLedgerRow(path, row('a'));
    appendFileSync(path, '2026-01-01,run,"torn');
    await appendLedgerRow(path, row('b'));
    const { rows, problems } = await readLedger(path);
    expect(rows.map((r) => r.experiment_id)).toEqual(['a', 'b']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/ledger\.csv:3: skipped a line/);
  });

  it('EXPECTED FAILURE - refuses to append to a file with another header, naming the file', async () => {
    const path = ledgerFile();
    await appendLedgerRow(path, row('a'));
    writeFileSync(path, 'time,something_else\n');
    const error = await appendLedgerRow(path, row('b')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/ledger\.csv: header is not the ledger header of this version and cannot be upgraded \(unknown column\(s\) "something_else"\)/);
    expect(readFileSync(path, 'utf8')).toBe('time,something_else\n');
  });

  it('reads a ledger written before best_horizon_by_primary_metric existed, and upgrades it on the next append', async () => {
    const path = ledgerFile();
    const oldColumns = LEDGER_COLUMNS.filter((c) => c !== 'best_horizon_by_primary_metric');
    const oldRow = oldColumns.map((c) => ({ time: '2025-12-31T00:00:00.000Z', event: 'run', experiment_id: 'old', status: 'succeeded', best_horizon: '3', gate_passed: 'true', note: 'x, y' })[c as string] ?? '');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${oldColumns.join(',')}\n${oldRow.map((v) => (v.includes(',') ? `"${v}"` : v)).join(',')}\n2026-01-01,run,"torn`);
    const before = await readLedger(path);
    expect(before.rows).toHaveLength(1);
    expect(before.rows[0]).toMatchObject({ experiment_id: 'old', best_horizon: '3', best_horizon_by_primary_metric: '', gate_passed: 'true', note: 'x, y' });

    await appendLedgerRow(path, row('new', { best_horizon: '4', best_horizon_by_primary_metric: '{"qkt.stable_rank":4}' }));
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')[0]).toBe(LEDGER_COLUMNS.join(','));
    const after = await readLedger(path);
    expect(after.rows.map((r) => [r.experiment_id, r.best_horizon, r.best_horizon_by_primary_metric, r.note])).toEqual([
      ['old', '3', '', 'x, y'],
      ['new', '4', '{"qkt.stable_rank":4}', ''],
    ]);
    // The torn line is kept as it was, so it is still reported, not silently dropped.
    expect(after.problems).toHaveLength(1);
    expect(after.problems[0]).toMatch(/ledger\.csv:3: skipped a line/);
  });

  it('a missing ledger reads as empty', async () => {
    expect(await readLedger(ledgerFile())).toEqual({ rows: [], problems: [] });
  });

  it('loses no row and writes one header under 4 concurrent writer processes', async () => {
    const path = ledgerFile();
    const writers = ['p1', 'p2', 'p3', 'p4'].map(
      (label) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, [...TSX, join(ROOT, 'tests/ops/fixtures/append-ledger.ts'), path, '25', label], { stdio: 'inherit' });
          child.on('exit', (code) => resolve(code));
        }),
    );
    expect(await Promise.all(writers)).toEqual([0, 0, 0, 0]);
    const { rows, problems } = await readLedger(path);
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.experiment_id)).size).toBe(100);
    expect(rows.every((r) => r.error_message === 'a, "quoted" | message')).toBe(true);
    expect(readFileSync(path, 'utf8').match(/^time,/gm)).toHaveLength(1);
    for (const label of ['p1', 'p2', 'p3', 'p4']) {
      const own = rows.filter((r) => r.experiment_id.startsWith(`${label}-`)).map((r) => Number(r.experiment_id.split('-')[1]));
      expect(own).toEqual([...own].sort((a, b) => a - b));
    }
  });
});
