/**
 * Turning the workflow's upstream references back into verified manifests. Workers on other
 * hosts read the same store (DCSBM_STORE on a shared filesystem), so a missing or altered
 * artifact is an InputError naming the store.
 */
import type { ArtifactStore, Manifest } from '../artifacts/artifact-store';
import { InputError } from '../errors';
import type { StageDeclaration } from '../pipeline/dag';
import type { StageRef } from './contract';

/** The verified manifests of `stage`'s inputs, keyed by stage name. */
export async function readUpstream(store: ArtifactStore, stage: StageDeclaration, refs: readonly StageRef[]): Promise<Map<string, Manifest>> {
  const manifests = new Map<string, Manifest>();
  for (const input of stage.inputs) {
    const ref = refs.find((candidate) => candidate.stage === input);
    if (ref === undefined) throw new InputError(`stage ${stage.name} needs the ${input} artifact, but the workflow passed none`, { stage: stage.name });
    manifests.set(input, await readRef(store, ref, stage.name));
  }
  return manifests;
}

/** One referenced artifact, checked against its digest and its files. */
export async function readRef(store: ArtifactStore, ref: StageRef, reader: string): Promise<Manifest> {
  const manifest = await store.read(ref.stage, ref.key);
  const where = `${ref.stage} artifact ${ref.key.slice(0, 12)} in the store at ${store.root}`;
  if (manifest === null) {
    throw new InputError(`${where} is missing: every worker must use the same shared DCSBM_STORE`, { stage: reader });
  }
  if (manifest.digest !== ref.digest) {
    throw new InputError(`${where} has digest ${manifest.digest.slice(0, 12)}, the workflow expected ${ref.digest.slice(0, 12)}`, { stage: reader });
  }
  const check = await store.verify(manifest);
  if (!check.ok) throw new InputError(`${where} is corrupt: ${check.problems.join('; ')}`, { stage: reader });
  return manifest;
}
