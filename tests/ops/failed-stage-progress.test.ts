/**
 * A failed stage's last progress, end to end: the runner keeps it in result.json, the ledger
 * row carries it in its stages cell, and the failures report shows it (from the ledger, so it
 * survives archiving the result folder).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { collectFailures } from '../../src/ops/failures';
import { progressText } from '../../src/ops/failures-report';
import { readLedger } from '../../src/ops/ledger';
import { recordFinishedRun } from '../../src/ops/record-run';
import { resultSchema } from '../../src/pipeline/result-schema';
import type { StageImplementation } from '../../src/pipeline/stage';
import { STAGE_IMPLEMENTATIONS } from '../../src/stages/index';
import { tinyConfig, workspace } from '../pipeline/helpers';

describe('the last progress of a failed stage', () => {
  it('stays in result.json, reaches the ledger and the failures report', async () => {
    const ws = await workspace();
    const walks = STAGE_IMPLEMENTATIONS.get('walks')!;
    const failing: StageImplementation<never> = {
      ...walks,
      async run(context) {
        context.progress(0.4, { walk: 2000 });
        throw new InputError('walk 2001 has no successor');
      },
    };
    const outcome = await ws.run(tinyConfig(), { implementations: new Map(STAGE_IMPLEMENTATIONS).set('walks', failing) });
    expect(outcome.status).toBe('failed');
    const saved = resultSchema.parse(JSON.parse(readFileSync(join(outcome.resultDir, 'result.json'), 'utf8')));
    const expected = { fraction: 0.4, eta_seconds: null, details: { walk: 2000 }, at: expect.any(String) };
    expect(saved.stages.map((s) => s.progress)).toEqual([null, expected]);

    expect(await recordFinishedRun(ws.resultsRoot, outcome.result)).toBeNull();
    const { rows } = await readLedger(join(ws.resultsRoot, 'ledger.csv'));
    const [failure] = collectFailures(rows, []);
    expect(failure).toMatchObject({ status: 'failed', stage: 'walks', code: 'INPUT_ERROR', attempts: 1 });
    expect(progressText(failure.progress)).toMatch(/^40\.0% walk=2000 at \d{4}-\d\d-\d\dT/);
  });
});
