/**
 * Running a sweep in this process: at most `parallel` points at once, each with the embedded
 * runner and recorded in the ledger. Points that share a graph share its artifact through
 * the store's per-key lock: the second waits for the first and reuses what it published.
 */
import { availableParallelism } from 'node:os';
import type { ArtifactStore } from '../artifacts/artifact-store';
import type { ExperimentConfig } from '../config/schema';
import type { StageName } from '../pipeline/dag';
import { runExperiment, type RunOutcome } from '../pipeline/local-runner';
import type { ResultDocument } from '../pipeline/result-schema';
import type { StageImplementation } from '../pipeline/stage';
import { PrefixedSink } from './prefixed-sink';
import { recordFinishedRun } from './record-run';
import type { SweepPoint } from './sweep-expand';

/** What happened to one point. `not started`: the sweep was interrupted first. */
export interface PointOutcome {
  point: SweepPoint;
  status: RunOutcome['status'] | 'not started';
  seconds: number;
  computed: number;
  reused: number;
  /** `stage: CODE: message` of a failure. */
  error: string | null;
  /** The point's result.json as written at the end (null when not started). */
  result: ResultDocument | null;
}

/** Inputs of {@link runSweep}. */
export interface SweepRunOptions {
  points: readonly SweepPoint[];
  parallel: number;
  store: ArtifactStore;
  resultsRoot: string;
  projectRoot: string;
  implementations: ReadonlyMap<StageName, StageImplementation<never>>;
  /** Run every point up to this stage (and its inputs). @default the whole pipeline */
  until?: StageName;
  /** Label of point i in output lines. @default `<index>/<number of points>` */
  label?: (point: SweepPoint) => string;
  /** The sweep file, recorded with each point's coordinates in its result.json. */
  source: string;
  /** Receives every line of output (already prefixed with the point). */
  write: (line: string) => void;
  signal: AbortSignal;
}

/** Runs every point (at most `parallel` at once) and returns their outcomes in point order. */
export async function runSweep(options: SweepRunOptions): Promise<PointOutcome[]> {
  const { points } = options;
  const outcomes: PointOutcome[] = points.map((point) => ({ point, status: 'not started', seconds: 0, computed: 0, reused: 0, error: null, result: null }));
  let next = 0;
  const worker = async () => {
    while (next < points.length && !options.signal.aborted) {
      const index = next++;
      outcomes[index] = await runPoint(points[index], options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallel, points.length) }, worker));
  return outcomes;
}

async function runPoint(point: SweepPoint, options: SweepRunOptions): Promise<PointOutcome> {
  const label = `${options.label?.(point) ?? `${point.index}/${options.points.length}`} ${point.experimentId}`;
  const sink = new PrefixedSink(label, options.write);
  const started = performance.now();
  const outcome = await runExperiment({
    config: withThreadShare(point.config, options.parallel),
    projectRoot: options.projectRoot,
    store: options.store,
    resultsRoot: options.resultsRoot,
    implementations: options.implementations,
    sink,
    signal: options.signal,
    sweepPoint: { source: options.source, index: point.index, of: options.points.length, coordinates: point.coordinates.map(({ axis, value }) => ({ axis, value })) },
    ...(options.until === undefined ? {} : { until: options.until }),
  });
  const warning = await recordFinishedRun(options.resultsRoot, outcome.result);
  if (warning !== null) sink.line(`Warning: ${warning}`);
  const stages = outcome.result.stages;
  return {
    point,
    status: outcome.status,
    seconds: (performance.now() - started) / 1000,
    computed: stages.filter((s) => s.status === 'computed').length,
    reused: stages.filter((s) => s.status === 'reused').length,
    error: outcome.error === null ? null : `${outcome.error.stage ?? '-'}: ${outcome.error.code}: ${outcome.error.message}`,
    result: outcome.result,
  };
}

/**
 * Points running side by side split the cores instead of each taking all of them. Safe for
 * identity: `runtime` is not part of the config hash, and stage bytes do not depend on the
 * thread count (tested for graph and walks).
 */
function withThreadShare(config: ExperimentConfig, parallel: number): ExperimentConfig {
  if (parallel <= 1 || config.runtime.threads !== null) return config;
  return { ...config, runtime: { ...config.runtime, threads: Math.max(1, Math.floor(availableParallelism() / parallel)) } };
}
