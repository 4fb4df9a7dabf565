/**
 * Walk corpora (reference-pipeline.md section 5.4, method.md section 3): the first ceil(N/2)
 * walks start at the jumpers in rotation, the rest at uniform random vertices, every walk
 * guided so that every rule with a deadline inside the walk is honoured.
 *
 * Walk i draws only from `Rng.derive(seed, 'walks', split, i, attempt)`, so any index range can
 * be generated on its own and ranges concatenate to exactly the whole corpus (worker threads).
 */
import type { TrainingConfig } from '../config/schema';
import { InputError } from '../errors';
import { hasEdge } from '../graph/csr';
import type { DcsbmGraph, Jumper } from '../graph/graph';
import type { Reachability } from '../graph/reachability';
import { Rng } from '../random/rng';
import { concatEvents, EventBuffer, type WalkEvents } from './events';
import { GuidedWalker } from './guided-walk';

/** Restarts of one walk before generation gives up. */
export const MAX_WALK_RESTARTS = 100;
/** Walks between two progress callbacks. */
export const PROGRESS_INTERVAL = 2000;

/** Which corpus: the split name is part of every walk's random stream. */
export type CorpusSplit = 'train' | 'eval';

/** What to generate. */
export interface CorpusOptions {
  /** Master seed of the experiment. */
  seed: number;
  split: CorpusSplit;
  /** Walks in the WHOLE corpus (fixes the jumper-start / random-start boundary). */
  nWalks: number;
  /** Vertices per walk. */
  walkLength: number;
  /** Half-open range of walk indices to generate; default [0, nWalks). */
  range?: readonly [number, number];
  /** Called with the number of walks done in this range, every {@link PROGRESS_INTERVAL} walks and at the end. */
  onProgress?: (walksDone: number) => void;
  /**
   * Where to write the walks, length (range length) x walkLength; default a new array. Worker
   * threads pass a view of one SharedArrayBuffer so the parts need no copying afterwards.
   */
  output?: Int32Array;
}

/** Counts describing a generated corpus (or range of one). */
export interface CorpusStats {
  walks: number;
  tokens: number;
  /** Jumper occurrences (every jumper token is an event). */
  events: number;
  /** Events whose deadline falls inside the walk: the rules that are enforced and checked. */
  checks: number;
  /** Checks the generator saw honoured; equals `checks`. */
  compliantChecks: number;
  walksWithEvents: number;
  /** Walks discarded and regenerated on the next attempt stream. */
  restarts: number;
  /** Event count per jumper, in sorted jumper order. */
  eventsPerJumper: number[];
}

/** A corpus or a contiguous range of one. */
export interface Corpus {
  split: CorpusSplit;
  nWalks: number;
  walkLength: number;
  range: [number, number];
  /** (range length) x walkLength vertex ids, row-major. */
  walks: Int32Array;
  events: WalkEvents;
  stats: CorpusStats;
}

/** Walk counts of both corpora: train = corpus_size, eval = max(1, floor(corpus_size / 9)). */
export function corpusSizes(training: Pick<TrainingConfig, 'corpus_size'>): { train: number; eval: number } {
  return { train: training.corpus_size, eval: Math.max(1, Math.floor(training.corpus_size / 9)) };
}

/** Jumpers in the canonical order (sourceBlock, vertex) that start-vertex rotation and stats use. */
export function sortJumpers(jumpers: readonly Jumper[]): Jumper[] {
  return [...jumpers].sort((a, b) => a.sourceBlock - b.sourceBlock || a.vertex - b.vertex);
}

/**
 * Generates walks `range` of a corpus. Throws InputError when a jumper is invalid for the tables
 * (see {@link GuidedWalker}) or a walk still fails after {@link MAX_WALK_RESTARTS} restarts,
 * RangeError for malformed options.
 */
export function generateCorpus(graph: DcsbmGraph, jumpers: readonly Jumper[], tables: Reachability, options: CorpusOptions): Corpus {
  const { seed, split, nWalks, walkLength } = options;
  const [first, end] = corpusRange(options);
  const sorted = sortJumpers(jumpers);
  const walker = new GuidedWalker(graph, sorted, tables, walkLength);
  const jumperIndex = new Int32Array(graph.n).fill(-1);
  sorted.forEach((j, i) => (jumperIndex[j.vertex] = i));
  const walks = options.output ?? new Int32Array((end - first) * walkLength);
  if (walks.length !== (end - first) * walkLength) {
    throw new RangeError(`generateCorpus: output holds ${walks.length} tokens, the range needs ${(end - first) * walkLength}`);
  }
  const events = new EventBuffer();
  const stats = emptyStats(sorted.length);
  // No jumpers: every walk is a random-start walk.
  const jumperStarts = sorted.length > 0 ? Math.ceil(nWalks / 2) : 0;
  const context: WalkContext = { walker, sorted, jumperStarts, seed, split, n: graph.n, walks, first, events };
  for (let i = first; i < end; i++) {
    const mark = events.length;
    const restarts = generateWalk(context, i);
    recordWalk(stats, walker, events, mark, jumperIndex, restarts);
    if (options.onProgress && ((i - first + 1) % PROGRESS_INTERVAL === 0 || i + 1 === end)) options.onProgress(i - first + 1);
  }
  stats.walks = end - first;
  stats.tokens = stats.walks * walkLength;
  return { split, nWalks, walkLength, range: [first, end], walks, events: events.toEvents(), stats };
}

