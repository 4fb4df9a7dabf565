/**
 * Which figures an experiment gets and from what data (issue: figures and report): the
 * mapping from the stages' outputs to the figure library's plain inputs. Pure, so the choice
 * of figures is testable without files; src/stages/figures.ts loads the data.
 */
import type { AnalysisSection, MetricRecord } from '../analysis/analysis-schema';
import { groupByR, type RGroup, type RuleEvents } from '../analysis/events';
import { lookbackValues, TokenRowIndex } from '../analysis/lookback-values';
import { meanBand } from './figures/band';
import type { FigureSpec } from './figures/figure-set';
import type { RuleOutcomeCounts, Value } from './figures/types';

/** A figure with the words the report shows next to it. */
export interface DescribedFigure {
  spec: FigureSpec;
  title: string;
  caption: string;
}

/** Training data: the loss per step and the gate evaluations. */
export interface TrainingSource {
  steps: Int32Array;
  loss: Float64Array;
  gateHistory: Array<{ step: number; edge_compliance: number; rule_compliance: number }>;
  gateThresholds: { edge: number; rule: number };
}

/** Everything the figures are drawn from. */
export interface FigureSource {
  training: TrainingSource | null;
  confusion: { edgeValid: RuleOutcomeCounts; edgeInvalid: RuleOutcomeCounts } | null;
  analysis: AnalysisSection | null;
  /** All events of the analyse artifact (kept flags included). */
  events: RuleEvents | null;
  /** Sequence lengths and failure indices (sequences.parquet). */
  sequences: { length: Int32Array; failureIndex: Int32Array } | null;
  /** Reads one metric column of token_metrics. */
  readColumn: (key: string) => Promise<Float64Array>;
  /** The permutation null maxima of (metric, r), when stored. */
  readNull: (metric: string, r: number) => Promise<Float64Array | null>;
}

/** How many primary metrics get an event-aligned trajectory. */
const TRAJECTORY_FIGURES = 3;

/** The figures of one experiment, in report order; a figure whose data is missing is left out. */
export async function figureSpecs(source: FigureSource): Promise<DescribedFigure[]> {
  const figures: DescribedFigure[] = [];
  if (source.training !== null) figures.push(trainingFigure(source.training));
  if (source.confusion !== null) figures.push(confusionFigure(source.confusion));
  const analysis = source.analysis;
  if (analysis === null || analysis.metrics.length === 0) return figures;
  figures.push(aurocFigure(analysis), heatmapFigure(analysis));
  const headline = headlineRecords(analysis);
  if (source.events !== null && source.sequences !== null) {
    const context: FigureContext = { events: source.events, index: new TokenRowIndex(source.sequences.length), groups: groupByR(source.events) };
    for (const [i, record] of headline.slice(0, TRAJECTORY_FIGURES).entries()) {
      const values = groupValues(context, record, await source.readColumn(record.metric));
      figures.push(trajectoryFigure(record, values, i));
      if (i === 0 && record.max_auroc_lookback > 0) figures.push(distributionFigure(record, values));
    }
    const top = headline[0];
    if (top !== undefined) {
      const spectrum = spectrumFigure(top, context, source.sequences, await source.readColumn(top.metric));
      if (spectrum !== null) figures.push(spectrum);
    }
  }
  const tested = headline.find((record) => record.permutation !== null);
  if (tested !== undefined) {
    const nullMax = await source.readNull(tested.metric, tested.r);
    if (nullMax !== null) figures.push(nullFigure(tested, nullMax));
  }
  return figures;
}

/**
 * Primary records ordered by max AUROC, one per metric key (its best r): the metrics the
 * headline figures show.
 */
