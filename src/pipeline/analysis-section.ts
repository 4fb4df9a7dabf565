/**
 * Reads the analyse artifact's `analysis.json` into result.json's `analysis` section, for both
 * runners (the section is too large for a stage summary, which crosses Temporal's boundary).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../artifacts/artifact-store';
import { ANALYSIS_FILE, analysisSectionSchema, type AnalysisSection } from '../analysis/analysis-schema';

/** The section of the published analyse artifact, or null when there is none. */
export async function readAnalysisSection(published: ReadonlyMap<string, Manifest>, storeDirOf: (m: Manifest) => string): Promise<AnalysisSection | null> {
  const manifest = published.get('analyse');
  if (manifest === undefined || !manifest.files.some((file) => file.name === ANALYSIS_FILE)) return null;
  const path = join(storeDirOf(manifest), ANALYSIS_FILE);
  const parsed = analysisSectionSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} does not match the analysis schema at ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  return parsed.data;
}
