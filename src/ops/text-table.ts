/**
 * Plain-text tables for terminal output: left-aligned columns separated by two spaces.
 */

/** Formats `rows` under `header`, padding every column to its widest cell. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [header, ...rows]
    .map((row) => row.map((cell, i) => (cell ?? '').padEnd(widths[i])).join('  ').trimEnd())
    .join('\n');
}
