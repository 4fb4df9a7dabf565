/**
 * "Did you mean" for unknown config keys: the allowed keys at a path of the schema and the
 * closest one to a misspelling.
 */
import { experimentConfigSchema } from './schema';

interface SchemaNode {
  _zod: { def: { type: string; innerType?: SchemaNode } };
  shape?: Record<string, SchemaNode>;
}

/** The keys an object at `path` may have (empty when `path` is not an object in the schema). */
export function allowedKeys(path: readonly string[]): string[] {
  let node: SchemaNode | undefined = unwrap(experimentConfigSchema as unknown as SchemaNode);
  for (const key of path) node = node?.shape?.[key] === undefined ? undefined : unwrap(node.shape[key]);
  return node?.shape === undefined ? [] : Object.keys(node.shape);
}

/** The allowed key closest to `key` (at most 2 edits, or a case change), or null. */
export function closestKey(key: string, allowed: readonly string[]): string | null {
  let best: { key: string; distance: number } | null = null;
  for (const candidate of allowed) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance <= 2 && (best === null || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key ?? null;
}

// Defaults, prefaults and nullables wrap the object schema they describe.
function unwrap(node: SchemaNode): SchemaNode {
  let current = node;
  while (current.shape === undefined && current._zod.def.innerType !== undefined) current = current._zod.def.innerType;
  return current;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
