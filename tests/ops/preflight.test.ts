import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/artifacts/artifact-store';
import { parseConfig } from '../../src/config/load';
import { hostname } from 'node:os';
import { estimateStage } from '../../src/ops/estimates';
import { runPreflight, type PreflightProbe, preflightFailure } from '../../src/ops/preflight';
import { stageDeclaration } from '../../src/pipeline/dag';
import type { StagePlan } from '../../src/pipeline/plan';

const config = parseConfig({ graph: { n: 50, K: 2 }, training: { w: 8, walk_length: 16, corpus_size: 5000, r: 5 } }).config;
const GiB = 2 ** 30;

function plan(name: 'graph' | 'walks', decision: 'hit' | 'miss' | 'pending'): StagePlan {
  return { stage: stageDeclaration(name), decision, reasons: [], key: null, keyInputs: null, manifest: null };
}

function probe(patch: Partial<PreflightProbe> = {}): PreflightProbe {
  return { freeBytes: async () => 100 * GiB, availableMemoryBytes: () => 16 * GiB, writeProblem: async () => null, ...patch };
}

function manifest(stage: string, slice: unknown, bytes: number, seconds: number, host = hostname()): Manifest {
  return {
    schema: 1,
    stage,
    key: 'k',
    digest: 'd',
    keyInputs: { stage, version: 1, code: { files: {}, packages: {} }, config: slice, upstream: {}, runtime: {} },
    files: [{ name: 'f', sha256: 's', size: bytes }],
    summary: null,
    experimentId: 'e',
    timings: { startedAt: '', finishedAt: '', seconds },
    producer: { host, pid: 1, packageVersion: '0', gitCommit: 'x' },
  };
}

const store = (manifests: Manifest[] = []) => ({ root: '/store', list: async (stage?: string) => manifests.filter((m) => m.stage === stage) });
const input = (plans: StagePlan[], manifests: Manifest[] = []) => ({ config, plans, store: store(manifests), resultsRoot: '/results' });

describe('pre-flight checks', () => {
  it('pass on a machine with room, and skip the duration without a calibration', async () => {
    const report = await runPreflight(input([plan('graph', 'miss'), plan('walks', 'pending')]), probe());
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'duration')).toMatchObject({ outcome: 'skipped', message: expect.stringMatching(/no calibration for graph, walks/) });
  });

  it('EXPECTED FAILURE - the disk check fails when the estimate exceeds the free space, naming both', async () => {
    const report = await runPreflight(input([plan('graph', 'miss'), plan('walks', 'pending')]), probe({ freeBytes: async () => 100 * 1024 }));
    expect(report.ok).toBe(false);
    const disk = report.checks.find((c) => c.name === 'disk')!;
    expect(disk.outcome).toBe('failed');
    expect(disk.message).toMatch(/the stages to compute need about [\d.]+ KiB in \/store \[graph [\d.]+ KiB \(formula\), walks [\d.]+ KiB \(formula\)\], but only 100\.0 KiB is free on that filesystem/);
    expect(preflightFailure(report)).toMatch(/^pre-flight check failed, nothing was run \(skip with --skip-preflight\):\n {2}disk: /);
  });

  it('counts only the stages that will be computed: all hits need no disk', async () => {
    const report = await runPreflight(input([plan('graph', 'hit'), plan('walks', 'hit')]), probe({ freeBytes: async () => 0 }));
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'disk')!.message).toMatch(/every stage is a cache hit/);
  });

  it('EXPECTED FAILURE - the memory check names the largest stage, its estimate and what is available', async () => {
    const report = await runPreflight(input([plan('graph', 'hit'), plan('walks', 'miss')]), probe({ availableMemoryBytes: () => 64 * 2 ** 20 }));
    expect(report.checks.find((c) => c.name === 'memory')).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/^stage walks needs about 129\.0 MiB .*, but only 64\.0 MiB is available$/),
    });
  });

  it('EXPECTED FAILURE - an unwritable results folder fails its check with the reason', async () => {
    const report = await runPreflight(input([plan('graph', 'miss')]), probe({ writeProblem: async (p) => (p === '/results' ? '/: EACCES' : null) }));
    expect(report.checks.find((c) => c.name === 'results folder')).toMatchObject({ outcome: 'failed', message: '/results is not writable: /: EACCES' });
    expect(report.checks.find((c) => c.name === 'store folder')!.outcome).toBe('ok');
  });

  it('calibrates bytes and seconds from earlier artifacts of this host', async () => {
    // An earlier walks artifact of 1,000,000 tokens took 2 MB and 1 s; this config has 88,880 tokens.
    const earlier = manifest('walks', { training: { walk_length: 100, corpus_size: 9000 } }, 2_000_000, 1);
    const estimate = estimateStage('walks', config, [earlier]);
    expect(estimate.bytesSource).toBe('calibrated');
    expect(estimate.bytes).toBe(Math.ceil(((5000 + 555) * 16 * 2_000_000) / 1_000_000 * 1.25));
    expect(estimate.seconds).toBeCloseTo(((5000 + 555) * 16) / 1_000_000, 6);
    const foreign = estimateStage('walks', config, [manifest('walks', { training: { walk_length: 100, corpus_size: 9000 } }, 2_000_000, 1, 'elsewhere')]);
    expect(foreign.seconds).toBeNull();
  });
});
