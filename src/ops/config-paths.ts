/**
 * Dotted config paths (`training.walk_length`) as sweep grids name them: checking that a
 * path is a real config field, and setting it in a raw (not yet validated) config object.
 */
import { experimentConfigSchema } from '../config/schema';

const DEFAULTS: unknown = experimentConfigSchema.parse({});

/**
 * Why `path` cannot be a sweep axis, or null when it can: it must name a field of the
 * config (a leaf or a whole section) and must not be inside `sweep`.
 */
export function configPathProblem(path: string): string | null {
  const parts = path.split('.');
  if (parts[0] === 'sweep') return 'the sweep block cannot be swept: a point is one experiment';
  let node: unknown = DEFAULTS;
  for (const [i, key] of parts.entries()) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) {
      const at = parts.slice(0, i).join('.') || 'the config';
      return `unknown config path: ${at} has no field ${JSON.stringify(key)} (fields are listed in docs/configuration.md)`;
    }
    node = (node as Record<string, unknown>)[key];
  }
  return null;
}

/** Sets `path` to `value` in `raw`, creating missing sections. The path must have passed {@link configPathProblem}. */
export function setConfigPath(raw: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = raw;
  for (const key of parts.slice(0, -1)) {
    const child = node[key];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = structuredClone(value);
}

/** The value at `path` in `raw`, or undefined. */
export function getConfigPath(raw: unknown, path: string): unknown {
  let node = raw;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
