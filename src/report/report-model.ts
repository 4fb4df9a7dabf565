/**
 * The single-experiment report's view model: a pure function from the result document (plus
 * figures and reproduction facts) to the plain strings, flags and tables the mustache template
 * renders. Numbers are formatted here, never in the template; a section whose data is absent
 * carries one sentence saying why.
 */
import { jumperRValues } from '../config/jumper-r';
import type { ResultDocument } from '../pipeline/result-schema';
import { analysisView, type AnalysisView } from './analysis-model';
import {
  count,
  fixed,
  formatCount,
  formatDate,
  formatSeconds,
  keyValueTable,
  missing,
  table,
  text,
  valueCell,
  yesNo,
  type Cell,
  type Table,
} from './format';
import { inlineSvg } from './inline-svg';
import type { ReportFigure, ReportInput } from './report-types';
import {
  analysisAbsentReason,
  arrayAt,
  backendFacts,
  booleanAt,
  missingStageReason,
  numberAt,
  runStopReason,
  sentence,
  stageRecord,
  stageSummary,
  stringAt,
  valueAt,
} from './result-facts';

/** A part of the report that is either available or explained in one sentence. */
export type Part<T> = ({ available: true } & T) | { available: false; absent: string };

/** The header of a report. */
export interface HeaderView {
  experimentId: string;
  status: string;
  statusClass: string;
  description: string;
  hasDescription: boolean;
  tags: string[];
  hasTags: boolean;
  facts: Table;
}

/** An inlined figure. */
export interface FigureView {
  number: number;
  name: string;
  anchor: string;
  title: string;
  caption: string;
  /** Trusted SVG markup (rendered with triple braces). */
  svg: string;
}

/** Everything the report template renders. */
export interface ReportView {
  pageTitle: string;
  header: HeaderView;
  configuration: { groups: Array<{ name: string; table: Table }>; json: string };
  run: { stages: Table; facts: Table };
  gate: Part<{ passed: boolean; verdict: string; facts: Table; byR: Table }>;
  training: Part<{ facts: Table }>;
  behaviour: Part<{ facts: Table; split: Table }>;
  analysis: Part<AnalysisView>;
  figures: { list: FigureView[]; hasFigures: boolean; absent: string };
  reproduction: { commands: string; commit: string; configHash: string; dirty: boolean; experimentId: string };
}

/** Builds the view of one experiment's report. */
export function buildReportView(input: ReportInput): ReportView {
  const { result } = input;
  return {
    pageTitle: `${result.experiment_id}: experiment report`,
    header: headerView(result),
    configuration: { groups: configGroups(result.config), json: JSON.stringify(result.config, null, 2) },
    run: { stages: stagesTable(result), facts: runFactsTable(result) },
    gate: gateView(result),
    training: trainingView(result),
    behaviour: behaviourView(result),
    analysis: result.analysis === null ? { available: false, absent: analysisAbsentReason(result) } : { available: true, ...analysisView(result.analysis) },
    figures: figuresView(input.figures, result),
    reproduction: reproductionView(input),
  };
}

/** The badge class and label of a run status. */
export function statusBadge(status: ResultDocument['status']): { label: string; cls: string } {
  return { label: status.replace('_', ' '), cls: `status-${status.replace('_', '-')}` };
}

/** The header (also used by the comparison report). */
export function headerView(result: ResultDocument): HeaderView {
  const badge = statusBadge(result.status);
  const started = Date.parse(result.started_at);
  const updated = Date.parse(result.updated_at);
  const entries: Array<[string, Cell]> = [
    ['started', text(formatDate(result.started_at))],
    ['last updated', text(formatDate(result.updated_at))],
    ['wall time', Number.isFinite(updated - started) ? text(formatSeconds(Math.max(0, (updated - started) / 1000))) : missing('unparseable dates')],
    ['config hash', text(result.config_hash, 'mono')],
    ['graph config hash', text(result.graph_config_hash, 'mono')],
  ];
  if (result.error !== null) entries.push(['error', text(`${result.error.code}${result.error.stage ? ` in ${result.error.stage}` : ''}: ${result.error.message}`, 'bad')]);
  return {
    experimentId: result.experiment_id,
    status: badge.label,
    statusClass: badge.cls,
    description: result.description,
    hasDescription: result.description.trim() !== '',
    tags: result.tags,
    hasTags: result.tags.length > 0,
    facts: keyValueTable(entries),
  };
}

// ---------------------------------------------------------------------------------------------
// Configuration

