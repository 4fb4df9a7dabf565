import { describe, expect, it } from 'vitest';
import { analyseExperiment } from '../../src/analysis/analyse-experiment';
import { figureSpecs, headlineRecords, type FigureSource } from '../../src/report/figure-specs';
import { renderFigureSet } from '../../src/report/figures/figure-set';
import { PRIMARY, R, syntheticInputs } from '../analysis/fixtures';

async function source(): Promise<FigureSource> {
  const inputs = syntheticInputs();
  const { section, events, nulls } = await analyseExperiment(inputs);
  return {
    training: {
      steps: Int32Array.from([1, 2, 3, 4]),
      loss: Float64Array.from([4, 3, 2.5, 2.2]),
      gateHistory: [{ step: 4, edge_compliance: 1, rule_compliance: 0.9 }],
      gateThresholds: { edge: 0.95, rule: 0.8 },
    },
    confusion: { edgeValid: { followed: 30, violated: 30, notApplicable: 1000 }, edgeInvalid: { followed: 0, violated: 0, notApplicable: 2 } },
    analysis: section,
    events,
    sequences: { length: inputs.sequences.length, failureIndex: inputs.sequences.failureIndex },
    readColumn: inputs.readColumn,
    readNull: async (metric, r) => nulls.find((n) => n.metric === metric && n.r === r)?.nullMax ?? null,
  };
}

describe('figureSpecs', () => {
  it('draws every figure kind from an analysed experiment, the planted metric first', async () => {
    const figures = await figureSpecs(await source());
    expect(figures.map((f) => f.spec.name)).toEqual([
      'training-curves',
      'confusion-matrix',
      'auroc-by-lookback',
      'horizon-heatmap',
      'trajectory-1',
      'distribution',
      'metric-trajectory',
      'permutation-null',
    ]);
    const { spec } = figures.find((f) => f.spec.name === 'trajectory-1')!;
    if (spec.kind !== 'event-aligned') throw new Error(`trajectory-1 is a ${spec.kind} figure`);
    expect(spec.data.metric).toBe(PRIMARY);
    // x from the jumper (-r) to the resolving pass (-1); the planted shift is at lookbacks 1..3.
    expect(spec.data.x).toEqual([-5, -4, -3, -2, -1]);
    const { violation, control } = spec.data;
    const gap = (k: number) => violation.mean[k]! - control.mean[k]!;
    expect(gap(4)).toBeGreaterThan(0.8);
    expect(Math.abs(gap(0))).toBeLessThan(0.4);
    const nullFigure = figures.find((f) => f.spec.name === 'permutation-null')!;
    expect(nullFigure.spec.kind === 'permutation-null' && nullFigure.spec.data.nullMaxAuroc.length).toBe(199);
    for (const figure of figures) expect(figure.caption.length).toBeGreaterThan(20);
    // Every spec renders.
    const rendered = renderFigureSet(figures.map((f) => f.spec));
    expect(rendered.every((f) => f.svg.startsWith('<svg'))).toBe(true);
  });

  it('leaves out the analysis figures when there is no analysis', async () => {
    const figures = await figureSpecs({ ...(await source()), analysis: null });
    expect(figures.map((f) => f.spec.name)).toEqual(['training-curves', 'confusion-matrix']);
  });

  it('orders headline records by max AUROC, one per metric key at its best r', async () => {
    const { analysis } = await source();
    const headline = headlineRecords(analysis!);
    expect(headline.map((record) => [record.metric, record.r])).toEqual([[PRIMARY, R]]);
  });
});
