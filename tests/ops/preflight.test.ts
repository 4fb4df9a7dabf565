import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/artifacts/artifact-store';
import { parseConfig } from '../../src/config/load';
import { hostname } from 'node:os';
import type { SessionIdentity } from '../../src/onnx/session';
import { estimateStage } from '../../src/ops/estimates';
import { walksBytes } from '../../src/ops/estimates-size';
import { walksSeconds } from '../../src/ops/estimates-time';
import { walksWork } from '../../src/ops/estimates-workload';
import { runPreflight, type PreflightCheck, type PreflightProbe, type PreflightReport, preflightFailure } from '../../src/ops/preflight';
import { stageDeclaration, type StageName } from '../../src/pipeline/dag';
import type { StagePlan } from '../../src/pipeline/plan';

const config = parseConfig({ graph: { n: 50, K: 2 }, training: { w: 8, walk_length: 16, corpus_size: 5000, r: 5 } }).config;
const GiB = 2 ** 30;
const NO_CUDA = 'CUDA execution provider unavailable: its libraries are not installed in /ort/bin';

function plan(name: StageName, decision: 'hit' | 'miss' | 'pending'): StagePlan {
  return { stage: stageDeclaration(name), decision, reasons: [], key: null, keyInputs: null, manifest: null };
}

