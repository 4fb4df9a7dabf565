import { describe, expect, test } from 'vitest';
import { jumperRValues } from '../../src/config/jumper-r';
import { InputError } from '../../src/errors';
import { designateJumpers, isNonTrivial, jumperReachSteps } from '../../src/graph/jumpers';
import { buildReachability } from '../../src/graph/reachability';
import { graphConfig, makeGraph, setup, DENSE_JUMPERS } from './fixtures';

describe('designateJumpers', () => {
  const w = 8;
  const dense = setup(DENSE_JUMPERS, w);
  const config = graphConfig(DENSE_JUMPERS);

  test('every jumper is non-trivial and targets another block', () => {
    expect(dense.jumpers.length).toBe(8);
    for (const j of dense.jumpers) {
      expect(j.targetBlock).not.toBe(j.sourceBlock);
      expect(dense.graph.block[j.vertex]).toBe(j.sourceBlock);
      expect(isNonTrivial(dense.tables, j.vertex, j.targetBlock, j.r)).toBe(true);
    }
  });

  test('jumpers are distinct and sorted by (sourceBlock, vertex)', () => {
    const vertices = dense.jumpers.map((j) => j.vertex);
    expect(new Set(vertices).size).toBe(vertices.length);
    const sorted = [...dense.jumpers].sort((a, b) => a.sourceBlock - b.sourceBlock || a.vertex - b.vertex);
    expect(dense.jumpers).toEqual(sorted);
  });

  test('r values come from the scale factors of w, round-robin over the designation order', () => {
    // 8 jumpers and 8 distinct values (w=8: 4,6,7,8,9,10,12,16): each value exactly once.
    const rValues = jumperRValues(config.jumper_r_scales, w);
    expect(rValues).toEqual([4, 6, 7, 8, 9, 10, 12, 16]);
    expect(dense.jumpers.map((j) => j.r).sort((a, b) => a - b)).toEqual(rValues);
    // Block 0 is designated first, so it holds the first four values.
    expect(dense.jumpers.filter((j) => j.sourceBlock === 0).map((j) => j.r).sort((a, b) => a - b)).toEqual([4, 6, 7, 8]);
  });

  test('the same seed designates the same jumpers', () => {
    expect(designateJumpers(dense.graph, config, w, 42, dense.tables).jumpers).toEqual(dense.jumpers);
  });

  test('unused rule lengths are reported as a warning', () => {
    const tinyConfig = graphConfig({ ...DENSE_JUMPERS, n_jumpers_per_block: 1 });
    const { jumpers, warnings } = designateJumpers(dense.graph, tinyConfig, w, 42, dense.tables);
    expect(jumpers.map((j) => j.r).sort((a, b) => a - b)).toEqual([4, 6]);
    expect(warnings).toContain('jumpers: rule lengths 7, 8, 9, 10, 12, 16 are used by no jumper');
  });

  test('EXPECTED FAILURE - more jumpers than block vertices throws InputError', () => {
    const tooMany = graphConfig({ ...DENSE_JUMPERS, n_jumpers_per_block: 21 });
    expect(() => designateJumpers(dense.graph, tooMany, w, 42, dense.tables)).toThrow(InputError);
  });

  test('BAD CALL - tables shorter than the longest rule throw RangeError', () => {
    const short = buildReachability(dense.graph, 5);
    expect(() => designateJumpers(dense.graph, config, w, 42, short)).toThrow(/reachability covers 5 steps, rules need 16/);
  });
});

describe('designateJumpers on a graph where only vertex 0 is non-trivial', () => {
  // Blocks {0..3} and {4..7}, complete bipartite between them, plus the edge 0 -> 1. With r = 1,
  // vertex 0 reaches both blocks, every other vertex only the opposite block (trivial rule).
  const edges: [number, number][] = [[0, 1]];
  for (let a = 0; a < 4; a++) for (let b = 4; b < 8; b++) edges.push([a, b], [b, a]);
  const graph = makeGraph(8, 2, edges);
  const config = graphConfig({ n: 8, K: 2, n_jumpers_per_block: 1, jumper_r_scales: [1] });
  const tables = buildReachability(graph, jumperReachSteps(config, 1));

  test('a trivial pick falls back to a non-trivial candidate of the same block, or is skipped with a warning', () => {
    let designatedZero = 0;
    const seeds = 40;
    for (let seed = 0; seed < seeds; seed++) {
      const { jumpers, warnings } = designateJumpers(graph, config, 1, seed, tables);
      expect(jumpers.every((j) => j.vertex === 0 && j.targetBlock === 1 && j.r === 1)).toBe(true);
      expect(warnings.some((m) => /no non-trivial vertex in block 1/.test(m))).toBe(true);
      if (jumpers.length === 1) designatedZero++;
    }
    // The pick alone is vertex 0 a quarter of the time; the fallback tries 2 of the other 3.
    expect(designatedZero / seeds).toBeGreaterThan(0.5);
  });

  test('a vertex is never designated twice even when it is the only non-trivial one', () => {
    const two = graphConfig({ n: 8, K: 2, n_jumpers_per_block: 2, jumper_r_scales: [1] });
    for (let seed = 0; seed < 20; seed++) {
      const vertices = designateJumpers(graph, two, 1, seed, tables).jumpers.map((j) => j.vertex);
      expect(new Set(vertices).size).toBe(vertices.length);
    }
  });
});
