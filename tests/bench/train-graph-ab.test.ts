import { describe, expect, it } from 'vitest';
import { compareTrainingGraphs, currentTrainingGraph } from '../../bench/train-graph-ab';

describe('bench/train-graph-ab', () => {
  const shape = { layers: 1, dModel: 16, heads: 2 as const, context: 8, batch: 4, vocab: 10 };

  it('a graph against itself: identical outputs and a timing for both', async () => {
    const graph = currentTrainingGraph(shape);
    const result = await compareTrainingGraphs(graph, graph, shape, 4, 1);
    expect(Object.keys(result.maxAbsDifference)).toEqual(expect.arrayContaining(['loss', 'grad_norm', 'next/flat/param']));
    for (const diff of Object.values(result.maxAbsDifference)) expect(diff).toBe(0);
    expect(result.baselineMedianMs).toBeGreaterThan(0);
    expect(result.ratio).toBeCloseTo(result.candidateMedianMs / result.baselineMedianMs, 12);
  });

  it('reports a different model as different outputs', async () => {
    const other = currentTrainingGraph({ ...shape, heads: 1 });
    const result = await compareTrainingGraphs(currentTrainingGraph(shape), other, shape, 2, 1);
    expect(result.maxAbsDifference.loss).toBeGreaterThan(0);
  });
});
