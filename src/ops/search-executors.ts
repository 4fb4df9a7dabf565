/**
 * The two ways to execute a rung of a search: run its points with the sweep runner, or, for a
 * dry run, plan them against the store. A dry run knows a point's objective when every stage
 * is a cache hit: the stage summaries come from the cached manifests (the rest of result.json
 * from the point's result folder, when there is one), so re-planning a finished search walks
 * through all its rungs without computing anything.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactStore } from '../artifacts/artifact-store';
import type { StageName } from '../pipeline/dag';
import type { FingerprintCache } from '../pipeline/plan';
import type { ResultDocument } from '../pipeline/result-schema';
import type { StageImplementation } from '../pipeline/stage';
import type { RungExecutor, SearchRung } from './search-run';
import { planSweep, type PointPlan } from './sweep-plan';
import { runSweep, type SweepRunOptions } from './sweep-run';

/** Runs each rung's points with {@link runSweep} (labels `r<rung>.t<trial>`). */
export function sweepExecutor(options: Omit<SweepRunOptions, 'points' | 'label'>): RungExecutor {
  return async (rung, points) => {
    const outcomes = await runSweep({ ...options, points, label: (point) => `r${rung.index}.t${point.index}` });
    return outcomes.map((outcome) => ({ status: outcome.status, result: outcome.result, seconds: outcome.seconds }));
  };
}

/** Inputs of {@link planExecutor}. */
export interface PlanExecutorOptions {
  store: ArtifactStore;
  resultsRoot: string;
  implementations: ReadonlyMap<StageName, StageImplementation<never>>;
  fingerprints: FingerprintCache;
  until?: StageName;
  /** Receives each rung's plan, for printing. */
  onPlanned: (rung: SearchRung, plans: PointPlan[]) => void;
}

/** Plans each rung against the store; a point whose every stage is a hit is `cached` with its objective. */
export function planExecutor(options: PlanExecutorOptions): RungExecutor {
  return async (rung, points) => {
    const plans = await planSweep(points, options.store, options.implementations, options.fingerprints, options.until);
    options.onPlanned(rung, plans);
    return plans.map((plan) => {
      const cached = [...plan.stages.values()].every((fate) => fate.kind === 'hit');
      return { status: cached ? ('cached' as const) : ('to run' as const), result: cached ? cachedResult(plan, options.resultsRoot) : null, seconds: 0 };
    });
  };
}

/** The point's result document as a run would write it now: cached stage summaries over its result folder's document. */
function cachedResult(plan: PointPlan, resultsRoot: string): ResultDocument {
  const path = join(resultsRoot, plan.point.experimentId, 'result.json');
  let document: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      document = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch {
      document = {};
    }
  }
  const stages = [...(plan.hits ?? [])].map(([name, manifest]) => ({ name, status: 'reused', key: manifest.key, digest: manifest.digest, summary: manifest.summary }));
  return { ...document, stages } as unknown as ResultDocument;
}
