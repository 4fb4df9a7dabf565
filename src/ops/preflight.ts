/**
 * Pre-flight checks, run before any stage starts: disk for the artifacts that will be
 * computed, memory for the largest stage, writable results and store folders, the requested
 * execution provider (preflight-provider.ts), and the estimated duration (informative only,
 * preflight-duration.ts). A failed check names itself, the estimate and the available amount;
 * the caller stops the run (exit 1: the input is valid, the machine lacks room for it right now).
 */
import { constants, promises as fs } from 'node:fs';
import { freemem } from 'node:os';
import { dirname } from 'node:path';
import type { ArtifactStore, Manifest } from '../artifacts/artifact-store';
import type { ExperimentConfig } from '../config/schema';
import type { Device, SessionIdentity } from '../onnx/session';
import type { StageName } from '../pipeline/dag';
import type { StagePlan } from '../pipeline/plan';
import { formatBytes } from './duration';
import { calibrationStages, estimateStage, type EarlierArtifacts, type StageEstimate } from './estimates';
import { durationCheck } from './preflight-duration';
import { stageParts } from './preflight-parts';
import { probeProvider, providerCheck, type ProviderProbe } from './preflight-provider';

/** The machine facts the checks compare against; replaceable in tests. */
export interface PreflightProbe {
  /** Free bytes for an unprivileged writer on the filesystem holding `path` (or its nearest existing ancestor). */
  freeBytes(path: string): Promise<number>;
  /** Bytes of memory available to this process. */
  availableMemoryBytes(): number;
  /** Null when a new file can be created in `path` (or would be, once created); otherwise why not. */
  writeProblem(path: string): Promise<string | null>;
  /** Where a requested device resolves on this host (absent: the real probe, preflight-provider.ts). */
  executionProvider?(device: Device): Promise<SessionIdentity>;
}

/** The outcome of one check. `skipped` checks do not fail a run. */
export interface PreflightCheck {
  name: 'disk' | 'memory' | 'results folder' | 'store folder' | 'execution provider' | 'duration';
  outcome: 'ok' | 'failed' | 'skipped';
  message: string;
}

/** All checks; `ok` is false when any failed. */
export interface PreflightReport {
  ok: boolean;
  checks: PreflightCheck[];
  estimates: StageEstimate[];
}

/** What the checks are about. */
export interface PreflightInput {
  config: ExperimentConfig;
  /** The plan of the run: stages that are not hits will be computed. */
  plans: readonly StagePlan[];
  /** Used for the store root and, for calibration, its earlier manifests. */
  store: Pick<ArtifactStore, 'root' | 'list'>;
  resultsRoot: string;
}

/** Runs every check against the real machine unless `probe` replaces it. */
export async function runPreflight(input: PreflightInput, probe: PreflightProbe = systemProbe): Promise<PreflightReport> {
  const toCompute = input.plans.filter((plan) => plan.decision !== 'hit');
  const earlier = await listEarlier(input.store, toCompute.map((plan) => plan.stage.name));
  const estimates = toCompute.map((plan) => estimateStage(plan.stage.name, input.config, earlier));
  const modelMath = toCompute.some((plan) => plan.stage.usesExecutionProvider === true);
  const checks = [
    await writableCheck('results folder', input.resultsRoot, probe),
    await writableCheck('store folder', input.store.root, probe),
    await diskCheck(estimates, input.store.root, probe),
    memoryCheck(toCompute, input.config, probe),
    await providerCheck(modelMath ? [input.config.runtime.device] : [], providerProbeOf(probe)),
    durationCheck(estimates, { parallel: 1, perRun: false }),
  ];
  return { ok: checks.every((check) => check.outcome !== 'failed'), checks, estimates };
}

/** The store's earlier artifacts that calibrate the estimates of `stages` (estimates.ts). */
export async function listEarlier(store: Pick<ArtifactStore, 'list'>, stages: Iterable<StageName>): Promise<EarlierArtifacts> {
  const earlier = new Map<StageName, readonly Manifest[]>();
  for (const stage of calibrationStages(stages)) earlier.set(stage, await store.list(stage));
  return earlier;
}

