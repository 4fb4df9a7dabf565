/**
 * Pre-flight checks, run before any stage starts: disk for the artifacts that will be
 * computed, memory for the largest stage, writable results and store folders, and an
 * estimated duration where a calibration exists. A failed check names itself, the estimate
 * and the available amount; the caller stops the run (exit 1: the input is valid, the
 * machine lacks room for it right now).
 */
import { constants, promises as fs } from 'node:fs';
import { freemem } from 'node:os';
import { dirname } from 'node:path';
import type { ArtifactStore } from '../artifacts/artifact-store';
import type { ExperimentConfig } from '../config/schema';
import type { StagePlan } from '../pipeline/plan';
import { formatDuration } from '../pipeline/progress';
import { formatBytes } from './duration';
import { estimateStage, type StageEstimate } from './estimates';

/** The machine facts the checks compare against; replaceable in tests. */
export interface PreflightProbe {
  /** Free bytes for an unprivileged writer on the filesystem holding `path` (or its nearest existing ancestor). */
  freeBytes(path: string): Promise<number>;
  /** Bytes of memory available to this process. */
  availableMemoryBytes(): number;
  /** Null when a new file can be created in `path` (or would be, once created); otherwise why not. */
  writeProblem(path: string): Promise<string | null>;
}

/** The outcome of one check. `skipped` checks do not fail a run. */
export interface PreflightCheck {
  name: 'disk' | 'memory' | 'results folder' | 'store folder' | 'duration';
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
  const estimates: StageEstimate[] = [];
  for (const plan of toCompute) estimates.push(estimateStage(plan.stage.name, input.config, await input.store.list(plan.stage.name)));
  const checks = [
    await writableCheck('results folder', input.resultsRoot, probe),
    await writableCheck('store folder', input.store.root, probe),
    await diskCheck(estimates, input.store.root, probe),
    memoryCheck(toCompute, input.config, probe),
    durationCheck(estimates),
  ];
  return { ok: checks.every((check) => check.outcome !== 'failed'), checks, estimates };
}

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
  const parts = estimates.map((e) => `${e.stage} ${e.bytesSource === 'none' ? 'no estimate' : `${formatBytes(e.bytes)} (${e.bytesSource})`}`);
  const detail = `the stages to compute need about ${formatBytes(needed)} in ${storeRoot} [${parts.join(', ')}]`;
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

function durationCheck(estimates: readonly StageEstimate[]): PreflightCheck {
  if (estimates.length === 0) return { name: 'duration', outcome: 'ok', message: 'nothing to compute' };
  const missing = estimates.filter((e) => e.seconds === null).map((e) => e.stage);
  if (missing.length > 0) {
    return { name: 'duration', outcome: 'skipped', message: `no calibration for ${missing.join(', ')} (no earlier artifact of the stage computed on this host)` };
  }
  const seconds = estimates.reduce((sum, e) => sum + (e.seconds ?? 0), 0);
  return { name: 'duration', outcome: 'ok', message: `about ${formatDuration(seconds)} of compute, calibrated from earlier artifacts on this host` };
}

/** The real machine: statfs, available memory (cgroup-aware) and access(2). */
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
