/**
 * Sweep-level pre-flight: one set of checks over the whole grid before any point starts,
 * over fabricated point plans (which stage runs are hits, shared or computed).
 */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/artifacts/artifact-store';
import { parseConfig } from '../../src/config/load';
import type { ExperimentConfig } from '../../src/config/schema';
import { estimateStage } from '../../src/ops/estimates';
import { preflightFailure, renderPreflight, type PreflightCheck, type PreflightProbe } from '../../src/ops/preflight';
import type { SweepPoint } from '../../src/ops/sweep-expand';
import type { PointPlan, StageFate } from '../../src/ops/sweep-plan';
import { modelDevices, runSweepPreflight, sweepPreflight, type SweepMachine } from '../../src/ops/sweep-preflight';
import { formatBytes } from '../../src/ops/duration';
import { stageDeclaration, type StageName } from '../../src/pipeline/dag';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const configOf = (n: number, seed: number): ExperimentConfig => parseConfig({ seed, graph: { n, K: 2 }, training: { w: 8, walk_length: 16, corpus_size: 100 * n, r: 5 } }).config;
const providerOk: PreflightCheck = { name: 'execution provider', outcome: 'ok', message: "runtime.device: 'auto' runs on cpu here" };
const roomy: SweepMachine = { freeBytes: 100 * GiB, availableMemoryBytes: 64 * GiB, resultsWriteProblem: null, storeWriteProblem: null, executionProvider: providerOk };
const compute: StageFate = { kind: 'compute' };

function point(index: number, config: ExperimentConfig, fates: Partial<Record<StageName, StageFate>>): PointPlan {
  const sweepPoint: SweepPoint = { index, coordinates: [{ axis: 'graph.n', value: config.graph.n }], config, experimentId: `p${index}`, warnings: [] };
  return { point: sweepPoint, stages: new Map(Object.entries(fates) as [StageName, StageFate][]) };
}

const input = (plans: PointPlan[], parallel = 1, earlier = new Map<StageName, Manifest[]>()) => ({ plans, parallel, storeRoot: '/store', resultsRoot: '/results', earlier });

/** Two graph sizes x two seeds: one graph per size (the second seed shares it), walks per point except one cache hit. */
function grid(): PointPlan[] {
  const [a1, a2, b1, b2] = [configOf(50, 1), configOf(50, 2), configOf(400, 1), configOf(400, 2)];
  return [
    point(1, a1, { graph: compute, walks: compute }),
    point(2, a2, { graph: { kind: 'shared', withPoint: 1 }, walks: compute }),
    point(3, b1, { graph: compute, walks: { kind: 'hit' } }),
    point(4, b2, { graph: { kind: 'shared', withPoint: 3 }, walks: compute }),
  ];
}

