/**
 * The row every benchmark returns, and the table `npm run bench` prints.
 */

/** One measured quantity, with the target it is held to when there is one. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** For example '<= 60' or '>= 100'; compared with `value` in the printed table. */
  target?: string;
}

/** Whether `value` meets a target written as '<= x' or '>= x'. */
export function meetsTarget(value: number, target: string): boolean {
  const match = /^(<=|>=)\s*([\d.e+-]+)$/.exec(target.trim());
  if (match === null) throw new RangeError(`bench target '${target}' is not of the form '<= x' or '>= x'`);
  const bound = Number(match[2]);
  return match[1] === '<=' ? value <= bound : value >= bound;
}

function formatValue(row: BenchRow): string {
  if (Math.abs(row.value) >= 1000) return Math.round(row.value).toLocaleString('en-US');
  return row.value.toFixed(row.unit === 'ratio' ? 4 : 2);
}

/** A fixed-width table: name, value, unit, target and whether it is met. */
export function formatTable(rows: readonly BenchRow[]): string {
  const width = Math.max(...rows.map((r) => r.name.length), 'measure'.length);
  const header = `${'measure'.padEnd(width)}  ${'value'.padStart(12)} ${'unit'.padEnd(9)} target`;
  const lines = rows.map((row) => {
    const verdict = row.target === undefined ? '' : `${row.target} ${meetsTarget(row.value, row.target) ? 'ok' : 'MISSED'}`;
    return `${row.name.padEnd(width)}  ${formatValue(row).padStart(12)} ${row.unit.padEnd(9)} ${verdict}`;
  });
  return [header, '-'.repeat(header.length + 8), ...lines].join('\n');
}
