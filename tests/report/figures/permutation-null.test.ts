import { describe, expect, test } from 'vitest';
import { formatP, permutationNullFigure } from '../../../src/report/figures/permutation-null';
import { permutationData } from './fixtures';
import { all, expectFigure, expectNoData } from './svg-helpers';

const TITLE = 'qkt.layer_0.grassmannian_distance (r = 8): observed maximum AUROC vs permutation null';

describe('permutationNullFigure', () => {
  test('draws the null histogram, its 95th percentile and the observed value with its p-value', () => {
    const doc = expectFigure(permutationNullFigure(permutationData()), TITLE, ['Maximum AUROC over lookbacks (dimensionless)', 'Share of permutations (%)']);
    expect(all(doc, 'rect.bar.null').length).toBeGreaterThanOrEqual(10);
    expect(all(doc, '.observed text').map((e) => e.textContent)).toEqual(['observed 0.810, p < 0.0005']);
    expect(all(doc, '.null-p95 text')[0].textContent).toMatch(/^null 95th percentile 0\.\d{3}$/);
    expect(doc.querySelector('.figure-subtitle')?.textContent).toBe('2,000 label permutations; p < 0.0005');
  });

  test('the observed line lies to the right of every null bar when it exceeds the null', () => {
    const doc = expectFigure(permutationNullFigure(permutationData()), TITLE);
    const observedX = Number(all(doc, '.observed line')[0].getAttribute('x1'));
    const barEnds = all(doc, 'rect.bar.null')
      .filter((b) => Number(b.getAttribute('height')) > 0)
      .map((b) => Number(b.getAttribute('x')) + Number(b.getAttribute('width')));
    expect(observedX).toBeGreaterThan(Math.max(...barEnds));
  });

  test('a missing observed value draws the null alone and says so', () => {
    const doc = expectFigure(permutationNullFigure({ ...permutationData(), observed: NaN, pValue: null }), TITLE);
    expect(all(doc, '.observed')).toHaveLength(0);
    expect(all(doc, '.legend-item text').map((e) => e.textContent)).toContain('observed: not available');
  });

  test('no permutations gives the "no data" figure', () => {
    expectNoData(permutationNullFigure({ ...permutationData(), nullMaxAuroc: [null, NaN] }));
  });
});

describe('formatP', () => {
  test('a p-value of 0 is reported as below 1 / permutations', () => {
    expect(formatP(0, 10_000)).toBe('p < 0.0001');
    expect(formatP(0.0123, 10_000)).toBe('p = 0.012');
    expect(formatP(0.0004, 10_000)).toBe('p = 4.0e-4');
    expect(formatP(null, 10)).toBe('p not available');
  });
});
