/**
 * Config hashes and the experiment id (method.md section 1).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { EXTENSION_PATHS, FLOAT_PATHS, experimentConfigSchema, type ExperimentConfig } from './schema';

/** Hex SHA-256 of a UTF-8 string. */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** First 16 hex characters of the SHA-256 of the canonical JSON, as the reference's `config_hash`. */
export function shortHash(value: unknown, floatPaths: ReadonlySet<string> = FLOAT_PATHS): string {
  return sha256Hex(canonicalJson(value, floatPaths)).slice(0, 16);
}

const DEFAULTS: ExperimentConfig = experimentConfigSchema.parse({});

/**
 * The form of a config that its hash is computed over: the original layout in full, this
 * project's extension fields only where they differ from their defaults, no `runtime`.
 * An original file therefore hashes exactly as in the reference implementation.
 */
export function hashedForm(config: ExperimentConfig): Record<string, unknown> {
  const copy = structuredClone(config) as Record<string, unknown>;
  delete copy.runtime;
  for (const path of EXTENSION_PATHS) {
    const parts = path.split('.');
    const parent = parts.slice(0, -1).reduce<Record<string, unknown>>((obj, key) => obj[key] as Record<string, unknown>, copy);
    const leaf = parts[parts.length - 1];
    const defaultValue = parts.reduce<unknown>((obj, key) => (obj as Record<string, unknown>)[key], DEFAULTS);
    if (canonicalJson(parent[leaf], FLOAT_PATHS) === canonicalJson(defaultValue, FLOAT_PATHS)) delete parent[leaf];
  }
  return copy;
}

/** The full config hash (16 hex), over `hashedForm`. Anchor: 9c16112a1e86901c. */
export function configHash(config: ExperimentConfig): string {
  return shortHash(hashedForm(config));
}

/** Hash of the `graph` section alone, as the reference's graph_config_hash. Anchor: b565be901e7d36c3. */
export function graphConfigHash(config: ExperimentConfig): string {
  const graph = (hashedForm(config) as { graph: unknown }).graph;
  return shortHash(graph, GRAPH_FLOAT_PATHS);
}

const GRAPH_FLOAT_PATHS: ReadonlySet<string> = new Set(
  [...FLOAT_PATHS].filter((p) => p.startsWith('graph.')).map((p) => p.slice('graph.'.length)),
);

/**
 * The experiment id: `n{n}_w{w}_r{r}_d{d}_L{L}_s{seed}_{config-hash-8}`. Stable for a config,
 * so re-running or re-submitting it resumes the same experiment; `runSuffix` names a
 * deliberate repeat.
 */
export function experimentId(config: ExperimentConfig, runSuffix?: string): string {
  const { graph, model, training, seed } = config;
  const base = `n${graph.n}_w${training.w}_r${training.r}_d${model.d_model}_L${model.n_layers}_s${seed}_${configHash(config).slice(0, 8)}`;
  return runSuffix ? `${base}_${runSuffix}` : base;
}
