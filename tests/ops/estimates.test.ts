/**
 * The size and time models of every stage (src/ops/estimates*.ts): calibrated against real
 * artifacts, consistent with the benchmark figures they come from, and able to price an
 * earlier artifact from its manifest so the store's history can correct them.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/artifacts/artifact-store';
import { loadConfigFile, parseConfig } from '../../src/config/load';
import type { ExperimentConfig } from '../../src/config/schema';
import { estimateStage } from '../../src/ops/estimates';
import { analyseBytes, figuresBytes } from '../../src/ops/estimates-size';
import { evaluateSeconds, trainSeconds } from '../../src/ops/estimates-time';
import { analyseWork, evaluateWork, figuresWork, trainWork, trainWorkOf } from '../../src/ops/estimates-workload';
import { PIPELINE_STAGES, stageDeclaration, type StageName } from '../../src/pipeline/dag';
import { ROOT } from './fixtures/results';

const configFile = (name: string): ExperimentConfig => loadConfigFile(join(ROOT, 'configs', `${name}.json`)).config;

/** du -sb of each artifact folder after `npm run experiment` of the config (2026-11-26, 2-core dev machine). */
const MEASURED_BYTES: Record<string, Partial<Record<StageName, number>>> = {
  tiny: { graph: 11_552, walks: 117_127, train: 140_593, evaluate: 1_835_090, analyse: 746_294, figures: 1_207_045 },
  quick: { graph: 12_295, walks: 1_137_349, train: 2_279_450, evaluate: 23_839_910, analyse: 6_278_379, figures: 1_864_641 },
  anchor: { graph: 32_220, walks: 72_659_219 },
};

function manifest(stage: StageName, config: ExperimentConfig, summary: unknown, bytes: number, seconds: number, upstream: Record<string, string> = {}): Manifest {
  return {
    schema: 1,
    stage,
    key: `${stage}-key`,
    digest: `${stage}-digest`,
    keyInputs: { stage, version: 1, code: { files: {}, packages: {} }, config: stageDeclaration(stage).configSlice(config), upstream, runtime: {} },
    files: [{ name: 'f', sha256: 's', size: bytes }],
    summary,
    experimentId: 'e',
    timings: { startedAt: '', finishedAt: '', seconds },
    producer: { host: hostname(), pid: 1, packageVersion: '0', gitCommit: 'x' },
  };
}

