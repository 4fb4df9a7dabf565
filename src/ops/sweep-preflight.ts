/**
 * Pre-flight checks for a whole sweep, made once before any point starts: disk for every
 * stage run the sweep will compute (the sum over points; a run shared with an earlier point
 * and cache hits cost nothing), memory for the `parallel` points that may run at once
 * (the sum of the largest per-point peaks), writable results and store folders, the
 * execution provider the model stages ask for, and the estimated compute time. The same
 * report shape and messages as a single run's checks (preflight.ts), so `renderPreflight`
 * and `preflightFailure` print it.
 */
import type { ArtifactStore } from '../artifacts/artifact-store';
import { ResourceError } from '../errors';
import type { Device } from '../onnx/session';
import { stageDeclaration, type StageName } from '../pipeline/dag';
import type { FingerprintCache } from '../pipeline/plan';
import type { StageImplementation } from '../pipeline/stage';
import { formatBytes } from './duration';
import { estimateStage, type EarlierArtifacts, type StageEstimate } from './estimates';
import { BYTES, listEarlier, preflightFailure, providerProbeOf, renderPreflight, systemProbe, type PreflightCheck, type PreflightProbe, type PreflightReport } from './preflight';
import { durationCheck } from './preflight-duration';
import { stageParts } from './preflight-parts';
import { providerCheck } from './preflight-provider';
import type { SweepPoint } from './sweep-expand';
import { planSweep, type PointPlan } from './sweep-plan';

/** The machine facts the sweep checks compare against, gathered once. */
export interface SweepMachine {
  /** Free bytes on the store's filesystem. */
  freeBytes: number;
  availableMemoryBytes: number;
  /** Null when writable; otherwise why not. */
  resultsWriteProblem: string | null;
  storeWriteProblem: string | null;
  /** The verdict on the devices the points' model stages ask for ({@link modelDevices}; preflight-provider.ts). */
  executionProvider: PreflightCheck;
}

/** What the sweep checks are about. */
export interface SweepPreflightInput {
  /** The dry-run plan of every point (`planSweep`). */
  plans: readonly PointPlan[];
  /** Points run at the same time. */
  parallel: number;
  storeRoot: string;
  resultsRoot: string;
  /** Earlier artifacts per stage in the store, for calibrated estimates (absent: the models alone). */
  earlier: EarlierArtifacts;
}

/** One stage run the sweep will compute, with its estimate. */
interface ComputedRun {
  point: number;
  estimate: StageEstimate;
  memoryBytes: number;
}

/** The checks over the whole grid. Pure: the machine facts are passed in. */
export function sweepPreflight(input: SweepPreflightInput, machine: SweepMachine): PreflightReport {
  const runs: ComputedRun[] = [];
  for (const { point, stages } of input.plans) {
    for (const [stage, fate] of stages) {
      if (fate.kind !== 'compute') continue;
      runs.push({
        point: point.index,
        estimate: estimateStage(stage, point.config, input.earlier),
        memoryBytes: stageDeclaration(stage).resources.memoryMiB(point.config) * 2 ** 20,
      });
    }
  }
  const checks: PreflightCheck[] = [
    writable('results folder', input.resultsRoot, machine.resultsWriteProblem),
    writable('store folder', input.storeRoot, machine.storeWriteProblem),
    diskCheck(runs, input.storeRoot, machine.freeBytes),
    memoryCheck(runs, input.parallel, machine.availableMemoryBytes),
    machine.executionProvider,
    durationCheck(runs.map((run) => run.estimate), { parallel: input.parallel, perRun: true }),
  ];
  return { ok: checks.every((check) => check.outcome !== 'failed'), checks, estimates: runs.map((run) => run.estimate) };
}

/** Gathers the machine facts and earlier manifests (through `probe`), then runs {@link sweepPreflight}. */
export async function runSweepPreflight(
  plans: readonly PointPlan[],
  options: { parallel: number; store: Pick<ArtifactStore, 'root' | 'list'>; resultsRoot: string },
  probe: PreflightProbe = systemProbe,
): Promise<PreflightReport> {
  const computed = new Set<StageName>();
  for (const plan of plans) for (const [stage, fate] of plan.stages) if (fate.kind === 'compute') computed.add(stage);
  const earlier = await listEarlier(options.store, computed);
  const machine: SweepMachine = {
    freeBytes: await probe.freeBytes(options.store.root),
    availableMemoryBytes: probe.availableMemoryBytes(),
    resultsWriteProblem: await probe.writeProblem(options.resultsRoot),
    storeWriteProblem: await probe.writeProblem(options.store.root),
    executionProvider: await providerCheck(modelDevices(plans), providerProbeOf(probe)),
  };
  return sweepPreflight({ plans, parallel: options.parallel, storeRoot: options.store.root, resultsRoot: options.resultsRoot, earlier }, machine);
}

