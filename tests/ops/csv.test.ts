import { describe, expect, it } from 'vitest';
import { encodeCsvLine, parseCsvLine } from '../../src/ops/csv';

describe('csv lines', () => {
  it('round-trips commas, quotes and empty fields', () => {
    const fields = ['plain', 'a,b', 'say "hi"', '', '{"graph":{"s":1}}', ' padded '];
    expect(parseCsvLine(encodeCsvLine(fields))).toEqual(fields);
  });

  it('keeps one record on one line by flattening line breaks to " | "', () => {
    const line = encodeCsvLine(['first\nsecond', 'x']);
    expect(line).not.toMatch(/\n/);
    expect(parseCsvLine(line)).toEqual(['first | second', 'x']);
  });

  it('returns null for a torn line whose quoted field is not closed', () => {
    expect(parseCsvLine('a,"unterminated')).toBeNull();
  });
});
