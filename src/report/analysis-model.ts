/**
 * The analysis part of the report's view model: the predictive horizon, the statistical tests,
 * redundancy and ranking, the contamination audit and the confirmatory re-check, each a table
 * built from result.json's `analysis` section (docs/results.md). Every missing statistic is a
 * cell whose tooltip says why it is missing.
 */
import type { AnalysisSection, MetricRecord } from '../analysis/analysis-schema';
import { auroc, count, fixed, formatCount, keyValueTable, missing, pValue, table, text, yesNo, type Cell, type Table } from './format';
import { primaryRecords } from './result-facts';

/** How many metrics the ranking table shows. */
export const RANKING_ROWS = 15;

/** The analysis tables of one report. */
export interface AnalysisView {
  threshold: string;
  groups: Table;
  horizon: Table;
  headline: Table;
  headlineSentence: string;
  tests: Table;
  holmSentence: string;
  redundantPairs: Table;
  excluded: Table;
  ranking: Table;
  rankingNote: string;
  contamination: Table;
  contaminationByR: Table;
  confirmatoryDescription: string;
  confirmatory: Table;
  settings: Table;
}

/** Builds every analysis table from the section. */
export function analysisView(analysis: AnalysisSection): AnalysisView {
  const primary = primaryRecords(analysis);
  const threshold = analysis.settings.horizon_threshold;
  return {
    threshold: threshold.toFixed(2),
    groups: groupsTable(analysis),
    horizon: horizonTable(primary, threshold),
    headline: headlineTable(analysis),
    headlineSentence: headlineSentence(analysis),
    tests: testsTable(primary),
    holmSentence:
      `Holm-Bonferroni over ${analysis.holm.family_size} (primary metric, r) pairs with a p-value, at alpha ${analysis.holm.alpha}; ` +
      `${analysis.holm.family.filter((entry) => entry.reject).length} rejected.`,
    redundantPairs: redundantPairsTable(analysis),
    excluded: excludedTable(analysis),
    ranking: rankingTable(analysis),
    rankingNote:
      analysis.ranking.length > RANKING_ROWS
        ? `The top ${RANKING_ROWS} of ${analysis.ranking.length} metrics by their best max AUROC over r.`
        : `All ${analysis.ranking.length} metrics by their best max AUROC over r.`,
    contamination: contaminationTable(analysis),
    contaminationByR: contaminationByRTable(analysis),
    confirmatoryDescription: analysis.confirmatory.description,
    confirmatory: confirmatoryTable(analysis),
    settings: settingsTable(analysis),
  };
}

/** A metric key cell (monospace, marked when primary). */
export function metricCell(metric: string, isPrimary: boolean): Cell {
  return text(metric, isPrimary ? 'metric primary' : 'metric', isPrimary ? 'pre-registered primary metric' : null);
}

const WHY = {
  maxAuroc: 'undefined: at every lookback a class has fewer than 2 valid values',
  lookback: 'no lookback has an AUROC',
  d: 'undefined at this lookback: fewer than 2 values in a class, or zero pooled standard deviation',
};

function groupsTable(analysis: AnalysisSection): Table {
  const rows = [...analysis.groups]
    .sort((a, b) => a.r - b.r)
    .map((group) => [
      text(String(group.r), 'num'),
      count(group.n_violation, ''),
      count(group.n_control, ''),
      text(group.tier, group.tier === 'skip' ? 'bad' : group.tier === 'full' ? '' : 'warn', tierHelp(group.tier)),
    ]);
  return table([text('r', 'num'), text('violations', 'num'), text('controls', 'num'), 'event tier'], rows, 'No r group had any events.');
}

function tierHelp(tier: string): string {
  switch (tier) {
    case 'skip':
      return 'the smaller class has at most 1 event: no statistics';
    case 'low_n':
      return 'the smaller class has 2 to 4 events: AUROC only';
    case 'moderate_n':
      return 'the smaller class has 5 to 9 events: permutation test for primary metrics, no bootstrap';
    default:
      return 'at least 10 events per class: every test';
  }
}

function horizonTable(primary: MetricRecord[], threshold: number): Table {
  const rows = primary.map((record) => ({
    cls: record.horizon > 0 ? 'hit' : '',
    cells: [
      metricCell(record.metric, true),
      text(String(record.r), 'num'),
      text(record.tier, '', tierHelp(record.tier)),
      text(`${formatCount(record.n_violation)} / ${formatCount(record.n_control)}`, 'num'),
      auroc(record.max_auroc, WHY.maxAuroc, record.max_auroc !== null && record.max_auroc > threshold ? 'good' : ''),
      record.max_auroc_lookback > 0 ? text(String(record.max_auroc_lookback), 'num') : missing(WHY.lookback, 'num'),
      text(String(record.horizon), record.horizon > 0 ? 'num good' : 'num'),
      text(String(record.contiguous_horizon), record.contiguous_horizon > 0 ? 'num good' : 'num'),
      directionFreeCell(record),
    ],
  }));
  return table(
    [
      'primary metric',
      text('r', 'num'),
      'tier',
      text('violations / controls', 'num'),
      text('max AUROC', 'num'),
      text('at lookback', 'num', 'the first lookback j with the maximum AUROC'),
      text('horizon', 'num', `the largest lookback j with AUROC > ${threshold}`),
      text('contiguous horizon', 'num', `the largest J with AUROC > ${threshold} at every j <= J`),
      text('direction-free max', 'num', 'max over j of max(A, 1 - A); + higher values before violations, - lower'),
    ],
    rows,
    'The analysis has no primary metric records.',
  );
}

