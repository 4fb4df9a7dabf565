/**
 * Display formatting shared by the single-experiment and comparison reports: every number the
 * reports show goes through one of these, and a missing value is a `Cell` that says why.
 */

/** The text shown for a missing value (its `title` says why it is missing). */
export const MISSING = '—';

/** One table cell: display text, an optional tooltip and CSS classes. */
export interface Cell {
  text: string;
  /** Tooltip; for a missing value, the reason it is missing. */
  title: string | null;
  /** Space-separated CSS classes (`num`, `missing`, `good`, `diff`, ...). */
  cls: string;
}

/** A table rendered by the `table` partial. */
export interface Table {
  headers: Cell[];
  rows: Array<{ cells: Cell[]; cls: string }>;
  /** Shown instead of an empty table (when `rows` is empty). */
  empty: string;
  hasRows: boolean;
  /** False for key/value tables, which have no header row. */
  hasHeaders: boolean;
  /** CSS class of the table (`kv` for key/value tables). */
  cls: string;
}

/** A text cell. */
export function text(value: string, cls = '', title: string | null = null): Cell {
  return { text: value, title, cls };
}

/** The missing-value cell, with the reason as its tooltip. */
export function missing(why: string, cls = ''): Cell {
  return { text: MISSING, title: why, cls: `missing ${cls}`.trim() };
}

/** A numeric cell with `digits` decimals, or the missing cell when `value` is null. */
export function fixed(value: number | null | undefined, digits: number, why: string, cls = ''): Cell {
  if (value === null || value === undefined || !Number.isFinite(value)) return missing(why, `num ${cls}`);
  return { text: value.toFixed(digits), title: null, cls: `num ${cls}`.trim() };
}

/** An AUROC: 3 decimals. */
export function auroc(value: number | null | undefined, why: string, cls = ''): Cell {
  return fixed(value, 3, why, cls);
}

/** A p-value: 3 decimals, or one significant digit in exponent form below 0.001 (`1.0e-4`). */
export function pValue(value: number | null | undefined, why: string, cls = ''): Cell {
  if (value === null || value === undefined || !Number.isFinite(value)) return missing(why, `num ${cls}`);
  return { text: formatP(value), title: null, cls: `num ${cls}`.trim() };
}

/** The text of a p-value (see `pValue`). */
export function formatP(value: number): string {
  return value !== 0 && value < 1e-3 ? value.toExponential(1) : value.toFixed(3);
}

/** An integer count with thousands separators. */
export function count(value: number | null | undefined, why: string, cls = ''): Cell {
  if (value === null || value === undefined || !Number.isFinite(value)) return missing(why, `num ${cls}`);
  return { text: formatCount(value), title: null, cls: `num ${cls}`.trim() };
}

/** `12345` as `12,345` (no locale dependence). */
export function formatCount(value: number): string {
  const [whole, fraction] = String(value).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${fraction}`;
}

/** A generic value for key/value tables: numbers keep up to 6 significant digits. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'number') return Number.isInteger(value) ? formatCount(value) : String(Number(value.toPrecision(6)));
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A cell for any JSON value; `undefined` and `null` give the missing cell. */
export function valueCell(value: unknown, why: string, cls = ''): Cell {
  if (value === null || value === undefined) return missing(why, cls);
  return text(formatValue(value), typeof value === 'number' ? `num ${cls}`.trim() : cls);
}

/** A yes/no cell: yes in green; no in red when `noIsBad`, else plain. */
export function yesNo(value: boolean | null | undefined, why: string, noIsBad = true): Cell {
  if (value === null || value === undefined) return missing(why);
  return text(value ? 'yes' : 'no', value ? 'good' : noIsBad ? 'bad' : '');
}

/** Seconds as `0.42 s`, `85.3 s`, `12 min 05 s`, `2 h 03 min`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 0.01) return '< 0.01 s';
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  if (total < 3600) return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, '0')} s`;
  return `${Math.floor(total / 3600)} h ${String(Math.floor((total % 3600) / 60)).padStart(2, '0')} min`;
}

/** An ISO timestamp as `2026-01-02 13:04:05 UTC` (always UTC, so the report does not depend on where it is read). */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A table; `empty` is the sentence shown when there are no rows. */
export function table(headers: Array<string | Cell>, rows: Array<Cell[] | { cells: Cell[]; cls: string }>, empty: string): Table {
  const normalised = rows.map((row) => (Array.isArray(row) ? { cells: row, cls: '' } : row));
  const cells = headers.map((h) => (typeof h === 'string' ? text(h) : h));
  return { headers: cells, rows: normalised, empty, hasRows: normalised.length > 0, hasHeaders: cells.some((h) => h.text !== ''), cls: '' };
}

/** A two-column key/value table. */
export function keyValueTable(entries: Array<[string, Cell]>, empty = 'Nothing to show.'): Table {
  return { ...table(['', ''], entries.map(([key, cell]) => [text(key, 'key'), cell]), empty), cls: 'kv' };
}

/** HTML escaping for mustache's double braces: the five characters that matter in text and attributes. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