const CONFIG_GROUPS: Array<{ name: string; fields: Array<[label: string, path: string]> }> = [
  {
    name: 'Graph',
    fields: [
      ['n (vertices)', 'graph.n'],
      ['K (blocks)', 'graph.K'],
      ['p_in', 'graph.p_in'],
      ['p_out', 'graph.p_out'],
      ['jumpers per block', 'graph.n_jumpers_per_block'],
      ['r scales (× w)', 'graph.jumper_r_scales'],
    ],
  },
  { name: 'Model', fields: [['d_model', 'model.d_model'], ['n_layers', 'model.n_layers'], ['n_heads', 'model.n_heads'], ['dropout', 'model.dropout']] },
  {
    name: 'Training',
    fields: [
      ['w (context)', 'training.w'],
      ['walk_length', 'training.walk_length'],
      ['corpus_size', 'training.corpus_size'],
      ['batch_size', 'training.batch_size'],
      ['learning_rate', 'training.learning_rate'],
      ['max_steps', 'training.max_steps'],
      ['early_stop', 'training.early_stop'],
      ['require_gate', 'training.require_gate'],
    ],
  },
  { name: 'Evaluation', fields: [['protocol', 'evaluation.protocol'], ['temperature', 'evaluation.temperature']] },
  {
    name: 'Analysis',
    fields: [
      ['n_permutations', 'analysis.n_permutations'],
      ['n_bootstrap', 'analysis.n_bootstrap'],
      ['horizon threshold', 'analysis.horizon_threshold'],
      ['alpha', 'analysis.alpha'],
      ['split_seed', 'analysis.split_seed'],
    ],
  },
  { name: 'Run', fields: [['seed', 'seed'], ['device', 'runtime.device'], ['threads', 'runtime.threads']] },
];

function configGroups(config: Record<string, unknown>): Array<{ name: string; table: Table }> {
  return CONFIG_GROUPS.map((group) => {
    const entries: Array<[string, Cell]> = group.fields.map(([label, path]) => [label, configCell(config, path)]);
    if (group.name === 'Graph') entries.push(['r values', rValuesCell(config)]);
    return { name: group.name, table: keyValueTable(entries) };
  });
}

function configCell(config: Record<string, unknown>, path: string): Cell {
  const value = valueAt(config, path);
  if (path === 'runtime.threads' && value === null) return text('all cores');
  if (Array.isArray(value)) return text(value.join(', '), 'num');
  // Seeds are identifiers: no thousands separators.
  if (typeof value === 'number' && /seed$/.test(path)) return text(String(value), 'num');
  return valueCell(value, `${path} is not in this config`);
}

function rValuesCell(config: Record<string, unknown>): Cell {
  const scales = arrayAt(config, 'graph.jumper_r_scales').filter((s): s is number => typeof s === 'number');
  const w = numberAt(config, 'training.w');
  if (scales.length === 0 || w === null) return missing('needs graph.jumper_r_scales and training.w');
  return text(jumperRValues(scales, w).join(', '), 'num', 'max(1, round-half-even(scale × w)) for each scale');
}

// ---------------------------------------------------------------------------------------------
// Run facts

function stagesTable(result: ResultDocument): Table {
  const rows = result.stages.map((stage) => [
    text(stage.name),
    text(stage.status, `stage-${stage.status}`, stage.error === null ? null : `${stage.error.code}: ${stage.error.message}`),
    stage.cache === null
      ? missing('no cache decision: the stage did not start')
      : text(stage.cache, stage.cache === 'hit' ? 'good' : '', stage.reasons.length > 0 ? stage.reasons.join('; ') : null),
    stage.seconds === null ? missing('the stage has not finished') : text(formatSeconds(stage.seconds), 'num'),
    text(String(stage.attempts), 'num', stage.attempts === 0 ? 'reused from the cache' : null),
  ]);
  for (const name of result.unavailable_stages) {
    rows.push([text(name), text('not implemented', 'muted'), missing('not implemented in this version'), missing('not implemented in this version', 'num'), missing('not implemented in this version', 'num')]);
  }
  return table(['stage', 'status', 'cache', text('time', 'num'), text('attempts', 'num')], rows, 'The run recorded no stages.');
}

