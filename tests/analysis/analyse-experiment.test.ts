import { describe, expect, it } from 'vitest';
import { analyseExperiment } from '../../src/analysis/analyse-experiment';
import { Cancelled } from '../../src/errors';
import { CONSTANT, NOISE, PRIMARY, R, syntheticInputs } from './fixtures';

describe('analyseExperiment', () => {
  it('finds the planted three-step horizon of the primary metric and nothing in noise', async () => {
    const { section, nulls } = await analyseExperiment(syntheticInputs());
    // Null distributions are kept for the primary metric only, one value per permutation.
    expect(nulls.map((n) => [n.metric, n.r, n.nullMax.length])).toEqual([[PRIMARY, R, 199]]);
    expect(section.events).toEqual({ total: 60, kept: 60, violations: 30, controls: 30, first_violations: 30 });
    expect(section.groups).toEqual([{ r: R, n_violation: 30, n_control: 30, tier: 'full' }]);
    const primary = section.metrics.find((m) => m.metric === PRIMARY)!;
    expect(primary.auroc_by_lookback.slice(0, 3)).toEqual([1, 1, 1]);
    expect(primary.horizon).toBe(3);
    expect(primary.contiguous_horizon).toBe(3);
    expect(primary.max_auroc).toBe(1);
    expect(primary.max_auroc_lookback).toBe(1);
    expect(primary.n_valid_by_lookback).toEqual([60, 60, 60, 60, 60]);
    // Perfect separation: no permutation reaches AUROC 1 among C(60,30) labellings in practice.
    expect(primary.permutation!.p_value).toBeCloseTo(1 / 200, 12);
    expect(primary.bootstrap!.lookback).toBe(1);
    expect(primary.holm).not.toBeNull();
    expect(section.holm.family.map((f) => f.metric)).toEqual([PRIMARY]);
    const noise = section.metrics.find((m) => m.metric === NOISE)!;
    expect(noise.is_primary).toBe(false);
    expect(noise.holm).toBeNull();
    const constant = section.metrics.find((m) => m.metric === CONSTANT)!;
    expect(constant.auroc_by_lookback.every((a) => a === 0.5)).toBe(true);
    expect(constant.horizon).toBe(0);
    expect(section.redundancy.measurement.pearson.excluded.map((e) => e.metric)).toContain(CONSTANT);
    expect(section.ranking[0].metric).toBe(PRIMARY);
    expect(section.headline).toEqual([{ r: R, qkt_max_horizon: 3, avwo_max_horizon: 0, qkt_leads: true, gap: 3 }]);
    const recheck = section.confirmatory.records;
    expect(recheck).toHaveLength(1);
    expect(recheck[0]).toMatchObject({ metric: PRIMARY, n_violation: 15, n_control: 15, horizon: 3, exploratory_horizon: 3, replicated: true });
  });

  it('is deterministic for a seed and changes its permutations with the seed', async () => {
    const a = await analyseExperiment(syntheticInputs());
    const b = await analyseExperiment(syntheticInputs());
    const c = await analyseExperiment(syntheticInputs({ seed: 43 }));
    const nullMean = (s: typeof a) => s.section.metrics.find((m) => m.metric === NOISE)!.permutation!.null_mean;
    expect(nullMean(a)).toBe(nullMean(b));
    expect(nullMean(a)).not.toBe(nullMean(c));
  });

  it('gives the same section with columns analysed in worker threads', async () => {
    const inProcess = await analyseExperiment(syntheticInputs());
    const inWorkers = await analyseExperiment(syntheticInputs({ workers: 2 }));
    expect(inWorkers.section).toEqual(inProcess.section);
  });

  it('an abort lets the columns in flight in worker threads finish (and be reported), then stops before the next one', async () => {
    // A worker thread terminated inside onnxruntime's session.run (the permutation control)
    // aborts the whole process, so the pool never cuts a column off: it waits for it.
    const controller = new AbortController();
    const inputs = syntheticInputs({ workers: 2 });
    const read = inputs.readColumn;
    const reported: string[] = [];
    const run = analyseExperiment({
      ...inputs,
      signal: controller.signal,
      // The abort comes once both workers have a column: the primary metric and the noise.
      readColumn: async (key) => {
        if (key === NOISE) controller.abort();
        return read(key);
      },
      onColumnResult: (key) => void reported.push(key),
    });
    await expect(run).rejects.toThrow(Cancelled);
    await expect(run).rejects.toThrow(new RegExp(`analysis interrupted before metric ${CONSTANT}`));
    expect(reported.sort()).toEqual([NOISE, PRIMARY].sort());
  });

  it('analyses each distinct sequence once when dedupe is on', async () => {
    const inputs = syntheticInputs({ dedupe: true });
    // Make sequence 3 a copy of sequence 1.
    const { offsets, values } = inputs.sequences.tokens;
    values.set(values.slice(offsets[1], offsets[2]), offsets[3]);
    const { section } = await analyseExperiment(inputs);
    expect(section.sequences).toEqual({ total: 60, analysed: 59, distinct: 59 });
    expect(section.events.total).toBe(59);
  });
});
