/**
 * What a search reports: the budget plan (rungs, trials, training steps against the grid over
 * the same trials), the leaderboard (printed, and written to
 * `<results>/searches/<name>/leaderboard.csv`), a machine-readable `search.json` and a small
 * self-contained HTML page `search.html` (objective per trial and rung, the best config).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import Mustache from 'mustache';
import { encodeCsvLine } from './csv';
import { budgetTotals, type BudgetTotals } from './search-budget';
import { standings, trainedSteps, type SearchLayout, type SearchOutcome, type Standing, type TrialRun } from './search-run';
import { formatTable } from './text-table';

/** The name a search's outputs are filed under: the sweep file's name without `.json`. */
export function searchName(source: string): string {
  return basename(source, extname(source));
}

/** Where a search's leaderboard and page go: `<results>/searches/<name>/`. */
export function searchDir(resultsRoot: string, source: string): string {
  return join(resultsRoot, 'searches', searchName(source));
}

/** Planned training steps: the search's own, the grid over the same trials, and halving from scratch. */
export function plannedTotals(layout: SearchLayout): BudgetTotals {
  if (layout.spec.search?.strategy === 'halving') return budgetTotals(layout.rungs.map((rung) => ({ ...rung, budget: rung.budget! })));
  const steps = layout.pointsFor(layout.trials, layout.rungs[0]).reduce((total, point) => total + point.config.training.max_steps, 0);
  return { grid: steps, halvingFromScratch: steps, halving: steps };
}

/** The header of a search: strategy, trials, objective, where it stops. */
export function searchHeaderLines(layout: SearchLayout, parallel: number): string[] {
  const { spec, objective, trials } = layout;
  const search = spec.search;
  const what = search === undefined ? `grid of ${trials.length} point(s)` : `${search.strategy} search: ${trials.length} trial(s) sampled with search_seed ${search.search_seed}`;
  const fields = search === undefined ? spec.axes.map((axis) => axis.name) : Object.keys(search.space);
  return [
    `Search ${spec.source}: ${what} over ${fields.join(', ')}; ${parallel} at once`,
    `Objective: ${objective.direction} ${objective.path}; every run stops after ${spec.until ?? 'the last stage'}`,
    ...spec.notes.map((note) => `Note: ${note}`),
    ...layout.notes.map((note) => `Note: ${note}`),
  ];
}

/** The trials and their sampled values. */
export function trialTable(layout: SearchLayout): string {
  const fields = Object.keys(layout.trials[0]?.values ?? {});
  return formatTable(['TRIAL', ...fields], layout.trials.map((trial) => [String(trial.index), ...fields.map((field) => showValue(trial.values[field]))]));
}

/** The budget plan: trials and steps per rung, and the totals against the grid over the same trials. */
export function budgetPlanLines(layout: SearchLayout): string[] {
  const totals = plannedTotals(layout);
  if (layout.spec.search?.strategy !== 'halving') return [`Training steps: ${totals.grid} (${layout.trials.length} trial(s), each to its training.max_steps)`];
  const rows = layout.rungs.map((rung, i) => {
    const previous = i === 0 ? 0 : layout.rungs[i - 1].budget!;
    return [String(rung.index), String(rung.budget), String(rung.trials), String(rung.budget! - previous), String(rung.trials * (rung.budget! - previous))];
  });
  const last = layout.rungs[layout.rungs.length - 1].budget!;
  return [
    `Budget plan (successive halving, eta ${layout.spec.search.halving!.eta}; a promoted trial continues from its previous rung):`,
    formatTable(['RUNG', 'MAX_STEPS', 'TRIALS', 'STEPS/TRIAL', 'STEPS'], rows),
    `Training steps: halving ${totals.halving} (${totals.halvingFromScratch} if every rung trained from scratch); ` +
      `the grid over the same ${layout.trials.length} trials at ${last} steps: ${totals.grid}`,
  ];
}

