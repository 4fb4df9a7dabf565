import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkLinks,
  declaresSymbol,
  headingSlug,
  missingSections,
  parseLinks,
  resolveLink,
  sectionsWithoutLinks,
  testTitles,
  type FileReader,
} from './link-check';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOC = 'docs/method.md';

/** Reads a repository file; undefined when it does not exist. */
const readRepoFile: FileReader = (path) => {
  const absolute = join(ROOT, path);
  return existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
};

/**
 * The quantities docs/method.md must cover (issue 9 item 4): deleting one of these sections fails
 * the test. Names are heading texts without their section numbers.
 */
const REQUIRED_SECTIONS = [
  // configuration and randomness
  'Configuration rules',
  'Random streams',
  'Jumper rule lengths',
  // graph
  'Blocks and degree correction',
  'Edge probabilities',
  'Graph validation and attempts',
  'Exact-k-step reachability and hitting probabilities',
  // jumpers
  'Jumper designation',
  'Non-triviality',
  // walks
  'Guided step (Doob h-transform)',
  'Feasibility and restarts',
  'Corpus sizes and starts',
  'Corpus compliance',
  // model
  'Parameter count',
  'Initialisation',
  'Forward pass',
  'Causal self-attention',
  'LayerNorm',
  'MLP and GELU',
  'Reverse-mode autodiff',
  // training
  'Windows and batches',
  'Loss',
  'Gradient clipping',
  'AdamW',
  'Step budget and learning-rate schedule',
  'Gate: edge and rule compliance',
  'Gate cadence, early stop and require_gate',
  // generation, labels, split
  'Generation protocols',
  'Sequence length',
  'Steps with metrics',
  'Behaviour labels',
  'Exploratory / confirmatory split',
  // SVD
  'SVD targets',
  'Thin SVD in float64',
  'Non-finite guard',
  'Stable rank',
  'Spectral entropy',
  'Spectral gaps',
  'Condition number',
  'Rank-1 residual norm',
  'Read-write alignment',
  'Grassmannian distance',
  'Metric keys',
  // analysis
  'Events',
  'Distinct sequences (dedupe)',
  'Contamination filter',
  'Groups by r and tiers',
  'Lookback values',
  'Mid-ranks',
  'AUROC with mid-ranks',
  'Predictive horizons',
  'Maximum AUROC',
  "Cohen's d",
  'Permutation p-value',
  'BCa bootstrap interval',
  'Holm-Bonferroni',
  'Pearson and Spearman redundancy',
  'Ranking',
  'Headline',
  'Confirmatory re-check',
  'Departures from the reference',
];

describe('docs/method.md', () => {
  const markdown = readRepoFile(DOC);

  it('exists', () => {
    expect(markdown).toBeDefined();
  });

  it('every link resolves: files exist, code links name declared symbols, test links name existing test titles', () => {
    const links = parseLinks(markdown ?? '').map((link) => resolveLink(link, DOC));
    expect(links.filter((link) => link.kind === 'code').length).toBeGreaterThan(0);
    expect(links.filter((link) => link.kind === 'test').length).toBeGreaterThan(0);
    const broken = checkLinks(markdown ?? '', DOC, readRepoFile).map((b) => `line ${b.line}: ${b.link}: ${b.problem}`);
    expect(broken).toEqual([]);
  });

  it('every quantity section (###) has a code link and a test link', () => {
    expect(sectionsWithoutLinks(markdown ?? '', DOC)).toEqual([]);
  });

  it('has a section for every required quantity', () => {
    expect(missingSections(markdown ?? '', REQUIRED_SECTIONS)).toEqual([]);
  });
});