export function headlineRecords(analysis: AnalysisSection): MetricRecord[] {
  const best = new Map<string, MetricRecord>();
  for (const record of analysis.metrics) {
    if (!record.is_primary || record.max_auroc === null) continue;
    const current = best.get(record.metric);
    if (current === undefined || record.max_auroc > current.max_auroc!) best.set(record.metric, record);
  }
  return [...best.values()].sort((a, b) => b.max_auroc! - a.max_auroc! || a.metric.localeCompare(b.metric));
}

function trainingFigure(training: TrainingSource): DescribedFigure {
  return {
    spec: {
      name: 'training-curves',
      kind: 'training-curves',
      data: {
        loss: { steps: [...training.steps], values: [...training.loss] },
        compliance: {
          steps: training.gateHistory.map((g) => g.step),
          edge: training.gateHistory.map((g) => g.edge_compliance),
          rule: training.gateHistory.map((g) => g.rule_compliance),
        },
        gates: training.gateThresholds,
      },
    },
    title: 'Training',
    caption: 'Training loss per step with its moving average, and the sufficiency gate\u2019s edge and rule compliance at each evaluation against its thresholds.',
  };
}

function confusionFigure(confusion: NonNullable<FigureSource['confusion']>): DescribedFigure {
  return {
    spec: { name: 'confusion-matrix', kind: 'confusion-matrix', data: confusion },
    title: 'Behaviour of the generated sequences',
    caption: 'Every generated step by edge validity (is the token pair an edge of the graph) and by the outcome of the jumper rules due at that step.',
  };
}

function aurocFigure(analysis: AnalysisSection): DescribedFigure {
  const panels = analysis.groups
    .filter((group) => group.tier !== 'skip')
    .map((group) => ({
      r: group.r,
      nViolations: group.n_violation,
      nControls: group.n_control,
      curves: analysis.metrics.filter((m) => m.r === group.r).map((m) => ({ metric: m.metric, primary: m.is_primary, auroc: m.auroc_by_lookback })),
    }));
  return {
    spec: { name: 'auroc-by-lookback', kind: 'auroc-lookback', data: { panels, threshold: analysis.settings.horizon_threshold } },
    title: 'AUROC by lookback',
    caption: `AUROC of violations against followed rules at each lookback j (steps before the resolving token), one panel per rule length r; primary metrics in colour, all others in grey; the dashed lines are the horizon threshold (${analysis.settings.horizon_threshold}) and chance (0.5).`,
  };
}

function heatmapFigure(analysis: AnalysisSection): DescribedFigure {
  const rValues = analysis.groups.map((group) => group.r);
  const metrics = [...new Set(analysis.metrics.filter((m) => m.is_primary).map((m) => m.metric))];
  const others = analysis.ranking.filter((entry) => !entry.is_primary && (entry.best_max_auroc ?? 0) > 0).slice(0, Math.max(0, 20 - metrics.length));
  const rows = [...metrics, ...others.map((entry) => entry.metric)];
  const horizon = rows.map((metric) => rValues.map((r): Value => analysis.metrics.find((m) => m.metric === metric && m.r === r)?.horizon ?? null));
  return {
    spec: { name: 'horizon-heatmap', kind: 'horizon-heatmap', data: { metrics: rows, rValues, horizon, primary: metrics, threshold: analysis.settings.horizon_threshold } },
    title: 'Predictive horizons',
    caption: 'Predictive horizon (the largest lookback with AUROC above the threshold) of the primary metrics and the best-ranked other metrics, for each rule length r; 0 means never above the threshold.',
  };
}

/** The events, their row index and their r groups (the kept events, as the analysis grouped them). */
interface FigureContext {
  events: RuleEvents;
  index: TokenRowIndex;
  groups: RGroup[];
}

/** A record's lookback matrix for its r group, split by class. */
interface ClassValues {
  violation: Float64Array[];
  control: Float64Array[];
}

function groupValues(context: FigureContext, record: MetricRecord, column: Float64Array): ClassValues {
  const group = context.groups.find((candidate) => candidate.r === record.r)!;
  const values = lookbackValues(column, context.index, context.events, group);
  const pick = (want: number) => values.map((atJ) => atJ.filter((_, k) => group.isViolation[k] === want));
  return { violation: pick(1), control: pick(0) };
}