function directionFreeCell(record: MetricRecord): Cell {
  const free = record.direction_free;
  if (free.max_auroc === null) return missing(WHY.maxAuroc, 'num');
  const sign = free.sign === 1 ? '+' : free.sign === -1 ? '−' : '±';
  return text(`${free.max_auroc.toFixed(3)} (${sign})`, 'num', `horizon ${free.horizon} in either direction`);
}

function headlineTable(analysis: AnalysisSection): Table {
  const rows = [...analysis.headline]
    .sort((a, b) => a.r - b.r)
    .map((entry) => [
      text(String(entry.r), 'num'),
      text(String(entry.qkt_max_horizon), 'num'),
      text(String(entry.avwo_max_horizon), 'num'),
      yesNo(entry.qkt_leads, '', false),
      text(entry.gap > 0 ? `+${entry.gap}` : String(entry.gap), 'num'),
    ]);
  return table(
    [text('r', 'num'), text('qkt max horizon', 'num'), text('avwo max horizon', 'num'), 'qkt leads', text('gap (steps)', 'num')],
    rows,
    'The headline comparison has no r values.',
  );
}

function headlineSentence(analysis: AnalysisSection): string {
  const total = analysis.headline.length;
  if (total === 0) return 'No r value had primary metrics to compare.';
  const leads = analysis.headline.filter((entry) => entry.qkt_leads).length;
  return `The QK^T metrics predict violations further ahead than the AVWo metrics at ${leads} of ${total} r values.`;
}

function testsTable(primary: MetricRecord[]): Table {
  const rows = primary.map((record) => {
    const noPermutation = `no permutation test: tier ${record.tier} (it runs for tier full, and moderate_n for primary metrics)`;
    const permutation = record.permutation;
    return {
      cls: record.holm?.reject ? 'hit' : '',
      cells: [
        metricCell(record.metric, true),
        text(String(record.r), 'num'),
        auroc(record.max_auroc, WHY.maxAuroc),
        record.max_auroc_lookback > 0 ? text(String(record.max_auroc_lookback), 'num') : missing(WHY.lookback, 'num'),
        permutation === null ? missing(noPermutation, 'num') : pValue(permutation.p_value, 'undefined: no observed AUROC'),
        permutation === null
          ? missing(noPermutation, 'num')
          : auroc(permutation.null_p95, 'undefined: no null AUROC', permutation.flag ? 'warn' : ''),
        record.holm === null
          ? missing('not in the Holm family: the record has no permutation p-value', 'num')
          : pValue(record.holm.p_adjusted, '', record.holm.reject ? 'good' : ''),
        record.holm === null ? missing('not in the Holm family: the record has no permutation p-value') : yesNo(record.holm.reject, '', false),
        ciCell(record),
        cohensDCell(record),
      ],
    };
  });
  return table(
    [
      'primary metric',
      text('r', 'num'),
      text('max AUROC', 'num'),
      text('lookback', 'num'),
      text('permutation p', 'num', '(1 + #{null max >= observed max}) / (1 + N)'),
      text('null p95', 'num', '95th percentile of the permutation null of the max AUROC; flagged above 0.6'),
      text('Holm p', 'num', 'Holm-Bonferroni adjusted p-value'),
      'reject',
      text('95% CI', 'num', 'bootstrap interval of the AUROC at the max-AUROC lookback (BCa unless marked)'),
      text("Cohen's d", 'num', 'at the max-AUROC lookback (pooled SD)'),
    ],
    rows,
    'The analysis has no primary metric records.',
  );
}

function ciCell(record: MetricRecord): Cell {
  const boot = record.bootstrap;
  if (boot === null) return missing(`no bootstrap: tier ${record.tier} (it runs for tier full only)`, 'num');
  if (boot.low === null || boot.high === null) return missing('the interval is undefined: the resampled AUROCs are degenerate', 'num');
  const method = boot.method === 'bca' ? '' : ' (percentile)';
  return text(`[${boot.low.toFixed(3)}, ${boot.high.toFixed(3)}]${method}`, 'num', `${boot.method.toUpperCase()}, ${boot.n_resamples} resamples, lookback ${boot.lookback}`);
}

function cohensDCell(record: MetricRecord): Cell {
  if (record.max_auroc_lookback === 0) return missing(WHY.lookback, 'num');
  return fixed(record.cohens_d_by_lookback[record.max_auroc_lookback - 1] ?? null, 2, WHY.d);
}

