import { describe, expect, it } from 'vitest';
import { resultSchema } from '../../src/pipeline/result-schema';
import { formatP } from '../../src/report/format';
import { inlineSvg } from '../../src/report/inline-svg';
import { renderReport, type ReportInput } from '../../src/report/render-report';
import { fixtureFigures, gateFailedResult, GIT_COMMIT, PRIMARY_AUROC, succeededResult } from './fixtures';
import { externalReferences, rowWithKey, section, tagProblems } from './html-checks';

const COMMAND = 'npm run experiment -- config.json';

function input(result = succeededResult(), figures = fixtureFigures(), gitCommit = GIT_COMMIT): ReportInput {
  return { result, figures, reproduction: { command: COMMAND, gitCommit, configHash: result.config_hash } };
}

const HEADINGS = [
  'Configuration',
  'Run facts',
  'Gate outcome',
  'Training',
  'Behaviour',
  'Predictive horizon',
  'Statistical tests',
  'Redundancy',
  'Metric ranking',
  'Contamination audit',
  'Confirmatory re-check',
  'Figures',
  'Reproduction',
];

describe('html checks (the helpers the report tests rely on)', () => {
  it('tagProblems reports a misnested and an unclosed element', () => {
    expect(tagProblems('<main><div></main>')).not.toEqual([]);
    expect(tagProblems('<main><section>')).not.toEqual([]);
    expect(tagProblems('<main><meta charset="utf-8"><svg><path d="M0 0"/></svg><br></main>')).toEqual([]);
  });

  it('externalReferences finds network fetches but not the SVG namespace', () => {
    expect(externalReferences('<img src="https://example.org/a.png">')).toHaveLength(1);
    expect(externalReferences('<style>@import "x.css";</style>')).toHaveLength(1);
    expect(externalReferences('<div style="background: url(http://x/y.png)">')).toHaveLength(1);
    expect(externalReferences('<a href="//cdn.example.org/x">')).toHaveLength(1);
    expect(externalReferences('<svg xmlns="http://www.w3.org/2000/svg"></svg><a href="#horizon">')).toEqual([]);
  });
});

describe('renderReport of a succeeded run', () => {
  const html = renderReport(input());

  it('is one well-nested HTML document', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(tagProblems(html)).toEqual([]);
    for (const tag of ['html', 'head', 'body', 'main', 'style']) expect(html.match(new RegExp(`<${tag}[\\s>]`, 'g')), tag).toHaveLength(1);
  });

  it('makes no network request: no external src, href, @import or url(), no scripts', () => {
    expect(externalReferences(html)).toEqual([]);
    expect(html).not.toMatch(/<script\b/i);
    expect(html).not.toMatch(/<link\b/i);
  });

  it('has every section heading and never says "Not available"', () => {
    for (const heading of HEADINGS) expect(html).toContain(`<h2>${heading}</h2>`);
    expect(html).not.toMatch(/not available/i);
  });

  it('shows the header: id, a coloured status badge, description, tags and dates', () => {
    const result = succeededResult();
    expect(html).toContain(`<h1>${result.experiment_id} <span class="badge status-succeeded">succeeded</span></h1>`);
    expect(html).toContain('Quick config: the README demonstration job');
    expect(html).toContain('<li>fixture</li>');
    expect(html).toContain('2026-03-02 09:15:04 UTC');
  });

  it('shows the key config fields, the derived r values and the full config JSON', () => {
    const config = section(html, 'configuration');
    expect(rowWithKey(config, 'p_in')).toContain('0.5');
    expect(rowWithKey(config, 'd_model')).toContain('>64<');
    expect(rowWithKey(config, 'r values')).toContain('8, 11, 14, 16, 18, 21, 24, 32');
    expect(rowWithKey(config, 'n_permutations')).toContain('10,000');
    expect(config).toMatch(/<details>[\s\S]*&quot;corpus_size&quot;: 12800/);
  });

  it('shows the stages with cache decisions and the execution provider from the train summary', () => {
    const run = section(html, 'run-facts');
    expect(rowWithKey(run, 'graph')).toContain('hit');
    expect(rowWithKey(run, 'train')).toContain('3 min 52 s');
    expect(rowWithKey(run, 'execution provider')).toContain('cpu');
    expect(rowWithKey(run, 'onnxruntime')).toContain('1.30.0 (float32)');
    expect(rowWithKey(run, 'node')).toContain('v20.20.2');
  });

  it('shows the gate outcome, training and behaviour from the stage summaries', () => {
    expect(section(html, 'gate')).toContain('The model passed the sufficiency gate.');
    expect(rowWithKey(section(html, 'gate'), 'edge compliance')).toContain('0.9931 (needs &gt; 0.95)');
    expect(rowWithKey(section(html, 'training'), 'final loss (last step)')).toContain('1.3862');
    const behaviour = section(html, 'behaviour');
    expect(rowWithKey(behaviour, 'sequences')).toContain('1,422');
    expect(rowWithKey(behaviour, 'violated steps')).toContain('402');
    expect(rowWithKey(behaviour, 'confirmatory')).toContain('155');
  });

  it('lists every primary metric in the horizon table with its max AUROC, and no non-primary metric', () => {
    const horizon = section(html, 'horizon');
    for (const value of Object.values(PRIMARY_AUROC)) expect(horizon).toContain(`>${value.toFixed(3)}<`);
    expect(horizon).not.toContain('qkt.layer_0.head_0.stable_rank');
    // Sorted by r, then max AUROC descending: the r = 8 Grassmannian row comes first.
    const rows = [...horizon.matchAll(/<tr class="hit"><td class="metric primary"[^>]*>([^<]+)<\/td><td class="num">(\d+)</g)].map((m) => `${m[2]} ${m[1]}`);
    expect(rows[0]).toBe('8 qkt.layer_0.head_0.grassmannian_distance');
    expect(horizon).toContain('at 2 of 2 r values');
  });

  it('shows the tests: small p-values in exponent form, Holm adjustment, CI and d', () => {
    const tests = section(html, 'tests');
    expect(tests).toContain('>1.0e-4<');
    expect(tests).toContain('>3.0e-4<');
    expect(tests).toContain('[0.794, 0.884]');
    expect(tests).toContain('[0.701, 0.830] (percentile)');
    expect(tests).toContain('>1.03<'); // Cohen's d at lookback 1 of the r = 8 Grassmannian distance
  });

  it('shows a missing statistic as a dash whose title says why', () => {
    const tests = section(html, 'tests');
    expect(tests).toContain('title="no permutation test: tier low_n (it runs for tier full, and moderate_n for primary metrics)">—<');
    expect(tests).toContain('title="no bootstrap: tier moderate_n (it runs for tier full only)">—<');
  });

  it('shows redundancy, the ranking, the contamination audit and the confirmatory re-check', () => {
    expect(section(html, 'redundancy')).toMatch(/spectral_gap_1_2[\s\S]*stable_rank[\s\S]*0\.931/);
    expect(section(html, 'redundancy')).toContain('all values are NaN');
    expect(section(html, 'ranking')).toContain('All 5 metrics');
    expect(rowWithKey(section(html, 'contamination'), 'exclusion rate')).toContain('6.8 %');
    expect(section(html, 'confirmatory')).toMatch(/<tr class="hit"><td class="metric primary"[^>]*>qkt\.layer_0\.head_0\.grassmannian_distance/);
  });

  it('inlines every figure in a figure with its caption, without the XML prolog', () => {
    const figures = section(html, 'figures');
    fixtureFigures().forEach((figure, index) => {
      expect(figures).toContain(`<figure id="fig-${figure.name}">`);
      expect(figures).toContain(`<strong>Figure ${index + 1}. ${figure.title}</strong> ${figure.caption}</figcaption>`);
    });
    expect(figures).toContain('data-test="fixture-training"');
    expect(figures).toContain('data-test="fixture-auroc"');
    expect(figures).not.toContain('<?xml');
  });

  it('ends with the reproduction commands, the commit and the config hash', () => {
    const reproduction = section(html, 'reproduction');
    expect(reproduction).toContain(`git checkout ${GIT_COMMIT}\nnpm ci\n${COMMAND}`);
    expect(reproduction).toContain(succeededResult().config_hash);
    expect(reproduction).not.toContain('uncommitted');
  });
});

