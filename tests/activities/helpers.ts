/**
 * Activity test helpers: the real activities over a fresh temporary store and results
 * folder (the same wiring as the worker), and the tiny config.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileArtifactStore } from '../../src/artifacts/artifact-store-impl';
import type { ActivityDependencies } from '../../src/activities/dependencies';
import { createActivities, type Activities } from '../../src/activities/index';
import { STAGE_IMPLEMENTATIONS } from '../../src/stages/index';
import { PROJECT_ROOT } from '../pipeline/helpers';

export { tinyConfig } from '../pipeline/helpers';

export interface ActivityWorkspace {
  root: string;
  store: FileArtifactStore;
  resultsRoot: string;
  activities: Activities;
}

/** The activities over a fresh store; `overrides` replace dependencies (e.g. the progress signal sender). */
export async function activityWorkspace(overrides: Partial<ActivityDependencies> = {}): Promise<ActivityWorkspace> {
  const root = mkdtempSync(join(tmpdir(), 'dcsbm-activities-'));
  const store = await FileArtifactStore.open(join(root, 'store'));
  const resultsRoot = join(root, 'results');
  const activities = createActivities({
    store,
    projectRoot: PROJECT_ROOT,
    resultsRoot,
    implementations: STAGE_IMPLEMENTATIONS,
    threads: 2,
    heartbeat: { minIntervalMs: 0, keepAliveMs: 60_000 },
    ...overrides,
  });
  return { root, store, resultsRoot, activities };
}
