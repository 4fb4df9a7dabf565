import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ColumnResult } from '../../src/analysis/column-analysis';
import { checkpointStore } from '../../src/pipeline/checkpoints';
import { loadAnalyseCheckpoint, saveAnalyseCheckpoint } from '../../src/stages/analyse-checkpoint';

/** A column result with the values plain JSON loses: NaN, infinities, -0, and a float64 array holding them. */
function awkwardResult(): ColumnResult {
  const record = { metric: 'qkt.layer_0.head_0.stable_rank', auroc_by_lookback: [0.5, Number.NaN, 1], max_auroc: Number.POSITIVE_INFINITY, gap: -0, low: Number.NEGATIVE_INFINITY };
  return {
    records: [record as unknown as ColumnResult['records'][number]],
    confirmatory: [],
    atLookback1: Float64Array.from([0.1, Number.NaN, -0, 1e-310, Math.PI]),
    nulls: [{ r: 8, metric: 'qkt.layer_0.head_0.stable_rank', nullMax: Float64Array.from([0.25, 0.75]) }],
  };
}

describe('analyse checkpoints', () => {
  it('keep every float64 exactly, NaN, infinities, -0 and subnormals included', async () => {
    const store = checkpointStore(await mkdtemp(join(tmpdir(), 'analyse-checkpoint-')), 'analyse', 'k'.repeat(64));
    const keys = ['a', 'b', 'c'];
    await saveAnalyseCheckpoint(store, keys, new Map([['b', awkwardResult()]]));
    const loaded = await loadAnalyseCheckpoint(store, keys, () => expect.unreachable());
    expect([...loaded.keys()]).toEqual(['b']);
    const result = loaded.get('b')!;
    const record = result.records[0] as unknown as Record<string, unknown>;
    expect(record.auroc_by_lookback).toEqual([0.5, Number.NaN, 1]);
    expect(record.max_auroc).toBe(Number.POSITIVE_INFINITY);
    expect(record.low).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(record.gap, -0)).toBe(true);
    expect(result.atLookback1).toBeInstanceOf(Float64Array);
    const bits = (values: Float64Array) => Array.from(new BigUint64Array(values.buffer, values.byteOffset, values.length));
    expect(bits(result.atLookback1)).toEqual(bits(awkwardResult().atLookback1));
    expect(result.nulls[0]).toEqual(awkwardResult().nulls[0]);
  });

  it('a checkpoint of other metric columns is not used', async () => {
    const store = checkpointStore(await mkdtemp(join(tmpdir(), 'analyse-checkpoint-')), 'analyse', 'k'.repeat(64));
    await saveAnalyseCheckpoint(store, ['a', 'b'], new Map([['a', awkwardResult()]]));
    const why: string[] = [];
    expect((await loadAnalyseCheckpoint(store, ['a', 'c'], (line) => why.push(line))).size).toBe(0);
    expect(why).toEqual(['the analyse checkpoint belongs to other metric columns']);
  });
});
