/**
 * Budget extension in the store: finding the artifact a run can continue from. A stage that
 * declares `prefixBudget` (the train stage: `training.max_steps`) says that two runs whose key
 * inputs are equal except for a smaller budget are a prefix and its extension. The lookup is
 * therefore exact, not heuristic: same stage version, same code fingerprint, same upstream
 * digests, same runtime identity, and the same config slice once the budget is removed.
 */
import type { ArtifactStore, KeyInputs, Manifest } from '../artifacts/artifact-store';
import { canonicalJson } from '../config/canonical-json';
import type { StageDeclaration } from './dag';

/** The value at `path` in a slice and the slice without it; null when the slice has no number there. */
export function splitBudget(slice: unknown, path: string): { budget: number; rest: unknown } | null {
  const parts = path.split('.');
  const rest = structuredClone(slice) as Record<string, unknown>;
  let node: Record<string, unknown> = rest;
  for (const key of parts.slice(0, -1)) {
    const child = node?.[key];
    if (typeof child !== 'object' || child === null) return null;
    node = child as Record<string, unknown>;
  }
  const leaf = parts[parts.length - 1];
  const budget = node[leaf];
  if (typeof budget !== 'number') return null;
  delete node[leaf];
  return { budget, rest };
}

/**
 * The manifests of `candidates` this run (`current`) may extend, best first: equal key inputs
 * except a smaller budget at `path`; the largest budget first, the newest on ties.
 */
export function shorterRunsOf(current: KeyInputs, path: string, candidates: readonly Manifest[]): { manifest: Manifest; budget: number }[] {
  const own = splitBudget(current.config, path);
  if (own === null) return [];
  const identity = (inputs: KeyInputs, rest: unknown) =>
    canonicalJson({ stage: inputs.stage, version: inputs.version, code: inputs.code, upstream: inputs.upstream, runtime: inputs.runtime, rest });
  const wanted = identity(current, own.rest);
  const found: { manifest: Manifest; budget: number }[] = [];
  for (const manifest of candidates) {
    const split = splitBudget(manifest.keyInputs.config, path);
    if (split === null || split.budget >= own.budget) continue;
    if (identity(manifest.keyInputs, split.rest) === wanted) found.push({ manifest, budget: split.budget });
  }
  return found.sort((a, b) => b.budget - a.budget || (a.manifest.timings.finishedAt < b.manifest.timings.finishedAt ? 1 : -1));
}

/** The best verified artifact of `stage` that the run with `keyInputs` extends, or null. */
export async function findShorterRun(
  stage: StageDeclaration,
  keyInputs: KeyInputs,
  store: ArtifactStore,
): Promise<{ manifest: Manifest; budget: number } | null> {
  if (stage.prefixBudget === undefined) return null;
  for (const candidate of shorterRunsOf(keyInputs, stage.prefixBudget, await store.list(stage.name))) {
    if ((await store.verify(candidate.manifest)).ok) return candidate;
  }
  return null;
}
