/**
 * Planning: for each stage, its cache key and whether it is a hit, a miss (with the reason)
 * or pending (an upstream stage will be recomputed, so its key is not known yet). The
 * embedded runner and `npm run plan` share this code.
 */
import type { ArtifactStore, KeyInputs, Manifest } from '../artifacts/artifact-store';
import type { ExperimentConfig } from '../config/schema';
import { cacheKey, explainMiss, keyInputsFor } from './cache-key';
import { fingerprintModules, type CodeFingerprint } from './code-fingerprint';
import { stagesUpTo, type StageDeclaration, type StageName } from './dag';
import { runtimeIdentity } from './runtime-identity';
import type { StageImplementation } from './stage';

export type Decision = 'hit' | 'miss' | 'pending';

export interface StagePlan {
  stage: StageDeclaration;
  decision: Decision;
  /** Why it is a miss or pending (empty for a hit). */
  reasons: string[];
  /** Null while pending. */
  key: string | null;
  keyInputs: KeyInputs | null;
  /** The published artifact: valid for a hit, corrupt for a miss that found one. */
  manifest: Manifest | null;
}

export interface PlanOptions {
  /** Stages to recompute even when cached. */
  force?: ReadonlySet<string>;
  forceAll?: boolean;
  /** Plan only up to this stage (and its inputs). */
  until?: StageName;
  /**
   * Check every cached artifact's sha256 before calling it a hit. A plan that only feeds
   * estimates (pre-flight) can skip it: the run that follows verifies each hit anyway.
   * @default true
   */
  verifyHits?: boolean;
}

/** Resolves the code fingerprint of each implementation once per process. */
export class FingerprintCache {
  readonly #projectRoot: string;
  readonly #cache = new Map<string, CodeFingerprint>();

  constructor(projectRoot: string) {
    this.#projectRoot = projectRoot;
  }

  of(implementation: StageImplementation<never>): CodeFingerprint {
    let fingerprint = this.#cache.get(implementation.module);
    if (fingerprint === undefined) {
      fingerprint = fingerprintModules([implementation.module], this.#projectRoot);
      this.#cache.set(implementation.module, fingerprint);
    }
    return fingerprint;
  }
}

/** What a stage's key is and whether the store has it, given its upstream manifests. */
export async function resolveStage(
  stage: StageDeclaration,
  config: ExperimentConfig,
  upstream: ReadonlyMap<string, Manifest>,
  code: CodeFingerprint,
  store: ArtifactStore,
  forced: boolean,
  verify = true,
): Promise<StagePlan> {
  const digests = Object.fromEntries(stage.inputs.map((name) => [name, upstream.get(name)!.digest]));
  const keyInputs = keyInputsFor(stage, config, code, digests, await runtimeIdentity(stage, config));
  const key = cacheKey(keyInputs);
  const plan = (decision: Decision, reasons: string[], manifest: Manifest | null = null): StagePlan => ({
    stage,
    decision,
    reasons,
    key,
    keyInputs,
    manifest,
  });
  if (forced) return plan('miss', [`forced (--force ${stage.name} or --force-all)`]);
  const manifest = await store.read(stage.name, key);
  if (manifest !== null) {
    const check = verify ? await store.verify(manifest) : ({ ok: true } as const);
    if (check.ok) return plan('hit', [], manifest);
    return plan('miss', check.problems.map((problem) => `cached artifact is corrupt and will be recomputed: ${problem}`), manifest);
  }
  return plan('miss', explainMiss(keyInputs, await store.list(stage.name)));
}

/** Plans every stage up to `options.until` without running anything. */
export async function planExperiment(
  config: ExperimentConfig,
  store: ArtifactStore,
  implementations: ReadonlyMap<StageName, StageImplementation<never>>,
  fingerprints: FingerprintCache,
  options: PlanOptions = {},
): Promise<StagePlan[]> {
  const plans: StagePlan[] = [];
  const published = new Map<string, Manifest>();
  for (const stage of stagesUpTo(options.until)) {
    const waitingOn = stage.inputs.filter((name) => !published.has(name));
    if (waitingOn.length > 0) {
      const reasons = waitingOn.map((name) => `upstream ${name} will be recomputed first`);
      plans.push({ stage, decision: 'pending', reasons, key: null, keyInputs: null, manifest: null });
      continue;
    }
    const forced = options.forceAll === true || options.force?.has(stage.name) === true;
    const implementation = implementations.get(stage.name)!;
    const plan = await resolveStage(stage, config, published, fingerprints.of(implementation), store, forced, options.verifyHits ?? true);
    if (plan.decision === 'hit') published.set(stage.name, plan.manifest!);
    plans.push(plan);
  }
  return plans;
}
