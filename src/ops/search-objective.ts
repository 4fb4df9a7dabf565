/**
 * The objective of a search: a number in a trial's result.json named by a path.
 *
 * Syntax: segments separated by dots (`stages.train.summary.final_loss`); a segment may be
 * written in brackets, as an array index (`rule_compliance_by_r[0]`) or as a JSON string for
 * a key that contains dots (`["qkt.layer_0.head_0.spectral_entropy"]`). Reading: on an object
 * a segment is a key; on an array an integer segment is an index and any other segment selects
 * the element whose `name` equals it, which is how stages are addressed (`stages.train`).
 */
import { PIPELINE_STAGES, type StageName } from '../pipeline/dag';
import { resultSchema, stageRecordSchema } from '../pipeline/result-schema';

/** A parsed path segment. */
export type PathSegment = string | number;

/**
 * The segments of `path`.
 * @throws RangeError describing the first syntax error (position and what was expected).
 */
export function parseObjectivePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new RangeError(`${what} at character ${i + 1} of ${JSON.stringify(path)}`);
  };
  while (i < path.length) {
    if (path[i] === '[') {
      i++;
      if (path[i] === '"') {
        let j = i + 1;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        if (j >= path.length) fail('an unclosed "');
        try {
          segments.push(JSON.parse(path.slice(i, j + 1)) as string);
        } catch {
          fail('an invalid quoted key');
        }
        i = j + 1;
      } else {
        const index = /^\d+/.exec(path.slice(i));
        if (index === null) fail('a bracket holds an index or a "quoted key"');
        segments.push(Number(index![0]));
        i += index![0].length;
      }
      if (path[i] !== ']') fail('expected ]');
      i++;
    } else {
      const key = /^[A-Za-z0-9_-]+/.exec(path.slice(i));
      if (key === null) fail('expected a key');
      segments.push(key![0]);
      i += key![0].length;
    }
    if (i === path.length) break;
    if (path[i] === '.') {
      i++;
      if (i === path.length || path[i] === '[') fail('expected a key after "."');
    } else if (path[i] !== '[') fail('expected "." or [');
  }
  if (segments.length === 0) fail('an empty path');
  return segments;
}

/**
 * Why `path` cannot address a scalar of result.json, or null when it can: its syntax, its
 * first key (a result.json field), and for `stages.<stage>.<field>` the stage and field names.
 */
export function objectivePathProblem(path: string): string | null {
  let segments: PathSegment[];
  try {
    segments = parseObjectivePath(path);
  } catch (error) {
    return `not a path: ${(error as Error).message}`;
  }
  const fields = Object.keys(resultSchema.shape);
  const [head, stage, field] = segments;
  if (typeof head !== 'string' || !fields.includes(head)) return `result.json has no field ${JSON.stringify(head)} (it has ${fields.join(', ')})`;
  if (head !== 'stages' || stage === undefined || typeof stage === 'number') return null;
  if (!(PIPELINE_STAGES as readonly string[]).includes(stage)) return `no stage named ${JSON.stringify(stage)} (the stages are ${PIPELINE_STAGES.join(', ')})`;
  const recordFields = Object.keys(stageRecordSchema.shape);
  if (field !== undefined && (typeof field !== 'string' || !recordFields.includes(field))) {
    return `a stage record has no field ${JSON.stringify(field)} (it has ${recordFields.join(', ')}; a stage's own numbers are under summary)`;
  }
  return null;
}

/** The stage whose output `path` reads (`stages.<stage>...`, or analyse for `analysis...`), or null. */
export function objectiveStage(path: string): StageName | null {
  const [head, stage] = parseObjectivePath(path);
  if (head === 'analysis') return 'analyse';
  if (head === 'stages' && typeof stage === 'string' && (PIPELINE_STAGES as readonly string[]).includes(stage)) return stage as StageName;
  return null;
}

/** The value at `path` in `document`, or a reason it is not a finite number. */
export function readObjective(document: unknown, path: string): { value: number } | { problem: string } {
  let node: unknown = document;
  const walked: string[] = [];
  for (const segment of parseObjectivePath(path)) {
    walked.push(String(segment));
    node = step(node, segment);
    if (node === undefined) return { problem: `${walked.join('.')} is absent` };
  }
  if (typeof node !== 'number' || !Number.isFinite(node)) return { problem: `${path} is ${JSON.stringify(node)?.slice(0, 40)}, not a number` };
  return { value: node };
}

function step(node: unknown, segment: PathSegment): unknown {
  if (Array.isArray(node)) {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) return node[Number(segment)];
    return node.find((item) => typeof item === 'object' && item !== null && (item as { name?: unknown }).name === segment);
  }
  if (typeof node === 'object' && node !== null && typeof segment === 'string' && Object.hasOwn(node, segment)) return (node as Record<string, unknown>)[segment];
  return undefined;
}

/** Orders two objective values, better first for `direction`; null (no value) is worst. */
export function compareObjectives(a: number | null, b: number | null, direction: 'minimize' | 'maximize'): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return direction === 'minimize' ? a - b : b - a;
}
