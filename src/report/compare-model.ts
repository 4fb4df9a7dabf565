/**
 * The comparison report's view model: experiments labelled A, B, C..., the config leaves that
 * differ (each cell that differs from experiment A marked), a table of headline scalars, the
 * primary horizon per (metric, r) and experiment, and the figures paired by name.
 */
import type { ResultDocument } from '../pipeline/result-schema';
import {
  auroc,
  count,
  fixed,
  formatDate,
  formatP,
  formatSeconds,
  keyValueTable,
  missing,
  table,
  text,
  yesNo,
  type Cell,
  type Table,
} from './format';
import { inlineSvg } from './inline-svg';
import type { ComparisonInput } from './report-types';
import { statusBadge } from './report-model';
import { analysisAbsentReason, bestPrimary, booleanAt, missingStageReason, numberAt, stageSummary } from './result-facts';

/** One experiment's column header. */
export interface ExperimentLabel {
  label: string;
  experimentId: string;
  status: string;
  statusClass: string;
  description: string;
  started: string;
}

/** A row of figures with the same name. */
export interface FigureRow {
  name: string;
  title: string;
  columns: string;
  cells: Array<{ label: string; experimentId: string; present: boolean; svg: string; caption: string; absent: string }>;
}

/** Everything the comparison template renders. */
export interface ComparisonView {
  pageTitle: string;
  experiments: ExperimentLabel[];
  configDiff: Table;
  configDiffSentence: string;
  configEqual: Table;
  configEqualCount: number;
  scalars: Table;
  horizon: Table;
  figureRows: FigureRow[];
  hasFigures: boolean;
}