/** The `runtime.device` of every point that computes a stage running the model (train, evaluate). */
export function modelDevices(plans: readonly PointPlan[]): Device[] {
  const devices = new Set<Device>();
  for (const { point, stages } of plans) {
    for (const [stage, fate] of stages) if (fate.kind === 'compute' && stageDeclaration(stage).usesExecutionProvider === true) devices.add(point.config.runtime.device);
  }
  return [...devices];
}

function writable(name: 'results folder' | 'store folder', path: string, problem: string | null): PreflightCheck {
  return problem === null ? { name, outcome: 'ok', message: `${path} is writable` } : { name, outcome: 'failed', message: `${path} is not writable: ${problem}` };
}

function diskCheck(runs: readonly ComputedRun[], storeRoot: string, free: number): PreflightCheck {
  if (runs.length === 0) return { name: 'disk', outcome: 'ok', message: 'nothing to compute: every stage run of the sweep is a cache hit' };
  const needed = runs.reduce((sum, run) => sum + run.estimate.bytes, 0);
  const parts = stageParts(runs.map((run) => run.estimate), BYTES, true);
  const detail = `the sweep's ${runs.length} stage run(s) to compute need about ${formatBytes(needed)} in ${storeRoot} [${parts.join(', ')}]`;
  if (needed > free) return { name: 'disk', outcome: 'failed', message: `${detail}, but only ${formatBytes(free)} is free on that filesystem` };
  return { name: 'disk', outcome: 'ok', message: `${detail}; ${formatBytes(free)} free` };
}

function memoryCheck(runs: readonly ComputedRun[], parallel: number, available: number): PreflightCheck {
  if (runs.length === 0) return { name: 'memory', outcome: 'ok', message: 'nothing to compute' };
  // A point runs its stages one after another: its peak is its largest stage. Up to
  // `parallel` points run at once, so the worst case is the sum of the largest peaks.
  const peaks = new Map<number, number>();
  for (const run of runs) peaks.set(run.point, Math.max(peaks.get(run.point) ?? 0, run.memoryBytes));
  const largest = [...peaks.values()].sort((a, b) => b - a).slice(0, Math.max(1, parallel));
  const peak = largest.reduce((sum, bytes) => sum + bytes, 0);
  const biggest = runs.reduce((a, b) => (b.memoryBytes > a.memoryBytes ? b : a));
  const detail = `${largest.length} point(s) at once need up to about ${formatBytes(peak)} (largest: point ${biggest.point} stage ${biggest.estimate.stage}, ${formatBytes(biggest.memoryBytes)}; estimates of src/pipeline/dag.ts)`;
  if (peak > available) return { name: 'memory', outcome: 'failed', message: `${detail}, but only ${formatBytes(available)} is available` };
  return { name: 'memory', outcome: 'ok', message: `${detail}; ${formatBytes(available)} available` };
}

/** What {@link preflightSweep} needs to plan the grid. */
export interface SweepPreflightOptions {
  points: readonly SweepPoint[];
  store: ArtifactStore;
  implementations: ReadonlyMap<StageName, StageImplementation<never>>;
  fingerprints: FingerprintCache;
  parallel: number;
  resultsRoot: string;
  until?: StageName;
  /** Receives one line per check. */
  write: (line: string) => void;
}

/**
 * The sweep's pre-flight as `npm run sweep` makes it before any point starts: plans every
 * point, checks the grid, prints one line per check.
 * @throws ResourceError listing the failed checks (exit 1; `--skip-preflight` skips them).
 */
export async function preflightSweep(options: SweepPreflightOptions, probe: PreflightProbe = systemProbe): Promise<PreflightReport> {
  const plans = await planSweep(options.points, options.store, options.implementations, options.fingerprints, options.until);
  const report = await runSweepPreflight(plans, { parallel: options.parallel, store: options.store, resultsRoot: options.resultsRoot }, probe);
  renderPreflight(report).forEach((line) => options.write(line.replace(/^Pre-flight /, 'Sweep pre-flight ')));
  if (!report.ok) throw new ResourceError(preflightFailure(report).replace(/^pre-flight/, 'sweep pre-flight'));
  return report;
}
