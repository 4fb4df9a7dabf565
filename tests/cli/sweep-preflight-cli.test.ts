/**
 * `npm run sweep` runs one pre-flight for the whole grid before any point starts; a failed
 * check stops the sweep with the failed checks named (exit 1) and nothing is computed.
 * The checks' arithmetic is tested in tests/ops/sweep-preflight.test.ts.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../src/artifacts/artifact-store-impl';
import { ResourceError } from '../../src/errors';
import { preflightSweep } from '../../src/ops/sweep-preflight';
import { FingerprintCache } from '../../src/pipeline/plan';
import { STAGE_IMPLEMENTATIONS } from '../../src/stages/index';
import { cli, ROOT, sandbox } from '../ops/fixtures/results';
import { tinyConfig } from '../pipeline/helpers';

describe('sweep pre-flight', () => {
  it('EXPECTED FAILURE - a failed check stops the sweep before any point starts, naming the check (exit 1)', () => {
    const box = sandbox();
    const sweep = join(box.dir, 'seeds.json');
    writeFileSync(sweep, JSON.stringify({ base: join(ROOT, 'configs', 'tiny.json'), seeds: [1, 2] }));
    // A results folder below a regular file cannot be created.
    const blocker = join(box.dir, 'not-a-folder');
    writeFileSync(blocker, '');
    const out = cli('sweep', [sweep], { ...box, env: { ...box.env, DCSBM_RESULTS: join(blocker, 'results') } });
    expect(out.code, out.stderr).toBe(1);
    expect(out.stdout).toMatch(/^Sweep pre-flight results folder: FAILED — .*not-a-folder\/results is not writable: .*not-a-folder is not a directory$/m);
    expect(out.stdout).toMatch(/^Sweep pre-flight disk: ok — the sweep's \d+ stage run\(s\) to compute need about/m);
    expect(out.stderr).toMatch(/sweep pre-flight check failed, nothing was run \(skip with --skip-preflight\):\n\s+results folder: /);
    expect(existsSync(join(box.store, 'graph'))).toBe(false);
  });

  it('preflightSweep plans the grid against the store: points that differ only in training share graph and walks', async () => {
    const store = await FileArtifactStore.open(join(mkdtempSync(join(tmpdir(), 'dcsbm-sweep-preflight-')), 'store'));
    const points = [0.0003, 0.001].map((rate, i) => ({
      index: i + 1,
      coordinates: [{ axis: 'training.learning_rate', value: rate }],
      config: tinyConfig({ training: { learning_rate: rate } }),
      experimentId: `p${i + 1}`,
      warnings: [],
    }));
    const lines: string[] = [];
    const probe = { freeBytes: async () => 1, availableMemoryBytes: () => 2 ** 40, writeProblem: async () => null };
    const options = { points, store, implementations: STAGE_IMPLEMENTATIONS, fingerprints: new FingerprintCache(ROOT), parallel: 2, resultsRoot: '/results', write: (line: string) => lines.push(line) };
    const error = await preflightSweep(options, probe).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceError);
    expect((error as Error).message).toMatch(/^sweep pre-flight check failed, nothing was run \(skip with --skip-preflight\):\n {2}disk: .*, but only 1 B is free/);
    expect(lines.find((line) => line.startsWith('Sweep pre-flight disk:'))).toMatch(/\[graph 1 run, [\d.]+ KiB \(formula\), walks 1 run, [\d.]+ KiB \(formula\), train 2 runs, [\d.]+ KiB in all \(formula\),/);
  });
});
