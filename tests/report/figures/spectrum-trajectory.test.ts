import { describe, expect, test } from 'vitest';
import { spectrumTrajectoryFigure } from '../../../src/report/figures/spectrum-trajectory';
import { ROLE } from '../../../src/report/figures/palette';
import { spectrumData } from './fixtures';
import { all, expectFigure, expectNoData, subpaths } from './svg-helpers';

const TITLE = 'Spectrum of QKᵀ, layer 0, head 0 over generation steps, sequence 17';

describe('spectrumTrajectoryFigure', () => {
  test('draws one line per singular value and marks the violation and the encounter', () => {
    const doc = expectFigure(spectrumTrajectoryFigure(spectrumData()), TITLE, ['Generation step (token position)', 'Singular value (dimensionless)']);
    expect(all(doc, 'path.spectrum-line').map((p) => p.getAttribute('data-label'))).toEqual(['σ1', 'σ2', 'σ3', 'σ4']);
    expect(all(doc, '.violation text').map((e) => e.textContent)).toEqual(['violation (step 91)']);
    expect(all(doc, '.violation line')[0].getAttribute('stroke')).toBe(ROLE.violation);
    expect(all(doc, '.encounter text').map((e) => e.textContent)).toEqual(['jumper encountered (step 83)']);
  });

  test('no series uses the violation colour', () => {
    const doc = expectFigure(spectrumTrajectoryFigure(spectrumData()), TITLE);
    expect(all(doc, 'path.spectrum-line').map((p) => p.getAttribute('stroke'))).not.toContain(ROLE.violation);
  });

  test('leading missing values are a gap; no violation step draws no marker', () => {
    const data = spectrumData();
    const doc = expectFigure(spectrumTrajectoryFigure({ ...data, violationStep: null, encounterStep: undefined }), TITLE);
    expect(all(doc, '.violation, .encounter')).toHaveLength(0);
    const values = [...data.series[0].values];
    values[50] = NaN;
    const gapped = expectFigure(spectrumTrajectoryFigure({ ...data, series: [{ label: 'σ1', values }] }), TITLE);
    expect(subpaths(all(gapped, 'path.spectrum-line')[0])).toBe(2);
  });

  test('no finite value gives the "no data" figure', () => {
    expectNoData(spectrumTrajectoryFigure({ ...spectrumData(), steps: [1, 2], series: [{ label: 'σ1', values: [null, NaN] }] }));
    expectNoData(spectrumTrajectoryFigure({ ...spectrumData(), steps: [], series: [] }));
  });

  test('BAD CALL - a series longer than steps throws RangeError', () => {
    expect(() => spectrumTrajectoryFigure({ ...spectrumData(), steps: [1] })).toThrow(RangeError);
  });
});