interface WalkContext {
  walker: GuidedWalker;
  sorted: readonly Jumper[];
  jumperStarts: number;
  seed: number;
  split: CorpusSplit;
  n: number;
  walks: Int32Array;
  first: number;
  events: EventBuffer;
}

/** Writes walk i in place, restarting on fresh attempt streams when it gets stuck; returns the restart count. */
function generateWalk(context: WalkContext, i: number): number {
  const { walker, sorted, seed, split, events } = context;
  const mark = events.length;
  const offset = (i - context.first) * walker.walkLength;
  let rng = Rng.derive(seed, 'walks', split, i, 0);
  // The start is fixed by attempt 0's stream, so restarts never bias the start distribution.
  const start = i < context.jumperStarts ? sorted[i % sorted.length].vertex : rng.int(context.n);
  let attempt = 0;
  while (!walker.walk(start, rng, context.walks, offset, i, events)) {
    events.truncate(mark);
    if (++attempt > MAX_WALK_RESTARTS) {
      throw new InputError(`walks: ${split} walk ${i} (start ${start}) found no admissible next vertex in ${MAX_WALK_RESTARTS + 1} attempts`);
    }
    rng = Rng.derive(seed, 'walks', split, i, attempt);
  }
  return attempt;
}

/** The validated index range of `options` (default [0, nWalks)). Throws RangeError for malformed options. */
export function corpusRange(options: Pick<CorpusOptions, 'nWalks' | 'walkLength' | 'range'>): [number, number] {
  const { nWalks, walkLength, range } = options;
  if (!(Number.isInteger(nWalks) && nWalks >= 0)) throw new RangeError(`generateCorpus: nWalks must be a non-negative integer, got ${nWalks}`);
  if (!(Number.isInteger(walkLength) && walkLength >= 1)) {
    throw new RangeError(`generateCorpus: walkLength must be a positive integer, got ${walkLength}`);
  }
  const [first, end] = range ?? [0, nWalks];
  if (!(Number.isInteger(first) && Number.isInteger(end) && first >= 0 && first <= end && end <= nWalks)) {
    throw new RangeError(`generateCorpus: range [${first}, ${end}) is not inside [0, ${nWalks})`);
  }
  return [first, end];
}

function emptyStats(jumperCount: number): CorpusStats {
  return {
    walks: 0,
    tokens: 0,
    events: 0,
    checks: 0,
    compliantChecks: 0,
    walksWithEvents: 0,
    restarts: 0,
    eventsPerJumper: new Array<number>(jumperCount).fill(0),
  };
}

function recordWalk(stats: CorpusStats, walker: GuidedWalker, events: EventBuffer, mark: number, jumperIndex: Int32Array, restarts: number): void {
  stats.restarts += restarts;
  stats.checks += walker.counters.checks;
  stats.compliantChecks += walker.counters.compliant;
  const count = events.length - mark;
  stats.events += count;
  if (count > 0) stats.walksWithEvents++;
  for (let e = mark; e < events.length; e++) stats.eventsPerJumper[jumperIndex[events.vertexAt(e)]]++;
}

/**
 * Concatenates contiguous ranges of one corpus (in range order) into one corpus; the result is
 * byte-identical to generating the union at once. When `walks` is given it already holds every
 * part's walks in order (written in place through {@link CorpusOptions.output}) and is used as is;
 * the parts' own `walks` are then ignored. Throws RangeError for gaps or mismatched parts.
 */
export function mergeCorpora(parts: readonly Corpus[], walks?: Int32Array): Corpus {
  if (parts.length === 0) throw new RangeError('mergeCorpora: no parts');
  const sortedParts = [...parts].sort((a, b) => a.range[0] - b.range[0]);
  const head = sortedParts[0];
  for (let i = 1; i < sortedParts.length; i++) {
    const [prev, cur] = [sortedParts[i - 1], sortedParts[i]];
    if (cur.range[0] !== prev.range[1] || cur.split !== head.split || cur.walkLength !== head.walkLength || cur.nWalks !== head.nWalks) {
      throw new RangeError(`mergeCorpora: part [${cur.range}] does not continue part [${prev.range}] of the same corpus`);
    }
  }
  return {
    split: head.split,
    nWalks: head.nWalks,
    walkLength: head.walkLength,
    range: [head.range[0], sortedParts[sortedParts.length - 1].range[1]],
    walks: walks ?? concatWalks(sortedParts),
    events: concatEvents(sortedParts.map((p) => p.events)),
    stats: mergeStats(sortedParts.map((p) => p.stats)),
  };
}

