import { describe, expect, it } from 'vitest';
import { configLeaves, experimentLabel } from '../../src/report/compare-model';
import { renderComparison } from '../../src/report/compare-report';
import { fixtureFigures, gateFailedResult, succeededResult } from './fixtures';
import { externalReferences, rowWithKey, section, tagProblems } from './html-checks';

const a = succeededResult();
const b = succeededResult({ model: { d_model: 128 } });
const html = renderComparison([
  { result: a, figures: fixtureFigures('a') },
  { result: b, figures: fixtureFigures('b').slice(0, 1) },
]);

describe('renderComparison', () => {
  it('is one well-nested, self-contained HTML document', () => {
    expect(tagProblems(html)).toEqual([]);
    expect(externalReferences(html)).toEqual([]);
    expect(html).not.toMatch(/<script\b/i);
    for (const heading of ['Config differences', 'Scalars', 'Predictive horizon', 'Figures']) expect(html).toContain(`<h2>${heading}</h2>`);
  });

  it('marks the differing config field and the cell that differs from A', () => {
    const diff = section(html, 'config-differences');
    const row = rowWithKey(diff.slice(0, diff.indexOf('<details>')), 'model.d_model');
    expect(row).toContain('<tr class="differs">');
    expect(row).toContain('<td class="num base">64</td>');
    expect(row).toContain('<td class="num diff">128</td>');
  });

  it('with three experiments, marks only the cells that differ from A', () => {
    const three = renderComparison([a, b, succeededResult()].map((result) => ({ result, figures: [] })));
    const diff = section(three, 'config-differences');
    expect(rowWithKey(diff, 'model.d_model')).toBe('<tr class="differs"><td class="key mono">model.d_model</td><td class="num base">64</td><td class="num diff">128</td><td class="num">64</td></tr>');
  });

  it('does not mark a config field that is equal in both experiments', () => {
    const diff = section(html, 'config-differences');
    expect(rowWithKey(diff.slice(0, diff.indexOf('<details>')), 'graph.n')).toBeNull();
    const equal = rowWithKey(diff.slice(diff.indexOf('<details>')), 'graph.n');
    expect(equal).toBe('<tr><td class="key">graph.n</td><td class="num">64</td></tr>');
    expect(diff).toContain('1 of 38 config fields differ');
  });

  it('tabulates scalars per experiment and explains a missing analysis', () => {
    const withGate = renderComparison([
      { result: a, figures: [] },
      { result: gateFailedResult(), figures: [] },
    ]);
    const scalars = section(withGate, 'scalars');
    expect(rowWithKey(scalars, 'gate passed')).toMatch(/<td class="good">yes<\/td><td class="bad">no<\/td>/);
    expect(rowWithKey(scalars, 'best primary max AUROC')).toContain('0.844 (r = 8)');
    expect(rowWithKey(scalars, 'best primary max AUROC')).toContain('title="The run stopped after training: the sufficiency gate failed');
    expect(section(withGate, 'figures')).toContain('No experiment has figures.');
  });

  it('puts each primary (metric, r) in one horizon row with a column pair per experiment', () => {
    const horizon = section(html, 'horizon');
    expect(horizon).toContain('A: max AUROC');
    expect(horizon).toContain('B: horizon');
    const row = [...horizon.matchAll(/<tr>[\s\S]*?<\/tr>/g)].map((m) => m[0]).find((r) => r.includes('grassmannian_distance</td><td class="num">8<'));
    expect(row?.match(/>0\.844</g)).toHaveLength(2);
  });

  it('shows figures of the same name side by side and says which experiment lacks one', () => {
    const figures = section(html, 'figures');
    const rows = figures.split('<div class="side-by-side"').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('data-test="a-training"');
    expect(rows[0]).toContain('data-test="b-training"');
    expect(rows[1]).toContain('data-test="a-auroc"');
    expect(rows[1]).toContain('Experiment B has no auroc_lookback figure.');
  });

  it('BAD CALL - refuses fewer than two experiments', () => {
    expect(() => renderComparison([{ result: a, figures: [] }])).toThrow(RangeError);
    expect(() => renderComparison([{ result: a, figures: [] }])).toThrow(/at least 2 experiments, got 1/);
  });
});

describe('comparison helpers', () => {
  it('configLeaves flattens objects to dotted paths and keeps arrays and null as leaves', () => {
    expect([...configLeaves({ graph: { n: 1, s: [1, 2] }, sweep: null })]).toEqual([
      ['graph.n', 1],
      ['graph.s', [1, 2]],
      ['sweep', null],
    ]);
  });

  it('labels experiments A to Z, then AA', () => {
    expect([0, 1, 25, 26, 27].map(experimentLabel)).toEqual(['A', 'B', 'Z', 'AA', 'AB']);
  });
});