/** The probe's own provider probe, or the real one. */
export function providerProbeOf(probe: PreflightProbe): ProviderProbe {
  return (device) => probe.executionProvider?.(device) ?? probeProvider(device);
}

/** The disk parts of one run: `graph 13.0 KiB (formula)`. */
export const BYTES = { amount: (e: StageEstimate) => e.bytes, format: formatBytes, source: (e: StageEstimate) => e.bytesSource };

/** One line per check, for the run's header. */
export function renderPreflight(report: PreflightReport): string[] {
  return report.checks.map((check) => `Pre-flight ${check.name}: ${check.outcome === 'ok' ? 'ok' : check.outcome.toUpperCase()} — ${check.message}`);
}

/** The message of a failed report: every failed check, one line each. */
export function preflightFailure(report: PreflightReport): string {
  const failed = report.checks.filter((check) => check.outcome === 'failed');
  return `pre-flight check${failed.length > 1 ? 's' : ''} failed, nothing was run (skip with --skip-preflight):\n${failed
    .map((check) => `  ${check.name}: ${check.message}`)
    .join('\n')}`;
}

async function writableCheck(name: 'results folder' | 'store folder', path: string, probe: PreflightProbe): Promise<PreflightCheck> {
  const problem = await probe.writeProblem(path);
  return problem === null
    ? { name, outcome: 'ok', message: `${path} is writable` }
    : { name, outcome: 'failed', message: `${path} is not writable: ${problem}` };
}

async function diskCheck(estimates: readonly StageEstimate[], storeRoot: string, probe: PreflightProbe): Promise<PreflightCheck> {
  if (estimates.length === 0) return { name: 'disk', outcome: 'ok', message: 'nothing to compute: every stage is a cache hit' };
  const needed = estimates.reduce((sum, e) => sum + e.bytes, 0);
  const free = await probe.freeBytes(storeRoot);
  const detail = `the stages to compute need about ${formatBytes(needed)} in ${storeRoot} [${stageParts(estimates, BYTES, false).join(', ')}]`;
  if (needed > free) return { name: 'disk', outcome: 'failed', message: `${detail}, but only ${formatBytes(free)} is free on that filesystem` };
  return { name: 'disk', outcome: 'ok', message: `${detail}; ${formatBytes(free)} free` };
}

function memoryCheck(toCompute: readonly StagePlan[], config: ExperimentConfig, probe: PreflightProbe): PreflightCheck {
  if (toCompute.length === 0) return { name: 'memory', outcome: 'ok', message: 'nothing to compute' };
  // Stages run one after another, so the peak is the largest single stage.
  const peak = toCompute
    .map((plan) => ({ stage: plan.stage.name, bytes: plan.stage.resources.memoryMiB(config) * 2 ** 20 }))
    .reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const available = probe.availableMemoryBytes();
  const detail = `stage ${peak.stage} needs about ${formatBytes(peak.bytes)} (estimate of src/pipeline/dag.ts)`;
  if (peak.bytes > available) return { name: 'memory', outcome: 'failed', message: `${detail}, but only ${formatBytes(available)} is available` };
  return { name: 'memory', outcome: 'ok', message: `${detail}; ${formatBytes(available)} available` };
}

/** The real machine: statfs, available memory (cgroup-aware), access(2) and the provider probe. */
export const systemProbe: PreflightProbe = {
  async freeBytes(path) {
    const stats = await fs.statfs(await nearestExisting(path));
    return stats.bavail * stats.bsize;
  },
  availableMemoryBytes() {
    // availableMemory honours a container's memory limit; freemem alone would not.
    return typeof process.availableMemory === 'function' ? process.availableMemory() : freemem();
  },
  async writeProblem(path) {
    const existing = await nearestExisting(path);
    try {
      if (!(await fs.stat(existing)).isDirectory()) return `${existing} is not a directory`;
      await fs.access(existing, constants.W_OK);
      return null;
    } catch (error) {
      return `${existing}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  },
  executionProvider: probeProvider,
};

/** `path` itself or its closest ancestor that exists (the folder it will be created in). */
async function nearestExisting(path: string): Promise<string> {
  let current = path;
  for (;;) {
    try {
      await fs.stat(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}