function concatWalks(parts: readonly Corpus[]): Int32Array {
  const walks = new Int32Array(parts.reduce((sum, p) => sum + p.walks.length, 0));
  let offset = 0;
  for (const p of parts) {
    walks.set(p.walks, offset);
    offset += p.walks.length;
  }
  return walks;
}

function mergeStats(parts: readonly CorpusStats[]): CorpusStats {
  const out = emptyStats(parts[0].eventsPerJumper.length);
  for (const s of parts) {
    out.walks += s.walks;
    out.tokens += s.tokens;
    out.events += s.events;
    out.checks += s.checks;
    out.compliantChecks += s.compliantChecks;
    out.walksWithEvents += s.walksWithEvents;
    out.restarts += s.restarts;
    s.eventsPerJumper.forEach((c, i) => (out.eventsPerJumper[i] += c));
  }
  return out;
}

/** Counts measured by {@link validateCorpus}. */
export interface CorpusValidation {
  walks: number;
  /** Consecutive vertex pairs examined. */
  pairs: number;
  /** Pairs that are not edges of the graph. */
  invalidPairs: number;
  /** Jumper tokens found by scanning the walks. */
  jumperOccurrences: number;
  /** Occurrences whose deadline step + r lies inside the walk. */
  checks: number;
  /** Checks whose vertex at the deadline is in the target block. */
  compliantChecks: number;
  /** Recorded events that do not match the scanned occurrences one to one (missing, extra or altered). */
  eventMismatches: number;
}

/**
 * Re-derives validity from the tokens alone, independently of the generator: every
 * consecutive pair must be an edge, every jumper token is an occurrence, and every occurrence
 * with its deadline inside the walk is checked against the block of the vertex at the deadline.
 * Recorded events are compared with the scanned occurrences.
 */
export function validateCorpus(graph: DcsbmGraph, jumpers: readonly Jumper[], corpus: Corpus): CorpusValidation {
  const L = corpus.walkLength;
  // Typed lookups instead of a Map: this scans every token of the corpus.
  const jumperR = new Int32Array(graph.n);
  const jumperTarget = new Int32Array(graph.n);
  for (const j of jumpers) {
    jumperR[j.vertex] = j.r;
    jumperTarget[j.vertex] = j.targetBlock;
  }
  const result: CorpusValidation = { walks: corpus.walks.length / L, pairs: 0, invalidPairs: 0, jumperOccurrences: 0, checks: 0, compliantChecks: 0, eventMismatches: 0 };
  const ev = corpus.events;
  const dense = denseAdjacency(graph);
  let next = 0;
  for (let w = 0; w < result.walks; w++) {
    const base = w * L;
    for (let s = 0; s < L; s++) {
      const v = corpus.walks[base + s];
      if (s + 1 < L) {
        result.pairs++;
        const u = corpus.walks[base + s + 1];
        if (dense !== undefined ? dense[v * graph.n + u] === 0 : !hasEdge(graph, v, u)) result.invalidPairs++;
      }
      const r = jumperR[v];
      if (r === 0) continue;
      const target = jumperTarget[v];
      result.jumperOccurrences++;
      if (s + r < L) {
        result.checks++;
        if (graph.block[corpus.walks[base + s + r]] === target) result.compliantChecks++;
      }
      const matches =
        next < ev.walk.length && ev.walk[next] === corpus.range[0] + w && ev.step[next] === s &&
        ev.vertex[next] === v && ev.targetBlock[next] === target && ev.arrivalStep[next] === s + r;
      if (matches) next++;
      else result.eventMismatches++;
    }
  }
  // Recorded events left over match no occurrence.
  result.eventMismatches += ev.walk.length - next;
  return result;
}

/** Largest n for which validation uses an n x n byte matrix (16 MiB) instead of binary search. */
const DENSE_ADJACENCY_MAX_N = 4096;

/** An n x n 0/1 matrix of the edges for O(1) lookups, or undefined when n is too large. */
function denseAdjacency(graph: DcsbmGraph): Uint8Array | undefined {
  if (graph.n > DENSE_ADJACENCY_MAX_N) return undefined;
  const matrix = new Uint8Array(graph.n * graph.n);
  for (let v = 0; v < graph.n; v++) {
    for (let e = graph.rowPtr[v]; e < graph.rowPtr[v + 1]; e++) matrix[v * graph.n + graph.colIdx[e]] = 1;
  }
  return matrix;
}
