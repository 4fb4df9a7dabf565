import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors';
import type { DcsbmGraph, Jumper } from '../../src/graph/graph';
import { buildReachability, canReach, reachIndex, type Reachability } from '../../src/graph/reachability';
import { Rng } from '../../src/random/rng';
import { generateCorpus, validateCorpus } from '../../src/walks/corpus';
import { EventBuffer } from '../../src/walks/events';
import { GuidedWalker } from '../../src/walks/guided-walk';
import { makeGraph, setup, TINY } from '../graph/fixtures';

/** Total-variation distance between two distributions over the same index set. */
function tv(p: Float64Array, q: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += Math.abs(p[i] - q[i]);
  return sum / 2;
}

function normalise(x: Float64Array): Float64Array {
  const total = x.reduce((a, b) => a + b, 0);
  return x.map((v) => v / total);
}

/** One step of the distribution over vertices: each vertex passes its mass to its chosen neighbours. */
function stepDistribution(graph: DcsbmGraph, dist: Float64Array, share: (x: number, u: number) => number): Float64Array {
  const next = new Float64Array(graph.n);
  for (let x = 0; x < graph.n; x++) {
    if (dist[x] === 0) continue;
    let total = 0;
    for (let e = graph.rowPtr[x]; e < graph.rowPtr[x + 1]; e++) total += share(x, graph.colIdx[e]);
    for (let e = graph.rowPtr[x]; e < graph.rowPtr[x + 1]; e++) next[graph.colIdx[e]] += (dist[x] * share(x, graph.colIdx[e])) / total;
  }
  return next;
}

describe('single-checkpoint conditioning', () => {
  // One jumper and walk length r + 1: a revisit of the jumper has its deadline outside the walk,
  // so the walk must be exactly the uniform walk conditioned on being in the target block at r.
  const { graph } = setup(TINY, 8);
  const r = 4;
  const targetBlock = 1;
  const L = r + 1;
  const tables = buildReachability(graph, r);
  let vertex = 0;
  for (let v = 0; v < graph.blockSize; v++) {
    if (graph.rowPtr[v + 1] - graph.rowPtr[v] > graph.rowPtr[vertex + 1] - graph.rowPtr[vertex]) vertex = v;
  }
  const jumper: Jumper = { vertex, sourceBlock: 0, targetBlock, r };
  const samples = 60_000;
  const walker = new GuidedWalker(graph, [jumper], tables, L);
  const walks = new Int32Array(samples * L);
  const rng = Rng.derive(9, 'h-transform-test');
  const events = new EventBuffer();
  const completed = Array.from({ length: samples }, (_, i) => walker.walk(vertex, rng, walks, i * L, i, events)).filter(Boolean).length;
  const empirical = (step: number): Float64Array => {
    const counts = new Float64Array(graph.n);
    for (let i = 0; i < samples; i++) counts[walks[i * L + step]]++;
    return normalise(counts);
  };
  const start = new Float64Array(graph.n);
  start[vertex] = 1;

  // Exact conditioned walk (Doob h-transform): mass moves to u in proportion to h = prob_{remaining}(u, b).
  const exactAt: Float64Array[] = [start];
  for (let s = 1; s <= r; s++) {
    exactAt.push(stepDistribution(graph, exactAt[s - 1], (_, u) => tables.prob[reachIndex(tables, r - s, u, targetBlock)]));
  }
  // The plausible wrong implementation: uniform among the neighbours that can still make it.
  const uniformAt: Float64Array[] = [start];
  for (let s = 1; s <= r; s++) {
    uniformAt.push(stepDistribution(graph, uniformAt[s - 1], (_, u) => (canReach(tables, r - s, u, targetBlock) ? 1 : 0)));
  }
  const tolerance = 0.03;

  test('the exact endpoint law is the unconditioned r-step law restricted to the target block', () => {
    let plain: Float64Array = start;
    for (let s = 0; s < r; s++) plain = stepDistribution(graph, plain, () => 1);
    const restricted = normalise(plain.map((p, v) => (graph.block[v] === targetBlock ? p : 0)));
    expect(tv(restricted, exactAt[r])).toBeLessThan(1e-12);
  });

  test('a wrong sampler (uniform among feasible neighbours) is far from the exact law at this tolerance', () => {
    expect(tv(uniformAt[1], exactAt[1])).toBeGreaterThan(2 * tolerance);
    expect(tv(uniformAt[r], exactAt[r])).toBeGreaterThan(2 * tolerance);
  });

  test('every walk completes without a restart', () => {
    expect(completed).toBe(samples);
  });

  test('the vertex after the jumper follows the h-transform probabilities', () => {
    expect(tv(empirical(1), exactAt[1])).toBeLessThan(tolerance);
  });

  test('every intermediate vertex and the endpoint follow the conditioned walk', () => {
    for (let s = 2; s <= r; s++) expect(tv(empirical(s), exactAt[s])).toBeLessThan(tolerance);
    let outside = 0;
    for (let i = 0; i < samples; i++) if (graph.block[walks[i * L + r]] !== targetBlock) outside++;
    expect(outside).toBe(0);
  });
});