/** A roomy machine without CUDA: every device resolves to the CPU provider. */
function probe(patch: Partial<PreflightProbe> = {}): PreflightProbe {
  const executionProvider = async (device: string): Promise<SessionIdentity> => ({ provider: 'cpu', fallbackReason: device === 'cpu' ? null : NO_CUDA, threads: 1 });
  return { freeBytes: async () => 100 * GiB, availableMemoryBytes: () => 16 * GiB, writeProblem: async () => null, executionProvider, ...patch };
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
const input = (plans: StagePlan[], manifests: Manifest[] = [], device: 'auto' | 'cpu' | 'cuda' = 'auto') => ({
  config: { ...config, runtime: { ...config.runtime, device } },
  plans,
  store: store(manifests),
  resultsRoot: '/results',
});
const check = (report: PreflightReport, name: PreflightCheck['name']) => report.checks.find((c) => c.name === name)!;
const ALL_STAGES: StageName[] = ['graph', 'walks', 'train', 'evaluate', 'analyse', 'figures'];

describe('pre-flight checks', () => {
  it('pass on a machine with room, with a duration from the benchmark model when the store has no history', async () => {
    const report = await runPreflight(input([plan('graph', 'miss'), plan('walks', 'pending')]), probe());
    expect(report.ok).toBe(true);
    expect(check(report, 'duration')).toMatchObject({ outcome: 'ok', message: expect.stringMatching(/^about [\d.]+s of compute \[graph [\d.]+s \(benchmark\), walks [\d.]+s \(benchmark\)\]; benchmark: /) });
  });

  it('estimate the size and duration of every stage of the pipeline, and never skip the duration for want of a calibration', async () => {
    // Only the graph has an earlier artifact on this host: its time comes from history, the others' from the benchmark model.
    const earlierGraph = manifest('graph', stageDeclaration('graph').configSlice(config), 4000, 0.1);
    const report = await runPreflight(input(ALL_STAGES.map((name) => plan(name, 'miss')), [earlierGraph]), probe());
    expect(report.estimates.map((e) => e.stage)).toEqual(ALL_STAGES);
    for (const estimate of report.estimates) expect(estimate.bytes, estimate.stage).toBeGreaterThan(0);
    expect(check(report, 'disk').message).toMatch(/\[graph \S+ KiB \(calibrated\), walks \S+ KiB \(formula\), train \S+ \S+ \(formula\), evaluate \S+ \S+ \(formula\), analyse \S+ \S+ \(formula\), figures \S+ \S+ \(formula\)\]/);
    expect(check(report, 'duration')).toMatchObject({
      outcome: 'ok',
      message: expect.stringMatching(/^about \S+ of compute \[graph \S+ \(history\), walks \S+ \(benchmark\), train \S+ \(benchmark\), evaluate \S+ \(benchmark\), analyse \S+ \(benchmark\), figures \S+ \(benchmark\)\]; history: .*; benchmark: /),
    });
  });

  it('EXPECTED FAILURE - runtime.device cuda fails the provider check on a host where CUDA cannot load, naming the field, the value and what is available', async () => {
    const report = await runPreflight(input([plan('graph', 'hit'), plan('walks', 'hit'), plan('train', 'miss')], [], 'cuda'), probe());
    expect(report.ok).toBe(false);
    expect(check(report, 'execution provider')).toMatchObject({
      outcome: 'failed',
      message: `runtime.device: 'cuda' — the CUDA execution provider cannot be loaded on this host (onnxruntime-node offers: cpu): ${NO_CUDA}; install it, or set runtime.device to 'cpu' (or 'auto', which uses CUDA only where it loads)`,
    });
    expect(preflightFailure(report)).toMatch(/\n {2}execution provider: runtime\.device: 'cuda' — /);
  });

  it("passes the provider check for 'auto' and 'cpu' (auto with the reason CUDA is not used), for cuda where it loads, and skips the probe when no model stage is computed", async () => {
    const auto = await runPreflight(input([plan('train', 'miss')], [], 'auto'), probe());
    expect(check(auto, 'execution provider')).toMatchObject({ outcome: 'ok', message: `runtime.device: 'auto' runs on cpu here (${NO_CUDA})` });
    const cpu = await runPreflight(input([plan('evaluate', 'miss')], [], 'cpu'), probe());
    expect(check(cpu, 'execution provider')).toMatchObject({ outcome: 'ok', message: "runtime.device: 'cpu' runs on cpu here" });
    const gpuHost = probe({ executionProvider: async () => ({ provider: 'cuda', fallbackReason: null, threads: 1 }) });
    expect(check(await runPreflight(input([plan('train', 'miss')], [], 'cuda'), gpuHost), 'execution provider').outcome).toBe('ok');
    const probed: string[] = [];
    const dataOnly = await runPreflight(input([plan('graph', 'miss'), plan('train', 'hit')], [], 'cuda'), probe({ executionProvider: async (d) => (probed.push(d), { provider: 'cpu', fallbackReason: NO_CUDA, threads: 1 }) }));
    expect(check(dataOnly, 'execution provider')).toMatchObject({ outcome: 'ok', message: expect.stringMatching(/^no stage to compute runs the model/) });
    expect(probed).toEqual([]);
  });

  it('EXPECTED FAILURE - the provider check fails when onnxruntime cannot create a session at all', async () => {
    const broken = probe({ executionProvider: async () => { throw new Error('onnxruntime could not create a CPU session: libonnxruntime.so.1: cannot open shared object file'); } });
    const report = await runPreflight(input([plan('train', 'miss')], [], 'cpu'), broken);
    expect(check(report, 'execution provider')).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/^runtime\.device: 'cpu' — onnxruntime-node cannot create a session on this host \(onnxruntime could not create a CPU session: .*\); reinstall its binary/) });
  });

  it('EXPECTED FAILURE - the disk check fails when the estimate exceeds the free space, naming both', async () => {
    const report = await runPreflight(input([plan('graph', 'miss'), plan('walks', 'pending')]), probe({ freeBytes: async () => 100 * 1024 }));
    expect(report.ok).toBe(false);
    const disk = report.checks.find((c) => c.name === 'disk')!;
    expect(disk.outcome).toBe('failed');
    expect(disk.message).toMatch(/^the stages to compute need about [\d.]+ KiB in \/store \[graph [\d.]+ KiB \(formula\), walks [\d.]+ KiB \(formula\)\], but only 100\.0 KiB is free on that filesystem$/);
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

  it('scales the models by what earlier artifacts really took: sizes from any host (plus 25%), times from this host only', async () => {
    // An earlier walks artifact of 1,000,000 tokens took 2 MB (plus its ~8 KiB manifest) and 1 s; this config has 88,880 tokens.
    const slice = { training: { walk_length: 100, corpus_size: 9000 } };
    const earlierWork = { tokens: 1_000_000 };
    const estimate = estimateStage('walks', config, new Map([['walks', [manifest('walks', slice, 2_000_000, 1)]]]));
    expect(estimate).toMatchObject({ bytesSource: 'calibrated', secondsSource: 'history' });
    expect(estimate.bytes).toBe(Math.ceil(walksBytes(walksWork(config)) * ((2_000_000 + 8192) / walksBytes(earlierWork)) * 1.25));
    expect(estimate.seconds).toBeCloseTo(walksSeconds(walksWork(config)) * (1 / walksSeconds(earlierWork)), 9);
    const foreign = estimateStage('walks', config, new Map([['walks', [manifest('walks', slice, 2_000_000, 1, 'elsewhere')]]]));
    expect(foreign).toMatchObject({ bytes: estimate.bytes, bytesSource: 'calibrated', seconds: walksSeconds(walksWork(config)), secondsSource: 'benchmark' });
  });
});