describe('stage estimates', () => {
  it('every stage of the pipeline has a size estimate from the config alone', () => {
    const config = configFile('tiny');
    for (const stage of PIPELINE_STAGES) {
      const estimate = estimateStage(stage, config);
      expect(estimate, stage).toMatchObject({ stage, bytesSource: 'formula', secondsSource: 'benchmark' });
      expect(estimate.bytes, stage).toBeGreaterThan(0);
      expect(estimate.seconds, stage).toBeGreaterThan(0);
    }
  });

  it('over-estimates the measured artifact sizes of tiny, quick and anchor by at most 1.5x, never under', () => {
    for (const [name, measured] of Object.entries(MEASURED_BYTES)) {
      const config = configFile(name);
      for (const [stage, bytes] of Object.entries(measured) as [StageName, number][]) {
        const ratio = estimateStage(stage, config).bytes / bytes;
        expect(ratio, `${name} ${stage}: estimate / actual`).toBeGreaterThanOrEqual(1);
        expect(ratio, `${name} ${stage}: estimate / actual`).toBeLessThanOrEqual(1.5);
      }
    }
  });

  it('grows with what the stage writes: parameters and steps, metric columns, permutations, records', () => {
    const tiny = configFile('tiny');
    const bytes = (stage: StageName, patch: Record<string, Record<string, unknown>>) => {
      const raw = JSON.parse(JSON.stringify(tiny)) as Record<string, Record<string, unknown>>;
      for (const [section, fields] of Object.entries(patch)) raw[section] = { ...raw[section], ...fields };
      return estimateStage(stage, parseConfig(raw).config).bytes;
    };
    const base = (stage: StageName) => estimateStage(stage, tiny).bytes;
    expect(bytes('train', { model: { d_model: 64 } })).toBeGreaterThan(4 * base('train'));
    expect(bytes('train', { training: { max_steps: 20_000 } })).toBeGreaterThan(base('train') + 8 * 19_800);
    expect(bytes('evaluate', { model: { n_layers: 2 } })).toBeGreaterThan(1.8 * base('evaluate'));
    expect(bytes('analyse', { analysis: { n_permutations: 100_000 } })).toBeGreaterThan(5 * base('analyse'));
    expect(bytes('figures', { model: { n_heads: 2 } })).toBeGreaterThan(base('figures'));
  });

  it('prices a training step with the FLOP count of the benchmark (src/model/train-flops.ts): the anchor step is 22.51 GFLOP', () => {
    expect(trainWork(configFile('anchor')).stepFlops).toBe(22_510_829_568);
  });

  it('the benchmark models reproduce the figures they were fitted to (docs/benchmarks.md)', () => {
    const anchor = configFile('anchor');
    const step = (steps: number) => trainSeconds({ ...trainWork(anchor), computedSteps: steps });
    expect((step(1001) - step(1)) / 1000).toBeCloseTo(0.15, 2);
    const perSequenceStep = (config: ExperimentConfig) => {
      const work = evaluateWork(config);
      return (evaluateSeconds({ ...work, rows: 1001 }) - evaluateSeconds({ ...work, rows: 1 })) / 1000;
    };
    expect(1 / perSequenceStep(anchor)).toBeCloseTo(528, -1);
    expect(1 / perSequenceStep(configFile('small'))).toBeCloseTo(6787, -2);
  });

  it('prices an earlier train artifact from its slice and summary as it prices the config (the vocabulary comes back from the parameter count)', () => {
    const config = configFile('quick');
    const planned = trainWork(config);
    const summary = { parameter_count: planned.parameters, steps: 2500, continued_from_step: 1000, resumed_from_step: null };
    const past = trainWorkOf({ manifest: manifest('train', config, summary, 1, 1), upstream: () => undefined });
    expect(past).toEqual({ ...planned, steps: 2500, computedSteps: 1500 });
  });

  it('uses earlier artifacts: times of this host scale the benchmark model; the figures read their analyse artifact', () => {
    const config = configFile('quick');
    // An earlier run of this config whose training took 4x the model's time.
    const summary = { parameter_count: trainWork(config).parameters, steps: config.training.max_steps };
    const modelled = trainSeconds(trainWork(config));
    const train = estimateStage('train', config, new Map([['train', [manifest('train', config, summary, 2_000_000, 4 * modelled)]]]));
    expect(train).toMatchObject({ secondsSource: 'history', bytesSource: 'calibrated' });
    expect(train.seconds).toBeCloseTo(4 * modelled, 6);

    const work = analyseWork(config);
    const analyse = manifest('analyse', config, { n_metrics: work.records / work.groups, n_events: work.events, r_values: [8, 11, 14, 16, 18, 21, 24, 32] }, analyseBytes(work), 60);
    const figures = manifest('figures', config, { figures: [] }, 2 * figuresBytes(figuresWork(config)), 3, { analyse: analyse.digest });
    const withUpstream = estimateStage('figures', config, new Map([['figures', [figures]], ['analyse', [analyse]]]));
    expect(withUpstream.bytesSource).toBe('calibrated');
    expect(withUpstream.bytes).toBeGreaterThan(2 * figuresBytes(figuresWork(config)));
    // Without its analyse artifact an earlier figures artifact cannot be priced, so it is not used.
    expect(estimateStage('figures', config, new Map([['figures', [figures]]])).bytesSource).toBe('formula');
  });
});
