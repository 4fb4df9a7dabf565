import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors';
import { isStronglyConnected } from '../../src/graph/connectivity';
import {
  blockPairEdgeCounts,
  degreeCorrection,
  generateGraph,
  MAX_GRAPH_ATTEMPTS,
  probabilityRow,
  type DcsbmModel,
} from '../../src/graph/dcsbm';
import type { DcsbmGraph } from '../../src/graph/graph';
import { Rng } from '../../src/random/rng';
import { graphConfig, TINY } from './fixtures';

const MEDIUM = graphConfig({ n: 200, K: 4, p_in: 0.25, p_out: 0.03 });
const medium = generateGraph(MEDIUM, 7).graph;

function bytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function sameGraph(a: DcsbmGraph, b: DcsbmGraph): boolean {
  return (
    bytes(a.rowPtr).equals(bytes(b.rowPtr)) &&
    bytes(a.colIdx).equals(bytes(b.colIdx)) &&
    bytes(a.theta).equals(bytes(b.theta)) &&
    a.attempt === b.attempt
  );
}

describe('generateGraph', () => {
  test('the same seed gives a byte-identical graph and another seed a different one', () => {
    const config = graphConfig(TINY);
    const a = generateGraph(config, 42).graph;
    const b = generateGraph(config, 42).graph;
    const c = generateGraph(config, 43).graph;
    expect(sameGraph(a, b)).toBe(true);
    expect(sameGraph(a, c)).toBe(false);
  });

  test('generated graphs have no self loops and sorted CSR columns', () => {
    for (let v = 0; v < medium.n; v++) {
      for (let e = medium.rowPtr[v]; e < medium.rowPtr[v + 1]; e++) {
        expect(medium.colIdx[e]).not.toBe(v);
        if (e > medium.rowPtr[v]) expect(medium.colIdx[e]).toBeGreaterThan(medium.colIdx[e - 1]);
      }
    }
  });

  test('generated graphs are strongly connected', () => {
    expect(isStronglyConnected(medium.n, medium.rowPtr, medium.colIdx)).toBe(true);
  });

  test('block-pair edge counts lie within 4 binomial sigma of the DCSBM expectation', () => {
    const model: DcsbmModel = { ...medium, pIn: MEDIUM.p_in, pOut: MEDIUM.p_out };
    const K = medium.K;
    const mean = new Float64Array(K * K);
    const variance = new Float64Array(K * K);
    const row = new Float64Array(medium.n);
    for (let i = 0; i < medium.n; i++) {
      probabilityRow(model, i, row);
      for (let j = 0; j < medium.n; j++) {
        const pair = medium.block[i] * K + medium.block[j];
        mean[pair] += row[j];
        variance[pair] += row[j] * (1 - row[j]);
      }
    }
    const counts = blockPairEdgeCounts(medium.block, K, medium);
    for (let pair = 0; pair < K * K; pair++) {
      expect(Math.abs(counts[pair] - mean[pair])).toBeLessThanOrEqual(4 * Math.sqrt(variance[pair]));
    }
    // Assortative: within-block pairs are far denser than the p_out pairs.
    expect(counts[0]).toBeGreaterThan(3 * counts[1]);
  });

  test('an impossible config throws InputError naming the problem and the config values', () => {
    const config = graphConfig({ n: 40, K: 2, p_in: 0.001, p_out: 0.0 });
    const attempt = (): unknown => generateGraph(config, 1);
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(/no valid DCSBM graph in 10 attempts/);
    expect(attempt).toThrow(/graph\.p_in=0\.001, graph\.p_out=0/);
    expect(attempt).toThrow(/not strongly connected/);
    expect(attempt).toThrow(/minimum expected out-degree .* is below 3/);
  });

  test('a K that does not divide n throws InputError', () => {
    expect(() => generateGraph(graphConfig({ n: 10, K: 3 }), 1)).toThrow(/graph\.K=3 must divide graph\.n=10/);
  });

  test('every attempt is reported, the failed ones with their problems', () => {
    // Several seeds so that at least one needs a retry (2-sigma density checks fail often).
    const reports = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => generateGraph(MEDIUM, seed));
    for (const { graph, attempts } of reports) {
      expect(attempts.length).toBe(graph.attempt + 1);
      expect(attempts.length).toBeLessThanOrEqual(MAX_GRAPH_ATTEMPTS);
      attempts.forEach((a, i) => {
        expect(a.attempt).toBe(i);
        expect(a.problems.length === 0).toBe(i === graph.attempt);
      });
    }
    expect(reports.some((r) => r.attempts.length > 1)).toBe(true);
  });
});

describe('degreeCorrection', () => {
  test('theta sums to the block size in every block and has the 1/rank shape', () => {
    const n = 60;
    const K = 3;
    const blockSize = n / K;
    const theta = degreeCorrection(n, K, Rng.derive(5, 'theta-test'));
    for (let b = 0; b < K; b++) {
      const values = Array.from(theta.subarray(b * blockSize, (b + 1) * blockSize));
      expect(values.reduce((a, x) => a + x, 0)).toBeCloseTo(blockSize, 10);
      const sorted = [...values].sort((x, y) => y - x);
      // theta_(rank) * rank is the same constant blockSize / H(blockSize) for every rank.
      sorted.forEach((t, i) => expect(t * (i + 1)).toBeCloseTo(sorted[0], 10));
    }
  });

  test('theta is shuffled within blocks', () => {
    const theta = degreeCorrection(100, 1, Rng.derive(5, 'theta-test'));
    const descending = Array.from(theta).every((t, i) => i === 0 || t <= theta[i - 1]);
    expect(descending).toBe(false);
  });
});