function redundantPairsTable(analysis: AnalysisSection): Table {
  const { measurement, predictive } = analysis.redundancy;
  const sources = [
    { kind: 'measurement, Pearson', pairs: measurement.pearson.redundant_pairs },
    { kind: 'measurement, Spearman', pairs: measurement.spearman.redundant_pairs },
    { kind: `AUROC curves at r = ${predictive.r ?? '—'}, Pearson`, pairs: predictive.pearson.redundant_pairs },
  ];
  const rows = sources.flatMap((source) =>
    [...source.pairs]
      .sort((a, b) => Math.abs(b.rho) - Math.abs(a.rho))
      .map((pair) => [text(source.kind), metricCell(pair.a, false), metricCell(pair.b, false), fixed(pair.rho, 3, '')]),
  );
  return table(['correlation', 'metric', 'metric', text('rho', 'num')], rows, 'No pair of metrics has |rho| > 0.9: no metric is redundant.');
}

function excludedTable(analysis: AnalysisSection): Table {
  const { measurement, predictive } = analysis.redundancy;
  const sources = [
    { kind: 'measurement, Pearson', list: measurement.pearson.excluded },
    { kind: 'measurement, Spearman', list: measurement.spearman.excluded },
    { kind: 'AUROC curves, Pearson', list: predictive.pearson.excluded },
  ];
  const rows = sources.flatMap((source) => source.list.map((entry) => [text(source.kind), metricCell(entry.metric, false), text(entry.reason)]));
  return table(['correlation', 'metric', 'reason'], rows, 'No metric was excluded from the correlations.');
}

function rankingTable(analysis: AnalysisSection): Table {
  const rows = analysis.ranking.slice(0, RANKING_ROWS).map((entry, index) => [
    text(String(index + 1), 'num'),
    metricCell(entry.metric, entry.is_primary),
    auroc(entry.best_max_auroc, WHY.maxAuroc),
    entry.best_r === null ? missing('no r has an AUROC for this metric', 'num') : text(String(entry.best_r), 'num'),
    text(String(entry.horizon_at_best), 'num'),
    entry.redundant_with.length === 0 ? text('none', 'muted') : text(entry.redundant_with.join(', '), 'metric small'),
  ]);
  return table(
    [text('#', 'num'), 'metric', text('best max AUROC', 'num'), text('at r', 'num'), text('horizon there', 'num'), 'redundant with (Pearson)'],
    rows,
    'The ranking is empty.',
  );
}

function contaminationTable(analysis: AnalysisSection): Table {
  const c = analysis.contamination;
  return keyValueTable([
    ['events', count(c.total, '')],
    ['excluded', count(c.excluded, '')],
    ['exclusion rate', text(`${(100 * c.exclusion_rate).toFixed(1)} %`, 'num')],
    ['flagged (rate > 30 %)', text(c.flagged ? 'yes' : 'no', c.flagged ? 'bad' : 'good')],
  ]);
}

function contaminationByRTable(analysis: AnalysisSection): Table {
  const rows = Object.entries(analysis.contamination.by_r)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([r, counts]) => [
      text(r, 'num'),
      count(counts.total, ''),
      count(counts.excluded, ''),
      text(`${(100 * counts.exclusion_rate).toFixed(1)} %`, 'num'),
    ]);
  return table([text('r', 'num'), text('events', 'num'), text('excluded', 'num'), text('rate', 'num')], rows, 'No r has events.');
}

function confirmatoryTable(analysis: AnalysisSection): Table {
  const records = [...analysis.confirmatory.records].sort((a, b) => a.r - b.r || a.metric.localeCompare(b.metric));
  const rows = records.map((record) => ({
    cls: record.replicated ? 'hit' : '',
    cells: [
      metricCell(record.metric, true),
      text(String(record.r), 'num'),
      auroc(record.exploratory_max_auroc, WHY.maxAuroc),
      text(String(record.exploratory_horizon), 'num'),
      text(`${formatCount(record.n_violation)} / ${formatCount(record.n_control)}`, 'num'),
      auroc(record.max_auroc, WHY.maxAuroc),
      text(String(record.horizon), 'num'),
      yesNo(record.replicated, '', false),
    ],
  }));
  return table(
    [
      'primary metric',
      text('r', 'num'),
      text('exploratory max AUROC', 'num'),
      text('exploratory horizon', 'num'),
      text('confirmatory violations / controls', 'num'),
      text('confirmatory max AUROC', 'num'),
      text('confirmatory horizon', 'num'),
      'replicated',
    ],
    rows,
    'The confirmatory re-check has no records.',
  );
}

function settingsTable(analysis: AnalysisSection): Table {
  const s = analysis.settings;
  return keyValueTable([
    ['sequences (total / analysed / distinct)', slashed(analysis.sequences.total, analysis.sequences.analysed, analysis.sequences.distinct)],
    ['events (total / kept)', slashed(analysis.events.total, analysis.events.kept)],
    ['kept violations / controls', slashed(analysis.events.violations, analysis.events.controls)],
    ['first violations', count(analysis.events.first_violations, '')],
    ['permutations / bootstrap resamples', slashed(s.n_permutations, s.n_bootstrap)],
    ['dedupe', text(s.dedupe ? 'yes' : 'no')],
  ]);
}

function slashed(...values: number[]): Cell {
  return text(values.map(formatCount).join(' / '), 'num');
}
