import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FingerprintCache, planExperiment } from '../../src/pipeline/plan';
import { STAGE_IMPLEMENTATIONS } from '../../src/stages/index';
import { PROJECT_ROOT, tinyConfig, workspace } from './helpers';

describe('planExperiment', () => {
  it('verifies cached artifacts by default and skips the checksum only when asked', async () => {
    const ws = await workspace();
    const first = await ws.run(tinyConfig());
    const file = join(first.result.stages[1].artifact_dir!, 'walks_eval.parquet');
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(file, bytes);
    const plan = (verifyHits?: boolean) =>
      planExperiment(tinyConfig(), ws.store, STAGE_IMPLEMENTATIONS, new FingerprintCache(PROJECT_ROOT), { until: 'walks', verifyHits });
    const verified = await plan();
    expect(verified.map((p) => p.decision)).toEqual(['hit', 'miss']);
    expect(verified[1].reasons.join('\n')).toMatch(/corrupt.*walks_eval\.parquet/);
    expect((await plan(false)).map((p) => p.decision)).toEqual(['hit', 'hit']);
  });
});
