import { describe, expect, test } from 'vitest';
import { confusionMatrixFigure } from '../../../src/report/figures/confusion-matrix';
import { confusionData } from './fixtures';
import { all, expectFigure, expectNoData } from './svg-helpers';

const TITLE = 'Edge validity × rule outcome of generated steps';

describe('confusionMatrixFigure', () => {
  test('has one cell per edge row x rule column, with count and share of all steps', () => {
    const doc = expectFigure(confusionMatrixFigure(confusionData()), TITLE, ['Rule outcome at the step', 'Edge (step is a graph edge)']);
    expect(all(doc, 'g.cell')).toHaveLength(6);
    expect(all(doc, '.row-label').map((e) => e.textContent)).toEqual(['edge valid', 'edge invalid']);
    expect(all(doc, '.column-label').map((e) => e.textContent)).toEqual(['rule followed', 'rule violated', 'no rule resolved']);
    expect(all(doc, '.cell-count').map((e) => e.textContent)).toEqual(['18,342', '1,204', '360,112', '12', '310', '4,020']);
    // 384,000 steps in all: 18,342 / 384,000 = 4.78 %, 12 / 384,000 < 0.01 %.
    expect(all(doc, '.cell-share').map((e) => e.textContent)).toEqual(['4.8%', '0.31%', '93.8%', '<0.01%', '0.08%', '1.0%']);
    expect(doc.querySelector('.figure-subtitle')?.textContent).toContain('384,000 steps');
  });

  test('the largest count gets the darkest cell and white text', () => {
    const doc = expectFigure(confusionMatrixFigure(confusionData()), TITLE);
    const inks = all(doc, '.cell-count').map((e) => e.getAttribute('fill'));
    expect(inks[2]).toBe('#FFFFFF');
    expect(inks[0]).not.toBe('#FFFFFF');
  });

  test('a missing count is shown as n/a, not as 0', () => {
    const data = confusionData();
    const doc = expectFigure(confusionMatrixFigure({ ...data, edgeInvalid: { ...data.edgeInvalid, followed: NaN } }), TITLE);
    expect(all(doc, '.cell-count')[3].textContent).toBe('n/a');
  });

  test('no counted steps gives the "no data" figure', () => {
    const zero = { followed: 0, violated: 0, notApplicable: 0 };
    expectNoData(confusionMatrixFigure({ edgeValid: zero, edgeInvalid: { ...zero, violated: NaN } }));
  });
});
