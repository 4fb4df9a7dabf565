/**
 * Puts the user-facing files of each artifact into `results/<experiment-id>/`: hard links
 * to the content-addressed files (copies when the results folder is on another filesystem),
 * so a results folder is complete on its own and costs no extra disk.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../artifacts/artifact-store';
import { linkOrCopy } from '../artifacts/link-or-copy';

/** Files of an artifact that belong in the results folder. */
const PUBLISHED_EXTENSIONS = ['.parquet', '.svg', '.png', '.html'];

/** Links the publishable files of every manifest into `resultDir`; returns name -> source path. */
export async function linkOutputs(published: ReadonlyMap<string, Manifest>, resultDir: string, storeDirOf: (m: Manifest) => string): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  for (const manifest of published.values()) {
    for (const file of manifest.files) {
      if (!PUBLISHED_EXTENSIONS.some((ext) => file.name.endsWith(ext))) continue;
      const source = join(storeDirOf(manifest), file.name);
      const target = join(resultDir, file.name);
      await mkdir(join(target, '..'), { recursive: true });
      await rm(target, { force: true });
      await linkOrCopy(source, target);
      outputs[file.name] = source;
    }
  }
  return outputs;
}
