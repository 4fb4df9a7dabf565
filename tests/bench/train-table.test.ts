import { describe, expect, it } from 'vitest';

import { formatTable, meetsTarget } from '../../bench/bench-row';
import { parsePeakOutput, peakForThreads } from '../../bench/fp32-peak';
import { caseRows, parseTorchOutput, peakRows, TRAIN_CASES, TRAIN_TARGETS, type TorchTiming } from '../../bench/train';

const [ANCHOR, ANCHOR_H4, SMALL] = TRAIN_CASES;
const PEAK_JSON =
  '{"cores": 2, "results": [{"isa": "avx2-fma", "perCore": [100.0, 102.0], "allCores": 200.0}, {"isa": "avx512f", "perCore": [210.0, 200.0], "allCores": 400.0}]}';

function torchTiming(msPerStep: number): { ok: true } & TorchTiming {
  const best = { threads: 1, blasThreads: 2, msPerStep, meanMsPerStep: msPerStep, steps: 10 };
  return { ok: true, best, results: [best], torch: '1.13', blas: { libraries: [] } };
}

describe('the three cases', () => {
  it('are the anchor, the anchor with 4 heads and the small shape; only the anchor has targets', () => {
    expect(ANCHOR.shape).toMatchObject({ layers: 4, dModel: 128, heads: 1, context: 64, batch: 64, vocab: 500 });
    expect(ANCHOR_H4.shape).toMatchObject({ ...ANCHOR.shape, heads: 4 });
    expect(SMALL.shape).toMatchObject({ layers: 2, dModel: 64, heads: 1, context: 16, batch: 64, vocab: 100 });
    expect(TRAIN_CASES.map((c) => c.anchor)).toEqual([true, false, false]);
  });
});

describe('caseRows', () => {
  it('derives tokens/s, GFLOP/s, % of peak and the speed-up, with targets on the anchor', () => {
    // 22.510829568 GFLOP in 200 ms = 112.554 GFLOP/s; 4096 tokens / 0.2 s = 20,480 tokens/s.
    const rows = caseRows(ANCHOR, { ok: true, msPerStep: 200, stepsMeasured: 20 }, torchTiming(300), 200);
    const byPrefix = (prefix: string) => rows.find((r) => r.name.startsWith(`${ANCHOR.label} ${prefix}`));
    expect(byPrefix('step FLOPs')?.value).toBeCloseTo(22.510829568, 9);
    expect(byPrefix('ours ms/step')?.value).toBe(200);
    expect(byPrefix('ours tokens/s')?.value).toBeCloseTo(20_480, 6);
    expect(byPrefix('ours effective GFLOP/s')?.value).toBeCloseTo(112.55414784, 6);
    expect(byPrefix('ours % of FP32 peak')).toMatchObject({ target: TRAIN_TARGETS.percentOfPeak });
    expect(byPrefix('ours % of FP32 peak')?.value).toBeCloseTo(56.27707392, 6);
    expect(byPrefix('torch ms/step (best: 1 threads, 2 BLAS)')?.value).toBe(300);
    expect(byPrefix('speed-up')).toMatchObject({ value: 1.5, target: '>= 1.5' });
    expect(formatTable(rows)).toContain('>= 60 MISSED');
  });

  it('puts no targets on the other shapes', () => {
    const rows = caseRows(SMALL, { ok: true, msPerStep: 5, stepsMeasured: 100 }, torchTiming(10), 200);
    expect(rows.every((r) => r.target === undefined)).toBe(true);
  });

  it('prints "baseline unavailable" rows when PyTorch is missing, and no speed-up', () => {
    const torch = parseTorchOutput('{"available": false, "reason": "cannot import torch: No module named \'torch\'"}\n');
    const rows = caseRows(ANCHOR, { ok: true, msPerStep: 200, stepsMeasured: 20 }, torch, 200);
    expect(rows.some((r) => r.name.includes('baseline unavailable') && r.unit === 'n/a')).toBe(true);
    expect(rows.some((r) => r.name.includes('speed-up'))).toBe(false);
    expect(() => formatTable(rows)).not.toThrow();
  });

  it('says so when our step or the peak is missing', () => {
    const rows = caseRows(ANCHOR, { ok: false, reason: 'bench/train-step.ts missing' }, torchTiming(300), undefined);
    expect(rows.map((r) => r.name)).toContain(`${ANCHOR.label} ours: unavailable (bench/train-step.ts missing)`);
    expect(rows.some((r) => r.name.includes('% of FP32 peak') || r.name.includes('speed-up'))).toBe(false);
  });

  it('rows survive the JSON trip between the suite runner and its child process', () => {
    const rows = caseRows(ANCHOR, { ok: false, reason: 'x' }, { ok: false, reason: 'y' }, undefined);
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows);
    for (const row of rows) if (row.target !== undefined) meetsTarget(row.value, row.target);
  });
});

describe('peak', () => {
  it('takes the widest instruction set and the best core', () => {
    const peak = parsePeakOutput(PEAK_JSON);
    expect(peak).toMatchObject({ isa: 'avx512f', perCoreGflops: 210, allCoresGflops: 400, cores: 2 });
    expect(peakForThreads(peak, 2)).toBe(400);
    expect(peakForThreads(peak, 1)).toBe(210);
    const rows = peakRows({ ok: true, ...peak });
    expect(rows.map((r) => r.value)).toEqual([210, 400, 200]);
  });

  it('reports a missing gcc as a row', () => {
    const rows = peakRows({ ok: false, reason: 'gcc not found' });
    expect(rows).toEqual([{ name: 'fp32 peak: unavailable (gcc not found)', value: 0, unit: 'n/a' }]);
  });
});
