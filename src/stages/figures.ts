/**
 * The figures stage: loads what the figures are drawn from (training curves, behaviour counts,
 * the analysis, events and the few metric columns the trajectories show), renders every figure
 * of src/report/figure-specs.ts as SVG and PNG, and writes `figures/<name>.svg|png` plus
 * `figures.json` (name, title, caption per figure, in report order).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { columnData, readParquet, type Table } from '../artifacts/parquet';
import { writeFileAtomic } from '../artifacts/atomic-write';
import { ANALYSIS_FILE, analysisSectionSchema, type AnalysisSection } from '../analysis/analysis-schema';
import type { RuleEvents } from '../analysis/events';
import { figuresStageDeclaration } from '../pipeline/dag';
import type { StageContext, StageImplementation, UpstreamArtifact } from '../pipeline/stage';
import { FIGURES_INDEX_FILE, type FigureIndexEntry } from '../report/figure-index';
import { figureSpecs, type FigureSource, type TrainingSource } from '../report/figure-specs';
import { renderFigureSet } from '../report/figures/figure-set';
import type { RuleOutcomeCounts } from '../report/figures/types';
import { TRAINING_CURVES_FILE } from '../training/training-curves';
import { EVENTS_FILE, PERMUTATION_NULLS_FILE } from './analyse';
import { SEQUENCES_FILE, TOKEN_METRICS_FILE } from './evaluate-outputs';

export const figuresStage: StageImplementation<Record<string, never>> = {
  declaration: figuresStageDeclaration,
  module: 'src/stages/figures.ts',
  run: runFiguresStage,
};

async function runFiguresStage(context: StageContext<Record<string, never>>): Promise<Record<string, unknown>> {
  const started = performance.now();
  const source = await loadFigureSource(context);
  const described = await figureSpecs(source);
  context.progress(0.3);
  const rendered = renderFigureSet(
    described.map((figure) => figure.spec),
    { png: true },
  );
  const index: FigureIndexEntry[] = [];
  for (const [i, figure] of rendered.entries()) {
    const svg = `figures/${figure.name}.svg`;
    const png = `figures/${figure.name}.png`;
    await writeFile(context.output(svg), figure.svg);
    await writeFile(context.output(png), figure.png!);
    index.push({ name: figure.name, kind: figure.kind, title: described[i].title, caption: described[i].caption, svg, png });
    context.progress(0.3 + (0.7 * (i + 1)) / rendered.length, { figure: figure.name });
  }
  writeFileAtomic(context.output(FIGURES_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  return { figures: index.map((entry) => entry.name), seconds: (performance.now() - started) / 1000 };
}

async function loadFigureSource(context: StageContext<Record<string, never>>): Promise<FigureSource> {
  const train = context.input('train');
  const evaluate = context.input('evaluate');
  const analyse = context.input('analyse');
  const tokenMetrics = evaluate.file(TOKEN_METRICS_FILE);
  const sequences = await readParquet(evaluate.file(SEQUENCES_FILE), { columns: ['length', 'failure_index'] });
  const analysis = analysisSectionSchema.parse(JSON.parse(await readFile(analyse.file(ANALYSIS_FILE), 'utf8'))) as AnalysisSection;
  const nulls = await readParquet(analyse.file(PERMUTATION_NULLS_FILE));
  return {
    training: await trainingSource(train),
    confusion: await behaviourCounts(tokenMetrics),
    analysis,
    events: eventsFrom(await readParquet(analyse.file(EVENTS_FILE))),
    sequences: { length: columnData(sequences, 'length', 'int32'), failureIndex: columnData(sequences, 'failure_index', 'int32') },
    readColumn: async (key) => columnData(await readParquet(tokenMetrics, { columns: [key] }), key, 'float64'),
    readNull: async (metric, r) => nullOf(nulls, metric, r),
  };
}

/** Loss per step from training_curves.parquet, gate evaluations from the train summary. */
async function trainingSource(train: UpstreamArtifact): Promise<TrainingSource> {
  const curves = await readParquet(train.file(TRAINING_CURVES_FILE), { columns: ['step', 'loss'] });
  const summary = train.manifest.summary as { gate_history?: TrainingSource['gateHistory']; gate_thresholds?: TrainingSource['gateThresholds'] };
  return {
    steps: columnData(curves, 'step', 'int32'),
    loss: columnData(curves, 'loss', 'float64'),
    gateHistory: summary.gate_history ?? [],
    gateThresholds: summary.gate_thresholds ?? { edge: 0.95, rule: 0.8 },
  };
}

/** Steps by edge validity and rule outcome, from token_metrics. */
async function behaviourCounts(tokenMetrics: string): Promise<NonNullable<FigureSource['confusion']>> {
  const table = await readParquet(tokenMetrics, { columns: ['edge_valid', 'rule_outcome'] });
  const edgeValid = columnData(table, 'edge_valid', 'bool');
  const outcome = columnData(table, 'rule_outcome', 'int32');
  const counts = (): RuleOutcomeCounts => ({ followed: 0, violated: 0, notApplicable: 0 });
  const valid = counts();
  const invalid = counts();
  for (let row = 0; row < table.numRows; row++) {
    const cell = edgeValid[row] === 1 ? valid : invalid;
    if (outcome[row] === 1) cell.followed++;
    else if (outcome[row] === 2) cell.violated++;
    else cell.notApplicable++;
  }
  return { edgeValid: valid, edgeInvalid: invalid };
}

function eventsFrom(table: Table): RuleEvents {
  const int = (name: string) => columnData(table, name, 'int32');
  const flag = (name: string) => columnData(table, name, 'bool');
  return {
    count: table.numRows,
    sequence: int('sequence'),
    encounterStep: int('encounter_step'),
    resolutionStep: int('resolution_step'),
    r: int('r'),
    outcome: int('outcome'),
    isFirstViolation: flag('is_first_violation'),
    kept: flag('kept'),
  };
}

function nullOf(table: Table, metric: string, r: number): Float64Array | null {
  const metrics = columnData(table, 'metric', 'string');
  const rs = columnData(table, 'r', 'int32');
  const values = columnData(table, 'null_max', 'float64');
  const picked: number[] = [];
  for (let row = 0; row < table.numRows; row++) if (rs[row] === r && metrics[row] === metric) picked.push(values[row]);
  return picked.length === 0 ? null : Float64Array.from(picked);
}
