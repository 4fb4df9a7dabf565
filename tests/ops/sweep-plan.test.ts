import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../src/artifacts/artifact-store-impl';
import { expandSweep } from '../../src/ops/sweep-expand';
import { loadSweep } from '../../src/ops/sweep-load';
import { formatFate, planSweep, tallySweep } from '../../src/ops/sweep-plan';
import { FingerprintCache } from '../../src/pipeline/plan';
import { STAGE_IMPLEMENTATIONS } from '../../src/stages/index';
import { ROOT } from './fixtures/results';

describe('sweep dry-run plan', () => {
  it('a 2x2 grid (walk_length x p_in) x 2 seeds on an empty store computes 4 graphs and shares each with one point', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcsbm-sweep-plan-'));
    const path = join(dir, 'sweep.json');
    writeFileSync(path, JSON.stringify({ base: join(ROOT, 'configs/tiny.json'), grid: { 'training.walk_length': [16, 24], 'graph.p_in': [0.4, 0.5] }, seeds: [1, 2] }));
    const store = await FileArtifactStore.open(join(dir, 'store'));
    const plans = await planSweep(expandSweep(loadSweep(path)), store, STAGE_IMPLEMENTATIONS, new FingerprintCache(ROOT));
    // The graph's key does not depend on walk_length: points 5-8 reuse the graphs of points 1-4.
    expect(plans.map((p) => formatFate(p.stages.get('graph')!))).toEqual(['compute', 'compute', 'compute', 'compute', 'shared #1', 'shared #2', 'shared #3', 'shared #4']);
    expect(plans.every((p) => p.stages.get('walks')!.kind === 'compute')).toBe(true);
    expect(tallySweep(plans)).toEqual([
      { stage: 'graph', runs: 8, hits: 0, compute: 4, shared: 4 },
      { stage: 'walks', runs: 8, hits: 0, compute: 8, shared: 0 },
      { stage: 'train', runs: 8, hits: 0, compute: 8, shared: 0 },
      { stage: 'evaluate', runs: 8, hits: 0, compute: 8, shared: 0 },
      { stage: 'analyse', runs: 8, hits: 0, compute: 8, shared: 0 },
      { stage: 'figures', runs: 8, hits: 0, compute: 8, shared: 0 },
    ]);
  });
});