/**
 * Blocks {0,1,2} and {3,4,5}. Jumper 0 (r=3, target 1) steps to 1 or 2 with equal weight; from 1
 * the only edge leads to jumper 3 (r=1, target 0), whose checkpoint would fall on jumper 0's
 * deadline with another block: stepping there is excluded, so the walk is stuck and restarts.
 */
function trapGraph(withEscape: boolean): { graph: DcsbmGraph; jumpers: Jumper[]; tables: Reachability } {
  const edges: [number, number][] = [[0, 1], [1, 3], [2, 4], [3, 0], [3, 4], [4, 5], [4, 0], [5, 0]];
  if (withEscape) edges.push([0, 2]);
  const graph = makeGraph(6, 2, edges);
  const jumpers: Jumper[] = [
    { vertex: 0, sourceBlock: 0, targetBlock: 1, r: 3 },
    { vertex: 3, sourceBlock: 1, targetBlock: 0, r: 1 },
  ];
  return { graph, jumpers, tables: buildReachability(graph, 3) };
}

describe('restarts', () => {
  test('a walk that runs into a conflicting jumper is restarted on the next stream and counted', () => {
    const { graph, jumpers, tables } = trapGraph(true);
    const corpus = generateCorpus(graph, jumpers, tables, { seed: 1, split: 'train', nWalks: 200, walkLength: 4 });
    expect(corpus.stats.restarts).toBeGreaterThan(20);
    const check = validateCorpus(graph, jumpers, corpus);
    expect(check.invalidPairs).toBe(0);
    expect(check.eventMismatches).toBe(0);
    expect(check.checks).toBeGreaterThan(0);
    expect(check.compliantChecks).toBe(check.checks);
    // Jumper-start walks at vertex 0 must avoid the trap: 0 -> 2 -> 4 -> 5.
    for (let i = 0; i < 100; i += 2) expect(Array.from(corpus.walks.subarray(i * 4, i * 4 + 4))).toEqual([0, 2, 4, 5]);
  });

  test('EXPECTED FAILURE - a walk with no way out throws InputError naming the walk', () => {
    const { graph, jumpers, tables } = trapGraph(false);
    const run = (): unknown => generateCorpus(graph, jumpers, tables, { seed: 1, split: 'train', nWalks: 10, walkLength: 4 });
    expect(run).toThrow(InputError);
    expect(run).toThrow(/train walk 0 \(start 0\) found no admissible next vertex in 101 attempts/);
  });
});

describe('GuidedWalker', () => {
  const { graph, jumpers, tables } = trapGraph(true);

  test('EXPECTED FAILURE - a jumper whose own rule cannot be met is rejected', () => {
    // From vertex 5 the only 1-step target is vertex 0, in block 0.
    const bad: Jumper = { vertex: 5, sourceBlock: 1, targetBlock: 1, r: 1 };
    expect(() => new GuidedWalker(graph, [bad], tables, 4)).toThrow(/jumper 5 cannot reach its target block 1 in exactly r=1 steps/);
  });

  test('EXPECTED FAILURE - a vertex designated twice is rejected', () => {
    expect(() => new GuidedWalker(graph, [jumpers[0], jumpers[0]], tables, 4)).toThrow(/vertex 0 is designated as a jumper twice/);
  });

  test('EXPECTED FAILURE - rules longer than the tables are rejected unless they end outside the walk', () => {
    const long: Jumper = { vertex: 2, sourceBlock: 0, targetBlock: 1, r: 5 };
    expect(() => new GuidedWalker(graph, [long], tables, 8)).toThrow(/r=5 but the reachability tables cover 3 steps/);
    expect(() => new GuidedWalker(graph, [long], tables, 5)).not.toThrow();
  });
});
