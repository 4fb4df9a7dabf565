/**
 * The dry run of a sweep: for every point and stage, whether the store already has the
 * artifact (a hit), whether an earlier point of the sweep will compute the same artifact
 * (shared), or whether it will be computed.
 *
 * Sharing is decided by a sweep-local identity per stage: the hash of the stage's config
 * slice and its upstream identities. Within one sweep the code and stage versions are the
 * same for every point, so equal identities mean equal cache keys; this holds before any
 * upstream bytes exist, where the real key is still unknown (a pending stage).
 */
import type { ArtifactStore, Manifest } from '../artifacts/artifact-store';
import { canonicalJson } from '../config/canonical-json';
import { sha256Hex } from '../config/hash';
import type { StageName } from '../pipeline/dag';
import { planExperiment, type FingerprintCache } from '../pipeline/plan';
import type { StageImplementation } from '../pipeline/stage';
import type { SweepPoint } from './sweep-expand';

/** What happens to one stage of one point. */
export type StageFate = { kind: 'hit' } | { kind: 'compute' } | { kind: 'shared'; withPoint: number };

/** The dry-run plan of one point. */
export interface PointPlan {
  point: SweepPoint;
  stages: ReadonlyMap<StageName, StageFate>;
  /** The cached manifest of every stage that is a hit (set by `planSweep`). */
  hits?: ReadonlyMap<StageName, Manifest>;
}

/** Counts for one stage over the whole sweep. */
export interface StageTally {
  stage: StageName;
  runs: number;
  hits: number;
  compute: number;
  shared: number;
}

/** Plans every point against the current store. */
export async function planSweep(
  points: readonly SweepPoint[],
  store: ArtifactStore,
  implementations: ReadonlyMap<StageName, StageImplementation<never>>,
  fingerprints: FingerprintCache,
  until?: StageName,
): Promise<PointPlan[]> {
  const computedBy = new Map<string, number>();
  const result: PointPlan[] = [];
  for (const point of points) {
    const plans = await planExperiment(point.config, store, implementations, fingerprints, until === undefined ? {} : { until });
    const identities = new Map<StageName, string>();
    const stages = new Map<StageName, StageFate>();
    const hits = new Map<StageName, Manifest>();
    for (const plan of plans) {
      if (plan.decision === 'hit') hits.set(plan.stage.name, plan.manifest!);
      const { stage } = plan;
      const upstream = stage.inputs.map((name) => identities.get(name));
      const identity = sha256Hex(canonicalJson({ stage: stage.name, slice: stage.configSlice(point.config), upstream }));
      identities.set(stage.name, identity);
      stages.set(stage.name, fateOf(plan.decision, identity, point.index, computedBy));
    }
    result.push({ point, stages, hits });
  }
  return result;
}

function fateOf(decision: string, identity: string, pointIndex: number, computedBy: Map<string, number>): StageFate {
  if (decision === 'hit') return { kind: 'hit' };
  const earlier = computedBy.get(identity);
  if (earlier !== undefined) return { kind: 'shared', withPoint: earlier };
  computedBy.set(identity, pointIndex);
  return { kind: 'compute' };
}

/** Per-stage totals, in stage order. */
export function tallySweep(plans: readonly PointPlan[]): StageTally[] {
  const tallies = new Map<StageName, StageTally>();
  for (const plan of plans) {
    for (const [stage, fate] of plan.stages) {
      const tally = tallies.get(stage) ?? { stage, runs: 0, hits: 0, compute: 0, shared: 0 };
      tally.runs++;
      if (fate.kind === 'hit') tally.hits++;
      else if (fate.kind === 'compute') tally.compute++;
      else tally.shared++;
      tallies.set(stage, tally);
    }
  }
  return [...tallies.values()];
}

/** `hit`, `compute` or `shared #3`. */
export function formatFate(fate: StageFate): string {
  return fate.kind === 'shared' ? `shared #${fate.withPoint}` : fate.kind;
}