/** The leaderboard as a header and string rows (shared by the printed table and the CSV). */
export function leaderboard(outcome: SearchOutcome, full = false): { header: string[]; rows: string[][] } {
  const { layout } = outcome;
  const fields = Object.keys(layout.trials[0]?.values ?? {});
  const halving = layout.spec.search?.strategy === 'halving';
  const rungColumns = halving ? layout.rungs.map((rung) => `@${rung.budget}`) : [];
  const header = ['RANK', 'TRIAL', ...fields, ...(halving ? ['RUNG', 'MAX_STEPS'] : []), 'OBJECTIVE', ...rungColumns, 'STATUS', 'CONTINUED_FROM', 'TRAINED', 'EXPERIMENT'];
  const show = full ? (value: unknown) => (typeof value === 'number' ? String(value) : showValue(value)) : showValue;
  const rows = standings(outcome).map((standing) => {
    const { last } = standing;
    return [
      String(standing.rank),
      String(standing.trial.index),
      ...fields.map((field) => show(standing.trial.values[field])),
      ...(halving ? [String(last.rung), String(last.point.config.training.max_steps)] : []),
      objectiveCell(last, full),
      ...(halving ? standing.byRung.map((run) => (run === null ? '' : objectiveCell(run, full))) : []),
      last.status,
      last.train?.continuedFrom === null || last.train === null ? '' : String(last.train.continuedFrom),
      String(standing.byRung.reduce((total, run) => total + (run?.train?.cost ?? 0), 0)),
      last.point.experimentId,
    ];
  });
  return { header, rows };
}

/** The summary after a search: the leaderboard table, the stop reason, training totals and the best trial. */
export function searchSummaryLines(outcome: SearchOutcome): string[] {
  const { header, rows } = leaderboard(outcome);
  const totals = plannedTotals(outcome.layout);
  const best = standings(outcome)[0];
  const halving = outcome.layout.spec.search?.strategy === 'halving';
  const trained = trainedSteps(outcome.runs);
  return [
    '',
    formatTable(header, rows),
    ...(outcome.stopped === null ? [] : [`Stopped early: ${outcome.stopped}`]),
    `Training steps of this search: ${trained.cost} (${trained.now} trained now, the rest were cache hits); planned at most: ` +
      (halving ? `halving ${totals.halving}, from scratch ${totals.halvingFromScratch}, the grid over the same trials ${totals.grid}` : `${totals.grid}`),
    best === undefined || best.last.objective === null
      ? 'Best: no trial has an objective'
      : `Best: trial ${best.trial.index} ${best.last.point.experimentId}: ${outcome.layout.objective.path} = ${best.last.objective} (${describeValues(best)})`,
  ];
}

/** Writes leaderboard.csv, search.json and search.html into `dir`; returns their paths. */
export function writeSearchReport(dir: string, outcome: SearchOutcome): string[] {
  mkdirSync(dir, { recursive: true });
  const { header, rows } = leaderboard(outcome, true);
  const csv = join(dir, 'leaderboard.csv');
  writeFileSync(csv, `${[header.map((h) => h.toLowerCase()), ...rows].map(encodeCsvLine).join('\n')}\n`);
  const json = join(dir, 'search.json');
  writeFileSync(json, `${JSON.stringify(searchDocument(outcome), null, 2)}\n`);
  const html = join(dir, 'search.html');
  writeFileSync(html, Mustache.render(PAGE, pageView(outcome)));
  return [csv, json, html];
}

/** The search as data: settings, planned totals, every run, the standings. */
function searchDocument(outcome: SearchOutcome): Record<string, unknown> {
  const { layout } = outcome;
  return {
    source: layout.spec.source,
    strategy: layout.spec.search?.strategy ?? 'grid',
    search: layout.spec.search ?? null,
    objective: layout.objective,
    until: layout.spec.until ?? null,
    rungs: layout.rungs,
    planned_training_steps: plannedTotals(layout),
    training_steps: trainedSteps(outcome.runs).cost,
    stopped: outcome.stopped,
    runs: outcome.runs.map((run) => ({
      trial: run.trial.index,
      rung: run.rung,
      max_steps: run.point.config.training.max_steps,
      experiment_id: run.point.experimentId,
      status: run.status,
      objective: run.objective,
      note: run.note,
      continued_from_step: run.train?.continuedFrom ?? null,
      training_steps: run.train?.cost ?? 0,
    })),
    standings: standings(outcome).map((s) => ({ rank: s.rank, trial: s.trial.index, values: s.trial.values, rung: s.last.rung, objective: s.last.objective, experiment_id: s.last.point.experimentId })),
  };
}