function runFactsTable(result: ResultDocument): Table {
  const meta = result.metadata;
  const backend = backendFacts(result);
  const noBackend = 'the train stage recorded no execution provider';
  const entries: Array<[string, Cell]> = [
    [
      'execution provider',
      backend?.provider
        ? text(backend.provider, '', backend.fallbackReason === null ? null : `fallback: ${backend.fallbackReason}`)
        : missing(noBackend),
    ],
  ];
  if (backend?.fallbackReason) entries.push(['provider fallback', text(backend.fallbackReason, 'warn')]);
  entries.push(
    ['training threads', backend?.threads != null ? text(String(backend.threads), 'num') : missing(noBackend, 'num')],
    ['onnxruntime', backend?.onnxruntimeVersion ? text(`${backend.onnxruntimeVersion}${backend.precision ? ` (${backend.precision})` : ''}`) : missing(noBackend)],
    ['engine threads', text(String(meta.threads), 'num')],
    ['node', text(meta.node_version)],
    ['package', text(meta.package_version)],
    ['git commit', text(meta.git_commit, 'mono')],
    ['host', text(`${meta.host} (${meta.platform})`)],
    ['cpu', text(`${meta.cpu_model} × ${meta.cpu_count}`)],
    ['artifact store', text(meta.store_root, 'mono')],
    ['total time', text(formatSeconds(meta.seconds_total))],
  );
  return keyValueTable(entries);
}

// ---------------------------------------------------------------------------------------------
// Gate, training, behaviour

function gateView(result: ResultDocument): ReportView['gate'] {
  const summary = stageSummary(result, 'train');
  const passed = booleanAt(summary, 'gate_passed');
  if (summary === null || passed === null) return { available: false, absent: missingStageReason(result, 'train') };
  const edgeGate = numberAt(summary, 'gate_thresholds.edge');
  const ruleGate = numberAt(summary, 'gate_thresholds.rule');
  const history = arrayAt(summary, 'gate_history');
  const firstPass = history.find((entry) => booleanAt(entry, 'passed') === true);
  const entries: Array<[string, Cell]> = [
    ['gate passed', yesNo(passed, '')],
    ['at step', count(numberAt(summary, 'steps'), 'the train summary has no step count')],
    ['edge compliance', complianceCell(numberAt(summary, 'final_edge_compliance'), edgeGate)],
    ['rule compliance', complianceCell(numberAt(summary, 'final_rule_compliance'), ruleGate)],
    ['rule compliance within context', complianceCell(numberAt(summary, 'rule_compliance_within_context.compliance'), null)],
    ['rule compliance beyond context', complianceCell(numberAt(summary, 'rule_compliance_beyond_context.compliance'), null)],
    ['gate prompts', count(numberAt(summary, 'gate_prompts'), 'not recorded')],
    ['gate evaluations', text(`${history.length}${firstPass === undefined ? '' : `, first passed at step ${formatCount(numberAt(firstPass, 'step') ?? 0)}`}`)],
  ];
  const reason = stringAt(summary, 'failure_reason');
  const byR = arrayAt(summary, 'rule_compliance_by_r').map((entry) => [
    text(String(numberAt(entry, 'r') ?? '—'), 'num'),
    text(booleanAt(entry, 'beyond_context') ? 'beyond' : 'within'),
    count(numberAt(entry, 'checks'), ''),
    complianceCell(numberAt(entry, 'compliance'), null, 'no rule was checked at this r'),
  ]);
  return {
    available: true,
    passed,
    verdict: passed ? 'The model passed the sufficiency gate.' : sentence(reason ?? 'The model did not pass the sufficiency gate'),
    facts: keyValueTable(entries),
    byR: table([text('r', 'num'), 'context', text('checks', 'num'), text('compliance', 'num')], byR, 'The gate recorded no per-r rule compliance.'),
  };
}

function complianceCell(value: number | null, threshold: number | null, why = 'not recorded'): Cell {
  if (value === null) return missing(why, 'num');
  if (threshold === null) return fixed(value, 4, why);
  return text(`${value.toFixed(4)} (needs > ${threshold})`, value > threshold ? 'num good' : 'num bad');
}