describe('the link checker', () => {
  const files = new Map<string, string>([
    ['src/a/calc.ts', 'export function stableRank() {}\nconst helper = 1;\nexport class Walker {\n  static derive(x: number) {}\n  walk(): void {}\n}\n'],
    [
      'tests/a/calc.test.ts',
      [
        "describe('stableRank', () => {",
        "  it('divides by s1 squared plus eps', () => {});",
        "  it.each([[1, 'a(b']])('handles case %s of the table', () => {});",
        "  it.skipIf(process.env.X === 'y')('runs unless X is y', () => {});",
        "  it.skip('is skipped for now', () => {});",
        '  test(`template ${1} title`, () => {});',
        '});',
      ].join('\n'),
    ],
    ['docs/other.md', '# Other\n\n## A heading\n'],
  ]);
  const read: FileReader = (path) => files.get(path);
  const check = (markdown: string) => checkLinks(markdown, 'docs/method.md', read).map((b) => b.problem);

  it('accepts links that resolve, in both destination forms', () => {
    const doc = [
      '# Doc',
      '[f](../src/a/calc.ts#stableRank) [h](../src/a/calc.ts#helper) [m](../src/a/calc.ts#Walker.derive)',
      '[t](<../tests/a/calc.test.ts#divides by s1 squared>) [e](<../tests/a/calc.test.ts#of the table>)',
      '[s](<../tests/a/calc.test.ts#runs unless X is y>) [tpl](<../tests/a/calc.test.ts#title>) [d](../tests/a/calc.test.ts#stableRank)',
      '[o](other.md#a-heading) [self](#doc) [web](https://example.org/x)',
    ].join('\n');
    expect(check(doc)).toEqual([]);
  });

  it('reports a missing file, symbol, title and anchor, naming each link', () => {
    const doc = [
      '# Doc',
      '[gone](../src/a/gone.ts#x)',
      '[sym](../src/a/calc.ts#stableRankk)',
      '[member](../src/a/calc.ts#Walker.run)',
      '[title](<../tests/a/calc.test.ts#multiplies by s1>)',
      '[skipped](<../tests/a/calc.test.ts#is skipped for now>)',
      '[nosym](../src/a/calc.ts)',
      '[anchor](other.md#no-such-heading)',
      '[self](#nowhere)',
    ].join('\n');
    const broken = checkLinks(doc, 'docs/method.md', read);
    expect(broken.map((b) => [b.line, b.link])).toEqual([
      [2, '[gone](../src/a/gone.ts#x)'],
      [3, '[sym](../src/a/calc.ts#stableRankk)'],
      [4, '[member](../src/a/calc.ts#Walker.run)'],
      [5, '[title](../tests/a/calc.test.ts#multiplies by s1)'],
      [6, '[skipped](../tests/a/calc.test.ts#is skipped for now)'],
      [7, '[nosym](../src/a/calc.ts)'],
      [8, '[anchor](other.md#no-such-heading)'],
      [9, '[self](#nowhere)'],
    ]);
    expect(broken[0].problem).toBe('file src/a/gone.ts does not exist');
    expect(broken[1].problem).toBe('src/a/calc.ts declares no stableRankk');
    expect(broken[3].problem).toBe('tests/a/calc.test.ts has no it/test/describe title containing "multiplies by s1"');
    expect(broken[4].problem).toMatch(/skipped or todo/);
  });

  it('ignores links inside code spans, math spans and fenced blocks', () => {
    const doc = ['`[a](../src/none.ts#x)` and $[b](../src/none.ts#y)$', '```', '[c](../src/none.ts#z)', '```'].join('\n');
    expect(parseLinks(doc)).toEqual([]);
  });

  it('reports quantity sections without a code or a test link, and missing required sections', () => {
    const doc = ['## 1. Stage', '### 1.1 Good', '[c](../src/a/calc.ts#helper) [t](<../tests/a/calc.test.ts#divides>)', '### 1.2 Bad', '[c](../src/a/calc.ts#helper)'].join('\n');
    expect(sectionsWithoutLinks(doc, 'docs/method.md')).toEqual(['line 4 "1.2 Bad": no test link']);
    expect(missingSections(doc, ['Good', 'Bad', 'Gone'])).toEqual(['Gone']);
  });

  it('reads titles through modifier chains and finds declarations of every kind', () => {
    const titles = testTitles(files.get('tests/a/calc.test.ts')!);
    expect(titles).toEqual([
      { title: 'stableRank', runs: true },
      { title: 'divides by s1 squared plus eps', runs: true },
      { title: 'handles case %s of the table', runs: true },
      { title: 'runs unless X is y', runs: true },
      { title: 'is skipped for now', runs: false },
      { title: 'template ${1} title', runs: true },
    ]);
    expect(declaresSymbol('export async function go() {}', 'go')).toBe(true);
    expect(declaresSymbol('export const GATE = {};', 'GATE')).toBe(true);
    expect(declaresSymbol('export const GATES = {};', 'GATE')).toBe(false);
    expect(declaresSymbol('// function go() {}', 'go')).toBe(false);
  });

  it('slugs headings as GitHub does', () => {
    expect(headingSlug('12. Departures from the reference')).toBe('12-departures-from-the-reference');
    expect(headingSlug("Cohen's d")).toBe('cohens-d');
  });
});