function pageView(outcome: SearchOutcome): object {
  const { layout } = outcome;
  const all = standings(outcome);
  const best = all[0];
  const halving = layout.spec.search?.strategy === 'halving';
  const fields = Object.keys(layout.trials[0]?.values ?? {});
  const totals = plannedTotals(layout);
  return {
    title: `Search ${searchName(layout.spec.source)}`,
    description: layout.spec.description ?? String(layout.spec.base.description ?? ''),
    facts: [
      ['strategy', layout.spec.search?.strategy ?? 'grid'],
      ['objective', `${layout.objective.direction} ${layout.objective.path}`],
      ['trials', String(layout.trials.length)],
      ...(layout.spec.search === undefined ? [] : [['search seed', String(layout.spec.search.search_seed)]]),
      ['runs stop after', layout.spec.until ?? 'the last stage'],
      ['training steps of this search', String(trainedSteps(outcome.runs).cost)],
      halving
        ? ['planned training steps (at most)', `halving ${totals.halving} (from scratch ${totals.halvingFromScratch}); the grid over the same trials ${totals.grid}`]
        : ['planned training steps (at most)', String(totals.grid)],
      ...(outcome.stopped === null ? [] : [['stopped early', outcome.stopped]]),
    ].map(([name, value]) => ({ name, value })),
    best:
      best === undefined || best.last.objective === null
        ? null
        : { trial: best.trial.index, experimentId: best.last.point.experimentId, objective: formatObjective(best.last.objective), values: fields.map((name) => ({ name, value: showValue(best.trial.values[name]) })), config: JSON.stringify(best.last.point.config, null, 2) },
    fieldNames: fields,
    rungNames: halving ? layout.rungs.map((rung) => `rung ${rung.index}: ${rung.budget} steps`) : ['objective'],
    rows: all.map((standing) => ({
      rank: standing.rank,
      trial: standing.trial.index,
      best: standing === best,
      values: fields.map((name) => showValue(standing.trial.values[name])),
      cells: (halving ? standing.byRung : [standing.last]).map((run) => ({ text: run === null ? '' : objectiveCell(run, false), promoted: run !== null && standing.byRung[run.rung + 1] != null })),
      status: standing.last.status,
      experimentId: standing.last.point.experimentId,
    })),
  };
}

function objectiveCell(run: TrialRun, full: boolean): string {
  if (run.objective !== null) return full ? String(run.objective) : formatObjective(run.objective);
  return full ? '' : `- (${run.note ?? 'none'})`;
}

function formatObjective(value: number): string {
  return Number.isInteger(value) ? String(value) : Number(value.toPrecision(6)).toString();
}

function describeValues(standing: Standing): string {
  return Object.entries(standing.trial.values).map(([field, value]) => `${field}=${showValue(value)}`).join(', ');
}

/** A value as shown in tables: numbers to 4 significant digits, the rest as JSON. */
function showValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value)) return Number(value.toPrecision(4)).toString();
  return JSON.stringify(value) ?? String(value);
}

/** The page: one table (objective per trial and rung) and the best config. */
const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d2733; }
h1 { font-size: 1.5rem; margin-bottom: 0.25rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #dde3ea; padding: 0.3rem 0.7rem; text-align: left; }
th { background: #f3f6f9; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td { background: #e7f6ec; font-weight: 600; }
td.promoted { color: #0b6b2f; }
td.promoted::after { content: " \\2191"; }
.mono, pre { font-family: ui-monospace, monospace; font-size: 12px; }
pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { color: #56606b; }
</style>
</head>
<body>
<h1>{{title}}</h1>
{{#description}}<p>{{description}}</p>{{/description}}
<dl>
{{#facts}}<dt>{{name}}</dt><dd>{{value}}</dd>
{{/facts}}
</dl>
<h2>Trials</h2>
<p>Objective per trial and rung, best first; an arrow marks a run whose trial was promoted to the next rung.</p>
<table>
<thead><tr><th>rank</th><th>trial</th>{{#fieldNames}}<th>{{.}}</th>{{/fieldNames}}{{#rungNames}}<th>{{.}}</th>{{/rungNames}}<th>status</th><th>experiment</th></tr></thead>
<tbody>
{{#rows}}<tr{{#best}} class="best"{{/best}}><td class="num">{{rank}}</td><td class="num">{{trial}}</td>{{#values}}<td class="num">{{.}}</td>{{/values}}{{#cells}}<td class="num{{#promoted}} promoted{{/promoted}}">{{text}}</td>{{/cells}}<td>{{status}}</td><td class="mono">{{experimentId}}</td></tr>
{{/rows}}
</tbody>
</table>
{{#best}}
<h2>Best config: trial {{trial}}</h2>
<p><span class="mono">{{experimentId}}</span>: objective {{objective}}</p>
<ul>{{#values}}<li>{{name}} = {{value}}</li>{{/values}}</ul>
<pre>{{config}}</pre>
{{/best}}
{{^best}}<p>No trial has an objective yet.</p>{{/best}}
</body>
</html>
`;
