/**
 * Checkpoints of long stages, kept beside the store under
 * `<root>/.checkpoints/<stage>/<key>/current/`: a directory the stage fills plus `meta.json`.
 * Replaced atomically (write a fresh directory, then rename), so a crash leaves either the
 * previous checkpoint or the new one.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointStore } from './stage';

const META = 'meta.json';

/** The checkpoint store of one (stage, key). */
export function checkpointStore(storeRoot: string, stage: string, key: string): CheckpointStore {
  const base = join(storeRoot, '.checkpoints', stage, key);
  const current = join(base, 'current');
  return {
    async load<T>() {
      // A crash between the two renames of `save` leaves only the `old-*` directory.
      const candidates = [current, ...(await listOld(base))];
      for (const dir of candidates) {
        try {
          return { meta: JSON.parse(await readFile(join(dir, META), 'utf8')) as T, dir };
        } catch {
          // not a complete checkpoint; try the next one
        }
      }
      return null;
    },
    async save<T>(meta: T, write: (dir: string) => Promise<void>) {
      const fresh = join(base, `next-${process.pid}-${Date.now()}`);
      await mkdir(fresh, { recursive: true });
      await write(fresh);
      // meta.json is written last: a directory without it is never loaded.
      await writeFile(join(fresh, META), JSON.stringify(meta));
      const previous = join(base, `old-${process.pid}-${Date.now()}`);
      if (existsSync(current)) await rename(current, previous);
      await rename(fresh, current);
      await rm(previous, { recursive: true, force: true });
    },
  };
}

/** Removes a stage's checkpoints once its artifact is published. */
export async function clearCheckpoints(storeRoot: string, stage: string, key: string): Promise<void> {
  await rm(join(storeRoot, '.checkpoints', stage, key), { recursive: true, force: true });
}

async function listOld(base: string): Promise<string[]> {
  try {
    const names = await readdir(base);
    return names.filter((name) => name.startsWith('old-')).sort().reverse().map((name) => join(base, name));
  } catch {
    return [];
  }
}