function trainingView(result: ResultDocument): ReportView['training'] {
  const summary = stageSummary(result, 'train');
  if (summary === null) return { available: false, absent: missingStageReason(result, 'train') };
  const seconds = stageRecord(result, 'train')?.seconds ?? null;
  const tokens = numberAt(summary, 'tokens_per_second');
  const resumed = numberAt(summary, 'resumed_from_step');
  const entries: Array<[string, Cell]> = [
    ['final loss (last step)', fixed(numberAt(summary, 'final_loss'), 4, 'not recorded')],
    ['final train loss (last epoch mean)', fixed(numberAt(summary, 'final_train_loss'), 4, 'not recorded')],
    ['steps', count(numberAt(summary, 'steps'), 'not recorded')],
    ['epochs', fixed(numberAt(summary, 'epochs'), 2, 'not recorded')],
    ['step budget', count(numberAt(summary, 'step_budget'), 'not recorded')],
    ['stop reason', valueCell(valueAt(summary, 'stop_reason'), 'not recorded')],
    ['parameters', count(numberAt(summary, 'parameter_count'), 'not recorded')],
    ['training windows', count(numberAt(summary, 'training_windows'), 'not recorded')],
    ['tokens per second', tokens === null ? missing('not measured') : text(formatCount(Math.round(tokens)), 'num')],
    ['resumed from step', resumed === null ? text('no (trained from scratch)') : count(resumed, '')],
    ['stage time', seconds === null ? missing('the stage has not finished') : text(formatSeconds(seconds), 'num')],
  ];
  return { available: true, facts: keyValueTable(entries) };
}

function behaviourView(result: ResultDocument): ReportView['behaviour'] {
  const summary = stageSummary(result, 'evaluate');
  if (summary === null) return { available: false, absent: missingStageReason(result, 'evaluate') };
  const protocol = stringAt(summary, 'protocol');
  const temperature = numberAt(summary, 'temperature');
  const guards = valueAt(summary, 'guard_counts');
  const guardTotal = guards !== null && typeof guards === 'object' ? Object.values(guards).reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0) : null;
  const entries: Array<[string, Cell]> = [
    ['protocol', protocol === null ? missing('not recorded') : text(temperature === null ? protocol : `${protocol} (temperature ${temperature})`)],
    ['sequences', count(numberAt(summary, 'n_sequences'), 'not recorded')],
    ['distinct sequences', count(numberAt(summary, 'n_distinct_sequences'), 'not recorded')],
    ['sequences with a violation', count(numberAt(summary, 'n_violation_sequences'), 'not recorded')],
    ['violated steps', count(numberAt(summary, 'n_violations'), 'not recorded')],
    ['jumper encounters (resolved / unresolved)', encountersCell(summary)],
    ['token rows', count(numberAt(summary, 'n_token_rows'), 'not recorded')],
    ['SVD guard activations', count(guardTotal, 'not recorded')],
  ];
  const split = valueAt(summary, 'split_assignment');
  const splitRows =
    split === undefined || split === null
      ? []
      : [
          [text('exploratory'), count(numberAt(split, 'n_exploratory'), 'not recorded'), count(numberAt(split, 'n_exploratory_violations'), 'not recorded')],
          [text('confirmatory'), count(numberAt(split, 'n_confirmatory'), 'not recorded'), count(numberAt(split, 'n_confirmatory_violations'), 'not recorded')],
        ];
  const seed = numberAt(split, 'split_seed');
  return {
    available: true,
    facts: keyValueTable(entries),
    split: table(
      [text(`split${seed === null ? '' : ` (seed ${seed})`}`), text('sequences', 'num'), text('with a violation', 'num')],
      splitRows,
      'The evaluate stage recorded no split assignment.',
    ),
  };
}

function encountersCell(summary: Record<string, unknown>): Cell {
  const resolved = numberAt(summary, 'n_encounters');
  const unresolved = numberAt(summary, 'n_unresolved_encounters');
  if (resolved === null) return missing('not recorded', 'num');
  return text(`${formatCount(resolved)} / ${unresolved === null ? '—' : formatCount(unresolved)}`, 'num');
}

// ---------------------------------------------------------------------------------------------
// Figures and reproduction

function figuresView(figures: ReportFigure[], result: ResultDocument): ReportView['figures'] {
  const list = figures.map((figure, index) => ({
    number: index + 1,
    name: figure.name,
    anchor: `fig-${figure.name}`,
    title: figure.title,
    caption: figure.caption,
    svg: inlineSvg(figure.svg, `fig-${figure.name}`),
  }));
  const absent = result.status === 'succeeded' ? 'No figures were rendered for this run.' : sentence(`No figures were rendered: ${runStopReason(result)}`);
  return { list, hasFigures: list.length > 0, absent };
}

function reproductionView(input: ReportInput): ReportView['reproduction'] {
  const { gitCommit, command, configHash } = input.reproduction;
  const dirty = gitCommit.endsWith('-dirty');
  const commit = dirty ? gitCommit.slice(0, -'-dirty'.length) : gitCommit;
  return {
    commands: [`git checkout ${commit}`, 'npm ci', command].join('\n'),
    commit: gitCommit,
    configHash,
    dirty,
    experimentId: input.result.experiment_id,
  };
}
