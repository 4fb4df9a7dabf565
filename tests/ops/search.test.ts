/**
 * Search strategies of a sweep file: validation (every problem names the field), seeded
 * sampling, the objective path, the halving rungs and budget, the rung loop's promotions and
 * ranking (with a stub executor), and the fixed trial list the Temporal sweep pages through.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepPoints } from '../../src/activities/sweep-points';
import { Rng } from '../../src/random/rng';
import { budgetTotals, halvingRungs } from '../../src/ops/search-budget';
import { compareObjectives, objectivePathProblem, objectiveStage, parseObjectivePath, readObjective } from '../../src/ops/search-objective';
import { budgetPlanLines, leaderboard } from '../../src/ops/search-report';
import { rankRuns, runSearchRungs, searchLayout, standings, trainedSteps, type RungExecutor, type TrialRunResult } from '../../src/ops/search-run';
import { expandDefinition, sample, sampleTrials } from '../../src/ops/search-trials';
import { loadSweep, readSweepDefinition } from '../../src/ops/sweep-load';
import type { ResultDocument } from '../../src/pipeline/result-schema';
import { ROOT } from './fixtures/results';
import { errorOf, sweepFile } from './fixtures/sweep-files';

const TINY = join(ROOT, 'configs/tiny.json');
const SPACE = {
  'training.learning_rate': { log_uniform: { low: 1e-4, high: 1e-2 } },
  'model.d_model': { choice: [8, 16, 32] },
};
const OBJECTIVE = { path: 'stages.train.summary.final_loss', direction: 'minimize' };
const random = (patch: Record<string, unknown> = {}) => ({ base: TINY, strategy: 'random', n_trials: 6, search_seed: 7, space: SPACE, objective: OBJECTIVE, ...patch });
const halving = (patch: Record<string, unknown> = {}) => ({ ...random({ strategy: 'halving', n_trials: 9 }), halving: { min_steps: 25, max_steps: 225 }, ...patch });

describe('search sweep files', () => {
  it('a random search samples n_trials distinct trials within the distributions, the same for the same file', () => {
    const spec = loadSweep(sweepFile(random()));
    expect(spec.search).toMatchObject({ strategy: 'random', n_trials: 6, search_seed: 7 });
    expect(spec.until).toBe('train');
    const first = sampleTrials(spec.search!);
    const again = sampleTrials(loadSweep(sweepFile(random())).search!);
    expect(again).toEqual(first);
    expect(first.trials).toHaveLength(6);
    for (const { values } of first.trials) {
      expect(values['training.learning_rate']).toBeGreaterThanOrEqual(1e-4);
      expect(values['training.learning_rate']).toBeLessThan(1e-2);
      expect([8, 16, 32]).toContain(values['model.d_model']);
    }
    expect(sampleTrials({ ...spec.search!, search_seed: 8 }).trials).not.toEqual(first.trials);
  });

  it("a field's values do not depend on the other fields of the space", () => {
    const alone = sampleTrials({ strategy: 'random', n_trials: 4, search_seed: 7, space: { 'training.learning_rate': SPACE['training.learning_rate'] } });
    const both = sampleTrials({ strategy: 'random', n_trials: 4, search_seed: 7, space: SPACE });
    expect(both.trials.map((t) => t.values['training.learning_rate'])).toEqual(alone.trials.map((t) => t.values['training.learning_rate']));
  });

  it('int ranges include both ends; uniform stays in [low, high)', () => {
    const ints = Array.from({ length: 200 }, (_, i) => sample({ int: { low: 2, high: 4 } }, Rng.derive(1, i)));
    expect(new Set(ints)).toEqual(new Set([2, 3, 4]));
    const floats = Array.from({ length: 200 }, (_, i) => sample({ uniform: { low: 0.1, high: 0.2 } }, Rng.derive(1, i)) as number);
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...floats)).toBeLessThan(0.2);
  });

  it('a space with fewer distinct configs than n_trials gives each once, with a note', () => {
    const { trials, notes } = sampleTrials({ strategy: 'random', n_trials: 5, search_seed: 1, space: { 'model.d_model': { choice: [8, 16] } } });
    expect(trials.map((t) => t.values['model.d_model']).sort()).toEqual([16, 8]);
    expect(notes[0]).toMatch(/only 2 distinct configs in 500 draws: the search runs 2 trial\(s\), not 5/);
  });

  it('EXPECTED FAILURE - names every missing or misplaced search field', () => {
    const error = errorOf(() => loadSweep(sweepFile({ base: TINY, strategy: 'random', grid: { 'graph.p_in': [0.4] }, seeds: [1], halving: { min_steps: 1, max_steps: 2 } })));
    const text = error.problems.join('\n');
    expect(text).toMatch(/grid: \{"graph.p_in":\[0.4\]\} — not used by strategy "random": sample the fields in "space"/);
    expect(text).toMatch(/seeds: \[1\] — not used by strategy "random"/);
    for (const field of ['n_trials', 'search_seed', 'space', 'objective']) expect(text).toMatch(new RegExp(`${field}: \\(missing\\) — required for strategy "random"`));
    expect(text).toMatch(/halving: .* — only for strategy "halving"/);
  });

  it('EXPECTED FAILURE - names a bad distribution, an unknown path and a budget field in a halving space', () => {
    const error = errorOf(() =>
      loadSweep(
        sweepFile(
          halving({
            space: {
              'training.learning_rate': { log_uniform: { low: 0, high: 1 } },
              'model.d_modle': { choice: [8] },
              'model.n_layers': { normal: { mean: 1 } },
              'training.max_steps': { int: { low: 10, high: 20 } },
              'graph.p_in': { uniform: { low: 0.5, high: 0.4 } },
            },
            halving: { min_steps: 300, max_steps: 225 },
          }),
        ),
      ),
    );
    const text = error.problems.join('\n');
    expect(text).toMatch(/space\.training\.learning_rate: .* — log_uniform needs low > 0/);
    expect(text).toMatch(/space\.model\.d_modle: .* — unknown config path: model has no field "d_modle"/);
    expect(text).toMatch(/space\.model\.n_layers: .* — a distribution is one of \{"uniform"/);
    expect(text).toMatch(/space\.training\.max_steps: .* — a halving search sets the training budget itself/);
    expect(text).toMatch(/space\.graph\.p_in: .* — uniform needs low < high/);
    expect(text).toMatch(/halving\.min_steps: 300 — must be at most halving\.max_steps = 225/);
    const eta = errorOf(() => loadSweep(sweepFile(halving({ halving: { min_steps: 25, max_steps: 225, eta: 1 } }))));
    expect(eta.problems[0]).toMatch(/halving\.eta: 1 — Too small: expected number to be >=2/);
  });

  it('EXPECTED FAILURE - search fields on a grid and a bad objective are named', () => {
    const grid = errorOf(() => loadSweep(sweepFile({ base: TINY, grid: { 'graph.p_in': [0.4] }, n_trials: 3, objective: { path: 'stages.trian.summary.x', direction: 'minimize' } })));
    expect(grid.problems.join('\n')).toMatch(/n_trials: 3 — only for strategy "random" or "halving" \(this sweep is a grid\)/);
    expect(grid.problems.join('\n')).toMatch(/objective\.path: "stages\.trian\.summary\.x" — no stage named "trian"/);
    const late = errorOf(() => loadSweep(sweepFile(random({ objective: { path: 'analysis', direction: 'maximize' }, until: 'train' }))));
    expect(late.problems[0]).toMatch(/until: "train" — the objective reads the analyse stage, which runs after train/);
    const direction = errorOf(() => loadSweep(sweepFile(random({ objective: { path: 'stages.train.summary.final_loss', direction: 'min' } }))));
    expect(direction.problems[0]).toMatch(/objective\.direction: "min" — /);
  });

  it('EXPECTED FAILURE - every invalid trial is reported with its values, at every rung budget', () => {
    const error = errorOf(() => searchLayout(loadSweep(sweepFile(halving({ space: { 'model.d_model': { choice: [10, 16] }, 'model.n_heads': { choice: [1, 4] } }, n_trials: 4 })))));
    expect(error.problems[0]).toMatch(/problem\(s\) in the search, nothing was run/);
    expect(error.problems).toContainEqual(expect.stringMatching(/^trial \d \(model\.d_model=10, model\.n_heads=4, training\.max_steps=25\): model\.d_model: 10 — must be divisible by model\.n_heads = 4$/));
  });
});

describe('the objective path', () => {
  const document = { stages: [{ name: 'graph', summary: {} }, { name: 'train', summary: { final_loss: 1.25, by_r: [{ r: 4, compliance: 0.5 }], gap: null } }], analysis: { 'a.b': { auroc: 0.75 } } };

  it('addresses stages by name, array elements by index and dotted keys in quotes', () => {
    expect(parseObjectivePath('stages.train.summary.by_r[0].compliance')).toEqual(['stages', 'train', 'summary', 'by_r', 0, 'compliance']);
    expect(readObjective(document, 'stages.train.summary.final_loss')).toEqual({ value: 1.25 });
    expect(readObjective(document, 'stages.train.summary.by_r[0].compliance')).toEqual({ value: 0.5 });
    expect(readObjective(document, 'analysis["a.b"].auroc')).toEqual({ value: 0.75 });
    expect(objectiveStage('stages.train.summary.final_loss')).toBe('train');
    expect(objectiveStage('analysis["a.b"].auroc')).toBe('analyse');
    expect(objectiveStage('metadata.seconds_total')).toBeNull();
  });

  it('EXPECTED FAILURE - a missing or non-numeric value is a reason, not a number', () => {
    expect(readObjective(document, 'stages.evaluate.summary.x')).toEqual({ problem: 'stages.evaluate is absent' });
    expect(readObjective(document, 'stages.train.summary.gap')).toEqual({ problem: 'stages.train.summary.gap is null, not a number' });
  });

  it('EXPECTED FAILURE - syntax errors and unknown fields name the place', () => {
    expect(objectivePathProblem('stages..train')).toMatch(/expected a key at character 8/);
    expect(objectivePathProblem('stage.train')).toMatch(/result\.json has no field "stage"/);
    expect(objectivePathProblem('stages.train.sumary.final_loss')).toMatch(/a stage record has no field "sumary"/);
    expect(objectivePathProblem('stages.train.summary.final_loss')).toBeNull();
  });

  it('orders values by direction, missing values last', () => {
    expect([3, null, 1, 2].sort((a, b) => compareObjectives(a, b, 'minimize'))).toEqual([1, 2, 3, null]);
    expect([3, null, 1, 2].sort((a, b) => compareObjectives(a, b, 'maximize'))).toEqual([3, 2, 1, null]);
  });
});

describe('halving budget', () => {
  it('9 trials from 25 to 225 steps with eta 3: rungs 25/75/225 with 9/3/1 trials; 525 steps against the grid\'s 2025', () => {
    const rungs = halvingRungs(9, { min_steps: 25, max_steps: 225, eta: 3 });
    expect(rungs).toEqual([
      { index: 0, budget: 25, trials: 9 },
      { index: 1, budget: 75, trials: 3 },
      { index: 2, budget: 225, trials: 1 },
    ]);
    expect(budgetTotals(rungs)).toEqual({ grid: 2025, halvingFromScratch: 675, halving: 525 });
  });

  it('a max_steps that is not min_steps times a power of eta ends with its own rung; trials never drop below one', () => {
    expect(halvingRungs(4, { min_steps: 10, max_steps: 100, eta: 3 }).map((r) => [r.budget, r.trials])).toEqual([
      [10, 4],
      [30, 1],
      [90, 1],
      [100, 1],
    ]);
    expect(halvingRungs(5, { min_steps: 50, max_steps: 50, eta: 3 })).toEqual([{ index: 0, budget: 50, trials: 5 }]);
  });

  it('the dry-run plan lines state both totals', () => {
    const lines = budgetPlanLines(searchLayout(loadSweep(sweepFile(halving()))));
    expect(lines.join('\n')).toMatch(/Training steps: halving 525 \(675 if every rung trained from scratch\); the grid over the same 9 trials at 225 steps: 2025/);
  });
});

/** A stub executor: final loss = learning rate x 1000 (so a smaller rate is better), and a hook to fail trials. */
function stubExecutor(log: { rung: number; trials: number[]; maxSteps: number[]; horizon: (number | null)[] }[], fail: (trial: number) => boolean = () => false): RungExecutor {
  return async (rung, points) => {
    log.push({ rung: rung.index, trials: points.map((p) => p.index), maxSteps: points.map((p) => p.config.training.max_steps), horizon: points.map((p) => p.config.training.schedule_steps) });
    return points.map((point): TrialRunResult => {
      if (fail(point.index)) return { status: 'failed', result: null, seconds: 0 };
      const summary = { final_loss: point.config.training.learning_rate * 1000, steps: point.config.training.max_steps, continued_from_step: rung.index === 0 ? null : [25, 75][rung.index - 1] };
      return { status: 'succeeded', result: { stages: [{ name: 'train', status: 'computed', summary }] } as unknown as ResultDocument, seconds: 1 };
    });
  };
}

