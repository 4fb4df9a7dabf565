/**
 * Small-file atomic writes: write a sibling temporary file, fsync, rename. Readers see the
 * old or the new content, never a torn file.
 */
import { mkdirSync, openSync, closeSync, fsyncSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Atomically replaces `path` with `text`. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