function trajectoryFigure(record: MetricRecord, values: ClassValues, rank: number): DescribedFigure {
  // x runs from the jumper (-r) to the resolving token's pass (-1).
  const x = values.violation.map((_, j) => -(j + 1)).reverse();
  const band = (byLookback: Float64Array[]) => {
    const events = byLookback[0]?.length ?? 0;
    const samples = Array.from({ length: events }, (_, k) => [...byLookback].reverse().map((atJ) => atJ[k]));
    return { ...meanBand(samples), n: events };
  };
  return {
    spec: {
      name: `trajectory-${rank + 1}`,
      kind: 'event-aligned',
      data: { metric: record.metric, x, xLabel: 'Step relative to the resolving token (steps)', r: record.r, violation: band(values.violation), control: band(values.control) },
    },
    title: `Event-aligned trajectory: ${record.metric}`,
    caption: `Mean of ${record.metric} with its 95% band before violated and followed rules of length r = ${record.r}, aligned on the resolving token; its AUROC peaks at ${record.max_auroc?.toFixed(3)} (lookback ${record.max_auroc_lookback}).`,
  };
}

function distributionFigure(record: MetricRecord, values: ClassValues): DescribedFigure {
  const j = record.max_auroc_lookback;
  return {
    spec: {
      name: 'distribution',
      kind: 'distribution',
      data: { metric: record.metric, lookback: j, r: record.r, violation: [...values.violation[j - 1]], control: [...values.control[j - 1]] },
    },
    title: `Distributions at the best lookback: ${record.metric}`,
    caption: `${record.metric} before violations and before followed rules (r = ${record.r}) at lookback ${j}, where its AUROC is largest.`,
  };
}

/** The metric over the steps of the first sequence whose first violation is one of the record's events. */
function spectrumFigure(record: MetricRecord, { events, index }: FigureContext, sequences: NonNullable<FigureSource['sequences']>, column: Float64Array): DescribedFigure | null {
  let chosen = -1;
  for (let e = 0; e < events.count; e++) {
    if (events.kept[e] === 1 && events.r[e] === record.r && events.isFirstViolation[e] === 1) {
      chosen = e;
      break;
    }
  }
  if (chosen < 0) return null;
  const sequence = events.sequence[chosen];
  const steps = Array.from({ length: Math.max(0, sequences.length[sequence] - 1) }, (_, s) => s);
  const values = steps.map((s): Value => {
    const v = column[index.row(sequence, s)];
    return Number.isFinite(v) ? v : null;
  });
  return {
    spec: {
      name: 'metric-trajectory',
      kind: 'spectrum-trajectory',
      data: {
        target: record.metric,
        sequence,
        steps,
        series: [{ label: record.metric, values }],
        yLabel: `${record.metric} (dimensionless)`,
        violationStep: events.resolutionStep[chosen] - 1,
        encounterStep: events.encounterStep[chosen],
      },
    },
    title: `One sequence: ${record.metric}`,
    caption: `${record.metric} at every generation step of sequence ${sequence}, with the step where its jumper (r = ${record.r}) was met and the step whose token broke the rule.`,
  };
}

function nullFigure(record: MetricRecord, nullMax: Float64Array): DescribedFigure {
  return {
    spec: {
      name: 'permutation-null',
      kind: 'permutation-null',
      data: { metric: record.metric, r: record.r, nullMaxAuroc: [...nullMax], observed: record.max_auroc, pValue: record.permutation?.p_value ?? null },
    },
    title: `Permutation control: ${record.metric}`,
    caption: `The maximum AUROC over lookbacks under ${nullMax.length.toLocaleString('en-US')} random relabellings of the events (r = ${record.r}), against the observed maximum.`,
  };
}
