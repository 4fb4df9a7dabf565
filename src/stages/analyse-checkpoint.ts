/**
 * Checkpoints of the analyse stage: the results of the metric columns analysed so far. Columns
 * are independent (each has its own permutation and bootstrap streams), so a resumed run
 * analyses only the others and ends with the same analysis, byte for byte. Saved at most once
 * a minute after a column finishes, and once more when the stage is interrupted.
 *
 * The results are written as JSON that keeps every float64 exactly: typed arrays as base64 of
 * their bytes, NaN, infinities and -0 (which plain JSON loses) as tagged strings.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ColumnResult } from '../analysis/column-analysis';
import type { CheckpointStore } from '../pipeline/stage';

interface CheckpointMeta {
  version: 1;
  /** The metric columns of the run, in order: a checkpoint of another set is not used. */
  keys: string[];
  /** The columns whose results are saved. */
  done: string[];
}

const VERSION = 1;
const RESULTS = 'columns.json';

/** Column results by metric key, from this run's checkpoint; empty when there is none (or it is of other columns: `reject` says why). */
export async function loadAnalyseCheckpoint(store: CheckpointStore, keys: readonly string[], reject: (why: string) => void): Promise<Map<string, ColumnResult>> {
  const saved = await store.load<CheckpointMeta>();
  if (saved === null) return new Map();
  const { meta, dir } = saved;
  if (meta.version !== VERSION || meta.keys.length !== keys.length || meta.keys.some((key, i) => key !== keys[i])) {
    reject('the analyse checkpoint belongs to other metric columns');
    return new Map();
  }
  const results = JSON.parse(await readFile(join(dir, RESULTS), 'utf8'), revive) as Record<string, ColumnResult>;
  return new Map(meta.done.map((key) => [key, results[key]]));
}

/** Saves the results of `done` (all of them: the file is rewritten). */
export async function saveAnalyseCheckpoint(store: CheckpointStore, keys: readonly string[], done: ReadonlyMap<string, ColumnResult>): Promise<void> {
  const meta: CheckpointMeta = { version: VERSION, keys: [...keys], done: [...done.keys()] };
  const text = JSON.stringify(Object.fromEntries(done), exact);
  await store.save(meta, (dir) => writeFile(join(dir, RESULTS), text));
}

/** JSON.stringify replacer that keeps float64 values exact. */
function exact(_key: string, value: unknown): unknown {
  if (value instanceof Float64Array) return { $f64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return { $num: Object.is(value, -0) ? '-0' : String(value) };
  return value;
}

/** JSON.parse reviver undoing {@link exact}. */
function revive(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if ('$f64' in value) {
    const bytes = Buffer.from((value as { $f64: string }).$f64, 'base64');
    const out = new Float64Array(bytes.byteLength / 8);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  if ('$num' in value) return Number((value as { $num: string }).$num);
  return value;
}