describe('the rung loop', () => {
  it('halving runs every trial at the smallest budget and promotes the best 1/eta, with one schedule horizon for all rungs', async () => {
    const layout = searchLayout(loadSweep(sweepFile(halving())));
    const log: Parameters<typeof stubExecutor>[0] = [];
    const outcome = await runSearchRungs(layout, stubExecutor(log));
    const rate = (trial: number) => layout.trials[trial - 1].values['training.learning_rate'] as number;
    const byRate = layout.trials.map((t) => t.index).sort((a, b) => rate(a) - rate(b));
    expect(log.map((entry) => entry.trials)).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9], byRate.slice(0, 3).sort((a, b) => a - b), [byRate[0]]]);
    expect(log.map((entry) => entry.maxSteps[0])).toEqual([25, 75, 225]);
    expect(log.every((entry) => entry.horizon.every((h) => h === 225))).toBe(true);
    expect(outcome.stopped).toBeNull();
    const ranked = standings(outcome);
    expect(ranked[0]).toMatchObject({ rank: 1, trial: { index: byRate[0] }, last: { rung: 2 } });
    expect(ranked.map((s) => s.last.rung)).toEqual([2, 1, 1, 0, 0, 0, 0, 0, 0]);
    // Steps trained: 9 x 25 + 3 x 50 + 1 x 150.
    expect(trainedSteps(outcome.runs)).toEqual({ cost: 525, now: 525 });
    const { header, rows } = leaderboard(outcome);
    expect(header).toEqual(['RANK', 'TRIAL', 'training.learning_rate', 'model.d_model', 'RUNG', 'MAX_STEPS', 'OBJECTIVE', '@25', '@75', '@225', 'STATUS', 'CONTINUED_FROM', 'TRAINED', 'EXPERIMENT']);
    expect(rows[0].slice(4, 6)).toEqual(['2', '225']);
    // The winner trained 25 + 50 + 150 steps over its three rungs.
    expect(rows[0].slice(11, 13)).toEqual(['75', '225']);
  });

  it('a failed trial is never promoted; a rung with no objective stops the search with the reason', async () => {
    const layout = searchLayout(loadSweep(sweepFile(halving())));
    const log: Parameters<typeof stubExecutor>[0] = [];
    const rate = (trial: number) => layout.trials[trial - 1].values['training.learning_rate'] as number;
    const best = layout.trials.map((t) => t.index).sort((a, b) => rate(a) - rate(b))[0];
    const outcome = await runSearchRungs(layout, stubExecutor(log, (trial) => trial === best));
    expect(log[1].trials).not.toContain(best);
    expect(rankRuns(outcome.runs.filter((r) => r.rung === 0), layout.objective).at(-1)).toMatchObject({ trial: { index: best }, objective: null, note: 'failed' });
    const none = await runSearchRungs(layout, stubExecutor([], () => true));
    expect(none.stopped).toBe('rung 1 and later: no trial of rung 0 has an objective');
  });

  it('a random search is one rung of all its trials at their own max_steps', async () => {
    const layout = searchLayout(loadSweep(sweepFile(random())));
    const log: Parameters<typeof stubExecutor>[0] = [];
    await runSearchRungs(layout, stubExecutor(log));
    expect(log).toHaveLength(1);
    expect(log[0].maxSteps).toEqual([200, 200, 200, 200, 200, 200]);
    expect(log[0].horizon).toEqual([null, null, null, null, null, null]);
  });
});

describe('a random search on Temporal', () => {
  it('the sweepPoints activity pages through the same sampled trials npm run sweep runs', () => {
    const source = sweepFile(random());
    const definition = JSON.parse(JSON.stringify(readSweepDefinition(source))) as ReturnType<typeof readSweepDefinition>;
    const page = sweepPoints({ definition, source, offset: 0, limit: 25 });
    expect(page.total).toBe(6);
    const trials = sampleTrials(loadSweep(source).search!).trials;
    expect(page.points.map((p) => p.values)).toEqual(trials.map((t) => t.values));
    expect(page.points.map((p) => p.config.training.learning_rate)).toEqual(trials.map((t) => t.values['training.learning_rate']));
  });

  it('EXPECTED FAILURE - a halving search is refused: its rungs depend on results, so it runs locally only', () => {
    const source = sweepFile(halving());
    const error = errorOf(() => expandDefinition(readSweepDefinition(source), source));
    expect(error.message).toMatch(/strategy "halving" runs locally only \(npm run sweep -- .*\): its rungs depend on the results of the rung before/);
  });
});
