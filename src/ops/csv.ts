/**
 * One CSV record per physical line (RFC 4180 quoting, no embedded line breaks), so a ledger
 * can be read with `tail`, `grep` and `wc -l`, and a torn last line is easy to detect.
 */

/** Encodes one record. Line breaks inside a field become ` | ` (see docs/operations-local.md). */
export function encodeCsvLine(fields: readonly string[]): string {
  return fields.map(encodeField).join(',');
}

function encodeField(value: string): string {
  const flat = value.replace(/\r\n|\r|\n/g, ' | ');
  return /[",]/.test(flat) || flat !== flat.trim() ? `"${flat.replace(/"/g, '""')}"` : flat;
}

/** Decodes one line into its fields; null when a quoted field is not closed (a torn line). */
export function parseCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      fields.push(value);
      if (i < line.length && line[i] !== ',') return null;
    } else {
      const end = line.indexOf(',', i);
      fields.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length : end;
    }
    if (i >= line.length) return fields;
    i++; // the comma
  }
}
