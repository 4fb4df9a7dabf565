/**
 * A hard link where the filesystem allows one, else a copy: results folders and checkpoints
 * share the store's files without costing disk, and still work across filesystems (or on one
 * without hard links). An error that is not about linking surfaces from the copy.
 */
import { copyFile, link } from 'node:fs/promises';

/** `to` as a hard link of `from`, or a copy of it where linking fails. */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}
