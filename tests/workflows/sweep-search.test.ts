/**
 * Searches on Temporal: the sweep workflow runs a sweep's fixed list of points as child
 * experiments, so a random search (its sampled trials) is submitted like a grid, stopping each
 * child after the objective's stage; a halving search, whose rungs depend on the results of the
 * rung before, is refused by the client before it connects (it runs locally: npm run sweep).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandDefinition } from '../../src/ops/search-trials';
import { readSweepDefinition } from '../../src/ops/sweep-load';
import { stagesUpTo } from '../../src/pipeline/dag';
import { PROJECT_ROOT } from '../pipeline/helpers';

/** A port nothing listens on. */
const NO_SERVER = '127.0.0.1:1';

function client(args: string[]) {
  return spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['src/client.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: NO_SERVER },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('searches submitted to the sweep workflow', () => {
  it('a random search is a fixed list of sampled trials whose children stop after the objective stage', () => {
    const source = join(PROJECT_ROOT, 'configs/searches/tiny-random.json');
    const definition = readSweepDefinition(source);
    const points = expandDefinition(definition, source);
    expect(points).toHaveLength(6);
    expect(new Set(points.map((p) => p.experimentId)).size).toBe(6);
    expect(definition.until).toBe('train');
    expect(stagesUpTo(definition.until).map((stage) => stage.name)).toEqual(['graph', 'walks', 'train']);
  });

  it('a valid random search passes validation and only then needs the server (exit 1, not 2)', () => {
    const result = client(['sweep', 'configs/searches/tiny-random.json']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the Temporal server/);
  });

  it('EXPECTED FAILURE - a halving search is refused before connecting, saying it runs locally', () => {
    const result = client(['sweep', 'configs/searches/tiny-halving.json']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/strategy "halving" runs locally only \(npm run sweep -- configs\/searches\/tiny-halving\.json\)/);
    expect(result.stderr).not.toMatch(/Temporal server/);
  });

  it('EXPECTED FAILURE - an invalid random search exits 2 naming the field, before connecting', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dcsbm-search-submit-')), 'search.json');
    writeFileSync(path, JSON.stringify({ base: join(PROJECT_ROOT, 'configs/tiny.json'), strategy: 'random', n_trials: 2, search_seed: 1, space: { 'model.d_model': { choice: [] } }, objective: { path: 'stages.train.summary.final_loss', direction: 'minimize' } }));
    const result = client(['sweep', path]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/space\.model\.d_model: \{"choice":\[\]\} — choice needs a non-empty list of values/);
  });
});