/** `A`, `B`, ..., `Z`, `AA`, ... */
export function experimentLabel(index: number): string {
  let label = '';
  let n = index;
  do {
    label = String.fromCharCode(65 + (n % 26)) + label;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return label;
}

/** Builds the comparison view; throws RangeError for fewer than two experiments. */
export function buildComparisonView(inputs: ReadonlyArray<ComparisonInput>): ComparisonView {
  if (inputs.length < 2) throw new RangeError(`renderComparison: needs at least 2 experiments, got ${inputs.length}`);
  const results = inputs.map((input) => input.result);
  const labels = results.map((result, index) => {
    const badge = statusBadge(result.status);
    return {
      label: experimentLabel(index),
      experimentId: result.experiment_id,
      status: badge.label,
      statusClass: badge.cls,
      description: result.description,
      started: formatDate(result.started_at),
    };
  });
  const config = configComparison(results, labels);
  return {
    pageTitle: `Comparison of ${results.length} experiments`,
    experiments: labels,
    ...config,
    scalars: scalarTable(results, labels),
    horizon: horizonTable(results, labels),
    figureRows: figureRows(inputs, labels),
    hasFigures: inputs.some((input) => input.figures.length > 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Config differences

/** Every leaf of a JSON object by dotted path (arrays are leaves, compared as JSON). */
export function configLeaves(value: unknown, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix !== '') into.set(prefix, value);
    for (const [key, child] of entries) configLeaves(child, prefix === '' ? key : `${prefix}.${key}`, into);
  } else if (prefix !== '') {
    into.set(prefix, value);
  }
  return into;
}

function leafText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  return JSON.stringify(value);
}

function configComparison(results: ResultDocument[], labels: ExperimentLabel[]): Pick<ComparisonView, 'configDiff' | 'configDiffSentence' | 'configEqual' | 'configEqualCount'> {
  const leaves = results.map((result) => configLeaves(result.config));
  const paths = [...new Set(leaves.flatMap((map) => [...map.keys()]))];
  const same = (a: unknown, b: unknown) => a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
  const differing: Array<{ cells: Cell[]; cls: string }> = [];
  const equal: Array<[string, Cell]> = [];
  for (const path of paths) {
    const values = leaves.map((map) => map.get(path));
    if (values.every((value) => same(value, values[0]))) {
      equal.push([path, text(leafText(values[0]), typeof values[0] === 'number' ? 'num' : '')]);
      continue;
    }
    const cells = values.map((value, index) => {
      const marker = index === 0 ? 'base' : same(value, values[0]) ? '' : 'diff';
      if (value === undefined) return missing(`${path} is not in experiment ${labels[index].label}'s config`, marker);
      return text(leafText(value), `${typeof value === 'number' ? 'num ' : ''}${marker}`.trim());
    });
    differing.push({ cls: 'differs', cells: [text(path, 'key mono'), ...cells] });
  }
  const headers = [text('config field'), ...labels.map((label) => text(label.label, 'num', label.experimentId))];
  return {
    configDiff: table(headers, differing, 'Every config field is equal in all experiments.'),
    configDiffSentence:
      differing.length === 0
        ? 'The experiments share one configuration.'
        : `${differing.length} of ${paths.length} config fields differ; marked cells differ from experiment A.`,
    configEqual: keyValueTable(equal, 'No config field is equal in all experiments.'),
    configEqualCount: equal.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Scalars

type Scalar = [label: string, cell: (result: ResultDocument) => Cell];

const SCALARS: Scalar[] = [
  ['status', (r) => text(statusBadge(r.status).label, `status-text ${statusBadge(r.status).cls}`, r.error?.message ?? null)],
  ['gate passed', (r) => yesNo(booleanAt(stageSummary(r, 'train'), 'gate_passed'), missingStageReason(r, 'train'))],
  ['training steps', (r) => count(numberAt(stageSummary(r, 'train'), 'steps'), missingStageReason(r, 'train'))],
  ['final loss', (r) => fixed(numberAt(stageSummary(r, 'train'), 'final_loss'), 4, missingStageReason(r, 'train'))],
  ['final edge compliance', (r) => fixed(numberAt(stageSummary(r, 'train'), 'final_edge_compliance'), 4, missingStageReason(r, 'train'))],
  ['final rule compliance', (r) => fixed(numberAt(stageSummary(r, 'train'), 'final_rule_compliance'), 4, missingStageReason(r, 'train'))],
  ['sequences', (r) => count(numberAt(stageSummary(r, 'evaluate'), 'n_sequences'), missingStageReason(r, 'evaluate'))],
  ['sequences with a violation', (r) => count(numberAt(stageSummary(r, 'evaluate'), 'n_violation_sequences'), missingStageReason(r, 'evaluate'))],
  ['violated steps', (r) => count(numberAt(stageSummary(r, 'evaluate'), 'n_violations'), missingStageReason(r, 'evaluate'))],
  ['events kept', (r) => (r.analysis === null ? missing(analysisAbsentReason(r), 'num') : count(r.analysis.events.kept, ''))],
  ['kept violation events', (r) => (r.analysis === null ? missing(analysisAbsentReason(r), 'num') : count(r.analysis.events.violations, ''))],
  ['contamination exclusion rate', (r) => (r.analysis === null ? missing(analysisAbsentReason(r), 'num') : text(`${(100 * r.analysis.contamination.exclusion_rate).toFixed(1)} %`, 'num'))],
  ['best primary max AUROC', bestPrimaryCell],
  ['largest primary horizon', largestHorizonCell],
  ['Holm rejections', holmCell],
  ['r values where qkt leads', headlineCell],
  ['total time', (r) => text(formatSeconds(r.metadata.seconds_total), 'num')],
  ['git commit', (r) => text(r.metadata.git_commit, 'mono')],
  ['config hash', (r) => text(r.config_hash, 'mono')],
];

function bestPrimaryCell(result: ResultDocument): Cell {
  if (result.analysis === null) return missing(analysisAbsentReason(result), 'num');
  const best = bestPrimary(result.analysis);
  if (best === null) return missing('no primary metric has an AUROC at any r', 'num');
  return { ...auroc(best.max_auroc, ''), text: `${(best.max_auroc as number).toFixed(3)} (r = ${best.r})`, title: `${best.metric} at lookback ${best.max_auroc_lookback}` };
}

function largestHorizonCell(result: ResultDocument): Cell {
  if (result.analysis === null) return missing(analysisAbsentReason(result), 'num');
  const primary = result.analysis.metrics.filter((record) => record.is_primary);
  if (primary.length === 0) return missing('the analysis has no primary metric records', 'num');
  const best = primary.reduce((a, b) => (b.horizon > a.horizon ? b : a));
  return text(`${best.horizon}${best.horizon > 0 ? ` (r = ${best.r})` : ''}`, 'num', best.horizon > 0 ? best.metric : null);
}

function holmCell(result: ResultDocument): Cell {
  if (result.analysis === null) return missing(analysisAbsentReason(result), 'num');
  const { family } = result.analysis.holm;
  const rejected = family.filter((entry) => entry.reject);
  const smallest = family.length === 0 ? null : Math.min(...family.map((entry) => entry.p_adjusted));
  return text(`${rejected.length} of ${family.length}`, 'num', smallest === null ? null : `smallest adjusted p ${formatP(smallest)}`);
}

function headlineCell(result: ResultDocument): Cell {
  if (result.analysis === null) return missing(analysisAbsentReason(result), 'num');
  const { headline } = result.analysis;
  return text(`${headline.filter((entry) => entry.qkt_leads).length} of ${headline.length}`, 'num');
}

function scalarTable(results: ResultDocument[], labels: ExperimentLabel[]): Table {
  const rows = SCALARS.map(([label, cell]) => [text(label, 'key'), ...results.map(cell)]);
  return table([text(''), ...labels.map((label) => text(label.label, 'num', label.experimentId))], rows, '');
}

// ---------------------------------------------------------------------------------------------
// Horizon

function horizonTable(results: ResultDocument[], labels: ExperimentLabel[]): Table {
  const keys = new Map<string, { r: number; metric: string }>();
  for (const result of results) {
    for (const record of result.analysis?.metrics ?? []) if (record.is_primary) keys.set(`${record.r}\u0000${record.metric}`, { r: record.r, metric: record.metric });
  }
  const ordered = [...keys.values()].sort((a, b) => a.r - b.r || a.metric.localeCompare(b.metric));
  const rows = ordered.map(({ r, metric }) => {
    const cells: Cell[] = [text(metric, 'metric'), text(String(r), 'num')];
    results.forEach((result, index) => {
      if (result.analysis === null) {
        const why = analysisAbsentReason(result);
        cells.push(missing(why, 'num group-start'), missing(why, 'num'));
        return;
      }
      const record = result.analysis.metrics.find((m) => m.r === r && m.metric === metric);
      if (record === undefined) {
        const why = `experiment ${labels[index].label} did not analyse ${metric} at r = ${r}`;
        cells.push(missing(why, 'num group-start'), missing(why, 'num'));
        return;
      }
      const threshold = result.analysis.settings.horizon_threshold;
      cells.push(
        auroc(record.max_auroc, 'undefined: at every lookback a class has fewer than 2 valid values', `group-start${record.max_auroc !== null && record.max_auroc > threshold ? ' good' : ''}`),
        text(String(record.horizon), record.horizon > 0 ? 'num good' : 'num'),
      );
    });
    return cells;
  });
  const headers = [
    text('primary metric'),
    text('r', 'num'),
    ...labels.flatMap((label) => [text(`${label.label}: max AUROC`, 'num group-start', label.experimentId), text(`${label.label}: horizon`, 'num', label.experimentId)]),
  ];
  const none = results.every((result) => result.analysis === null)
    ? 'No experiment has an analysis: ' + results.map((result, i) => `${labels[i].label}: ${analysisAbsentReason(result)}`).join(' ')
    : 'No experiment analysed a primary metric.';
  return table(headers, rows, none);
}

// ---------------------------------------------------------------------------------------------
// Figures

function figureRows(inputs: ReadonlyArray<ComparisonInput>, labels: ExperimentLabel[]): FigureRow[] {
  const names: string[] = [];
  for (const input of inputs) for (const figure of input.figures) if (!names.includes(figure.name)) names.push(figure.name);
  return names.map((name) => {
    const first = inputs.flatMap((input) => input.figures).find((figure) => figure.name === name)!;
    return {
      name,
      title: first.title,
      columns: `grid-template-columns: repeat(${inputs.length}, minmax(0, 1fr))`,
      cells: inputs.map((input, index) => {
        const figure = input.figures.find((f) => f.name === name);
        const label = labels[index];
        return {
          label: label.label,
          experimentId: label.experimentId,
          present: figure !== undefined,
          svg: figure === undefined ? '' : inlineSvg(figure.svg, `cmp-${label.label}-${name}`),
          caption: figure?.caption ?? '',
          absent: `Experiment ${label.label} has no ${name} figure${input.result.status === 'succeeded' ? '' : ` (${input.result.status.replace('_', ' ')})`}.`,
        };
      }),
    };
  });
}
