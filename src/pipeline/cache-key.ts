/**
 * Cache keys: sha256 over the canonical JSON of everything that determines a stage's bytes
 * (architecture.md "Cache key"), and the explanation of why a key is not in the store.
 */
import { canonicalJson } from '../config/canonical-json';
import { sha256Hex } from '../config/hash';
import type { KeyInputs, Manifest } from '../artifacts/artifact-store';
import type { ExperimentConfig } from '../config/schema';
import type { CodeFingerprint } from './code-fingerprint';
import type { StageDeclaration } from './dag';

/** Assembles the key inputs of a stage. */
export function keyInputsFor(
  stage: StageDeclaration,
  config: ExperimentConfig,
  code: CodeFingerprint,
  upstream: Record<string, string>,
  runtime: Record<string, string | number> = {},
): KeyInputs {
  return { stage: stage.name, version: stage.version, code, config: stage.configSlice(config), upstream, runtime };
}

/** The cache key: sha256 of the canonical JSON of the key inputs (fields are JSON-encoded, never joined). */
export function cacheKey(inputs: KeyInputs): string {
  return sha256Hex(canonicalJson(inputs));
}

/** Human-readable differences between two sets of key inputs, most specific first. */
export function describeDifferences(current: KeyInputs, previous: KeyInputs): string[] {
  const reasons: string[] = [];
  if (current.version !== previous.version) {
    reasons.push(`stage version changed (${previous.version} -> ${current.version})`);
  }
  reasons.push(...diffValues('', current.config, previous.config).map((d) => `config ${d}`));
  for (const [name, digest] of Object.entries(current.upstream)) {
    const before = previous.upstream[name];
    if (before !== digest) reasons.push(`upstream ${name} artifact changed (${short(before)} -> ${short(digest)})`);
  }
  reasons.push(...diffRecords(current.code.files, previous.code.files, 'code'));
  reasons.push(...diffRecords(current.code.packages, previous.code.packages, 'package'));
  reasons.push(...diffValues('', current.runtime, previous.runtime).map((d) => `runtime ${d}`));
  return reasons;
}

/**
 * Why `current` misses: compared with the closest earlier artifact of the same stage (fewest
 * differences, newest on ties), or "no earlier artifact" when the store has none.
 */
export function explainMiss(current: KeyInputs, earlier: readonly Manifest[]): string[] {
  let best: { manifest: Manifest; reasons: string[] } | null = null;
  for (const manifest of earlier) {
    const reasons = describeDifferences(current, manifest.keyInputs);
    const better =
      best === null ||
      reasons.length < best.reasons.length ||
      (reasons.length === best.reasons.length && manifest.timings.finishedAt > best.manifest.timings.finishedAt);
    if (better) best = { manifest, reasons };
  }
  if (best === null) return [`no earlier ${current.stage} artifact in the store`];
  const against = `vs. key ${best.manifest.key.slice(0, 12)} of ${best.manifest.experimentId}`;
  if (best.reasons.length === 0) return [`the artifact ${against} has the same inputs but another key (key format changed)`];
  return best.reasons.map((reason) => `${reason} ${against}`);
}

function diffValues(path: string, current: unknown, previous: unknown): string[] {
  if (isRecord(current) && isRecord(previous)) {
    const keys = [...new Set([...Object.keys(current), ...Object.keys(previous)])].sort();
    return keys.flatMap((key) => diffValues(path === '' ? key : `${path}.${key}`, current[key], previous[key]));
  }
  if (canonicalJson(current ?? null) === canonicalJson(previous ?? null)) return [];
  return [`${path} changed (${render(previous)} -> ${render(current)})`];
}

function diffRecords(current: Record<string, string>, previous: Record<string, string>, label: string): string[] {
  const reasons: string[] = [];
  for (const [name, value] of Object.entries(current)) {
    if (!(name in previous)) reasons.push(`${label} ${name} added`);
    else if (previous[name] !== value) reasons.push(`${label} ${name} changed${label === 'package' ? ` (${previous[name]} -> ${value})` : ''}`);
  }
  for (const name of Object.keys(previous)) if (!(name in current)) reasons.push(`${label} ${name} removed`);
  return reasons;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function render(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

function short(digest: string | undefined): string {
  return digest === undefined ? '(none)' : digest.slice(0, 12);
}