describe('renderReport escaping', () => {
  it('escapes a description and tags that contain markup', () => {
    const result = resultSchema.parse({ ...succeededResult(), description: '<script>alert("x")</script> & more', tags: ['<b>bold</b>'] });
    const html = renderReport(input(result));
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).toContain('<li>&lt;b&gt;bold&lt;/b&gt;</li>');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>bold');
  });

  it('warns when the commit carries uncommitted changes', () => {
    const html = renderReport(input(succeededResult(), fixtureFigures(), `${GIT_COMMIT}-dirty`));
    const reproduction = section(html, 'reproduction');
    expect(reproduction).toContain('uncommitted changes');
    expect(reproduction).toContain(`git checkout ${GIT_COMMIT}\n`);
  });
});

describe('renderReport of a run stopped at the gate', () => {
  const html = renderReport(input(gateFailedResult(), []));
  const why = 'The run stopped after training: the sufficiency gate failed after 4000 steps (20.00 epochs)';

  it('is still well nested, self-contained and has every heading', () => {
    expect(tagProblems(html)).toEqual([]);
    expect(externalReferences(html)).toEqual([]);
    for (const heading of HEADINGS) expect(html).toContain(`<h2>${heading}</h2>`);
    expect(html).toContain('<span class="badge status-gate-failed">gate failed</span>');
  });

  it('explains the missing analysis in every analysis section', () => {
    for (const id of ['horizon', 'tests', 'redundancy', 'ranking', 'contamination', 'confirmatory']) {
      expect(section(html, id)).toContain(why);
      expect(section(html, id)).toContain('so the analysis did not run.');
    }
  });

  it('still shows the gate outcome and training, and says why there is no behaviour', () => {
    expect(section(html, 'gate')).toContain('<p class="verdict bad">The sufficiency gate failed after 4000 steps (20.00 epochs)');
    expect(rowWithKey(section(html, 'gate'), 'rule compliance')).toContain('0.6021 (needs &gt; 0.8)');
    expect(rowWithKey(section(html, 'training'), 'steps')).toContain('4,000');
    expect(section(html, 'behaviour')).toContain('The evaluate stage did not run: the run stopped after training');
    expect(section(html, 'figures')).toContain('No figures were rendered: the run stopped after training');
  });
});

describe('report helpers', () => {
  it('formatP writes small p-values in exponent form', () => {
    expect(formatP(0.0001)).toBe('1.0e-4');
    expect(formatP(0.04213)).toBe('0.042');
    expect(formatP(1)).toBe('1.000');
  });

  it('inlineSvg scopes ids and their references, and drops the XML prolog', () => {
    const svg = '<?xml version="1.0"?>\n<svg><defs><clipPath id="c"><rect/></clipPath></defs><g clip-path="url(#c)"/><use href="#c"/><a href="#elsewhere"/></svg>';
    expect(inlineSvg(svg, 'fig-x')).toBe('<svg><defs><clipPath id="fig-x-c"><rect/></clipPath></defs><g clip-path="url(#fig-x-c)"/><use href="#fig-x-c"/><a href="#elsewhere"/></svg>');
  });
});