describe('sweep pre-flight', () => {
  it('sums the disk estimates of the stage runs the sweep computes; shared runs and hits cost nothing', () => {
    const report = sweepPreflight(input(grid()), roomy);
    expect(report.ok).toBe(true);
    const expected = [estimateStage('graph', configOf(50, 1)), estimateStage('walks', configOf(50, 1)), estimateStage('walks', configOf(50, 2)), estimateStage('graph', configOf(400, 1)), estimateStage('walks', configOf(400, 2))];
    expect(report.estimates.reduce((sum, e) => sum + e.bytes, 0)).toBe(expected.reduce((sum, e) => sum + e.bytes, 0));
    // The parts are totals over the stage's runs, and say so.
    const graphTotal = formatBytes(expected[0].bytes + expected[3].bytes);
    const walksTotal = formatBytes(expected[1].bytes + expected[2].bytes + expected[4].bytes);
    expect(report.checks.find((c) => c.name === 'disk')!.message).toBe(
      `the sweep's 5 stage run(s) to compute need about ${formatBytes(report.estimates.reduce((sum, e) => sum + e.bytes, 0))} in /store [graph 2 runs, ${graphTotal} in all (formula), walks 3 runs, ${walksTotal} in all (formula)]; 100.0 GiB free`,
    );
  });

  it('a stage computed once reads "1 run" with no "in all"', () => {
    const report = sweepPreflight(input([point(1, configOf(50, 1), { graph: compute, walks: { kind: 'hit' } })]), roomy);
    expect(report.checks.find((c) => c.name === 'disk')!.message).toMatch(/\[graph 1 run, [\d.]+ KiB \(formula\)\]/);
  });

  it('EXPECTED FAILURE - the whole grid needs more disk than is free, though each point alone would fit', () => {
    const report = sweepPreflight(input(grid()), roomy);
    const total = report.estimates.reduce((sum, e) => sum + e.bytes, 0);
    const perPoint = grid().map((plan) => [...plan.stages].filter(([, fate]) => fate.kind === 'compute').reduce((sum, [stage]) => sum + estimateStage(stage, plan.point.config).bytes, 0));
    expect(Math.max(...perPoint)).toBeLessThan(total - 1);
    const tight = sweepPreflight(input(grid()), { ...roomy, freeBytes: total - 1 });
    expect(tight.ok).toBe(false);
    expect(tight.checks.find((c) => c.name === 'disk')).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/, but only .* is free on that filesystem$/) });
    expect(preflightFailure(tight)).toMatch(/^pre-flight check failed, nothing was run \(skip with --skip-preflight\):\n {2}disk: the sweep's 5 stage run/);
  });

  it('memory is the largest point peak with one point at a time, and the sum of the largest peaks with several', () => {
    // A point's peak is its largest stage to compute (its stages run one after another).
    const peaks = grid()
      .map((plan) => Math.max(...[...plan.stages].filter(([, fate]) => fate.kind === 'compute').map(([stage]) => stageDeclaration(stage).resources.memoryMiB(plan.point.config) * MiB)))
      .sort((a, b) => b - a);
    expect(sweepPreflight(input(grid(), 1), { ...roomy, availableMemoryBytes: peaks[0] }).ok).toBe(true);
    expect(sweepPreflight(input(grid(), 1), { ...roomy, availableMemoryBytes: peaks[0] - 1 }).checks.find((c) => c.name === 'memory')!.outcome).toBe('failed');
    expect(sweepPreflight(input(grid(), 2), { ...roomy, availableMemoryBytes: peaks[0] + peaks[1] }).ok).toBe(true);
    const two = sweepPreflight(input(grid(), 2), { ...roomy, availableMemoryBytes: peaks[0] + peaks[1] - 1 });
    expect(two.checks.find((c) => c.name === 'memory')).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/^2 point\(s\) at once need up to about .* \(largest: point 4 stage walks, .*\), but only .* is available$/),
    });
  });

  it('a grid of cache hits needs nothing; unwritable folders fail by name', () => {
    const hits = [point(1, configOf(50, 1), { graph: { kind: 'hit' }, walks: { kind: 'hit' } })];
    const report = sweepPreflight(input(hits), { ...roomy, freeBytes: 0, resultsWriteProblem: '/results: EACCES' });
    expect(report.checks.find((c) => c.name === 'disk')!.message).toBe('nothing to compute: every stage run of the sweep is a cache hit');
    expect(report.ok).toBe(false);
    expect(renderPreflight(report)[0]).toBe('Pre-flight results folder: FAILED — /results is not writable: /results: EACCES');
  });

  it('the duration is calibrated from earlier artifacts on this host, or comes from the benchmark model without them', () => {
    expect(sweepPreflight(input(grid()), roomy).checks.find((c) => c.name === 'duration')).toMatchObject({
      outcome: 'ok',
      message: expect.stringMatching(/^about \S+ of compute \[graph 2 runs, \S+ in all \(benchmark\), walks 3 runs, \S+ in all \(benchmark\)\]; benchmark: /),
    });
    const manifest = (stage: string, config: ExperimentConfig, seconds: number): Manifest => ({
      schema: 1, stage, key: 'k', digest: 'd',
      keyInputs: { stage, version: 1, code: { files: {}, packages: {} }, config: stageDeclaration(stage as StageName).configSlice(config), upstream: {}, runtime: {} },
      files: [{ name: 'f', sha256: 's', size: 1000 }], summary: null, experimentId: 'e',
      timings: { startedAt: '', finishedAt: '', seconds }, producer: { host: hostname(), pid: 1, packageVersion: '0', gitCommit: 'x' },
    });
    const earlier = new Map<StageName, Manifest[]>([['graph', [manifest('graph', configOf(50, 1), 1)]], ['walks', [manifest('walks', configOf(50, 1), 2)]]]);
    const duration = sweepPreflight(input(grid(), 2, earlier), roomy).checks.find((c) => c.name === 'duration')!;
    expect(duration).toMatchObject({ outcome: 'ok', message: expect.stringMatching(/^about \S+ of compute, at best about \S+ with 2 points at once \[graph 2 runs, \S+ in all \(history\), walks 3 runs, \S+ in all \(history\)\]; history: /) });
  });

  it('runSweepPreflight gathers the machine facts once and lists earlier artifacts only of stages to compute', async () => {
    const listed: (string | undefined)[] = [];
    const store = { root: '/store', list: async (stage?: string) => (listed.push(stage), []) };
    const probe: PreflightProbe = { freeBytes: async () => 100 * GiB, availableMemoryBytes: () => 64 * GiB, writeProblem: async () => null };
    const report = await runSweepPreflight([point(1, configOf(50, 1), { graph: { kind: 'hit' }, walks: compute })], { parallel: 1, store, resultsRoot: '/results' }, probe);
    expect(report.ok).toBe(true);
    expect(listed).toEqual(['walks']);
  });

  it('EXPECTED FAILURE - points that train with runtime.device cuda fail the provider check on a host without CUDA; points that only reuse training do not ask', async () => {
    const cuda = (n: number, seed: number) => ({ ...configOf(n, seed), runtime: { device: 'cuda' as const, threads: null } });
    const plans = [point(1, cuda(50, 1), { graph: compute, walks: compute, train: compute }), point(2, configOf(50, 2), { graph: { kind: 'shared', withPoint: 1 }, train: { kind: 'hit' } })];
    expect(modelDevices(plans)).toEqual(['cuda']);
    const store = { root: '/store', list: async () => [] };
    const probed: string[] = [];
    const probe: PreflightProbe = {
      freeBytes: async () => 100 * GiB,
      availableMemoryBytes: () => 64 * GiB,
      writeProblem: async () => null,
      executionProvider: async (device) => (probed.push(device), { provider: 'cpu', fallbackReason: 'CUDA execution provider unavailable: no libraries', threads: 1 }),
    };
    const report = await runSweepPreflight(plans, { parallel: 1, store, resultsRoot: '/results' }, probe);
    expect(probed).toEqual(['cuda']);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'execution provider')).toMatchObject({ outcome: 'failed', message: expect.stringMatching(/^runtime\.device: 'cuda' — the CUDA execution provider cannot be loaded on this host \(onnxruntime-node offers: cpu\)/) });
  });
});
