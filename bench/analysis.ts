/**
 * The whole analysis (src/analysis/analyse-experiment.ts) on synthetic token metrics of the
 * anchor's size: 22,222 sequences x 384 steps x 108 metric columns, jumper encounters at the
 * anchor's eight rule lengths with about the anchor's event count (212,342) and contamination,
 * 10,000 permutations and bootstrap resamples. Columns are generated on demand (one at a time,
 * as the stage reads them from Parquet), so the measure is the analysis itself; reading a
 * column of that size from Parquet is measured separately. Run alone:
 *
 *     npx tsx bench/analysis.ts [sequences] [metric columns]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseExperiment, type AnalysisInputs } from '../src/analysis/analyse-experiment';
import { columnData, readParquet, writeParquet } from '../src/artifacts/parquet';
import { metricKeys } from '../src/evaluation/svd/metrics';
import { Rng } from '../src/random/rng';
import type { BenchRow } from './bench-row';

const STEPS = 384;
const ANCHOR_R = [32, 45, 58, 64, 70, 83, 96, 128];
const ENCOUNTERS_PER_SEQUENCE = 9.55;

/** Synthetic evaluation tables: every sequence 385 tokens, half the encounters violated. */
function syntheticInputs(sequences: number, columns: number): AnalysisInputs {
  const rng = Rng.derive(2026, 'bench-analysis');
  const encounters = { sequence: [] as number[], encounterStep: [] as number[], resolutionStep: [] as number[], r: [] as number[], outcome: [] as number[] };
  const failureIndex = new Int32Array(sequences).fill(-1);
  for (let i = 0; i < sequences; i++) {
    const count = Math.floor(ENCOUNTERS_PER_SEQUENCE + rng.float());
    const steps = Array.from({ length: count }, () => rng.int(STEPS)).sort((a, b) => a - b);
    for (const step of steps) {
      const r = ANCHOR_R[rng.int(ANCHOR_R.length)];
      if (step + r > STEPS) continue;
      const violated = rng.float() < 0.5;
      encounters.sequence.push(i);
      encounters.encounterStep.push(step);
      encounters.resolutionStep.push(step + r);
      encounters.r.push(r);
      encounters.outcome.push(violated ? 2 : 1);
      if (violated && failureIndex[i] < 0) failureIndex[i] = step + r - 1;
    }
  }
  const keys = metricKeys(4, 1).slice(0, columns);
  const offsets = Int32Array.from({ length: sequences + 1 }, (_, i) => i * (STEPS + 1));
  return {
    sequences: {
      length: new Int32Array(sequences).fill(STEPS + 1),
      failureIndex,
      split: Int32Array.from({ length: sequences }, (_, i) => i % 2),
      tokens: { offsets, values: Int32Array.from({ length: offsets[sequences] }, (_, k) => k) },
    },
    encounters: {
      sequence: Int32Array.from(encounters.sequence),
      encounterStep: Int32Array.from(encounters.encounterStep),
      resolutionStep: Int32Array.from(encounters.resolutionStep),
      r: Int32Array.from(encounters.r),
      outcome: Int32Array.from(encounters.outcome),
    },
    metricKeys: keys,
    readColumn: async (key) => syntheticColumn(sequences, keys.indexOf(key)),
    settings: { nPermutations: Number(process.env.NP ?? 10_000), nBootstrap: Number(process.env.NB ?? 10_000), threshold: 0.75, alpha: 0.05, seed: 42, dedupe: false, workers: 2, threads: 1 },
  };
}

/** One metric column: uniform noise, NaN before the first full window (steps < 63). */
function syntheticColumn(sequences: number, column: number): Float64Array {
  const rng = Rng.derive(7, 'bench-column', column);
  const values = new Float64Array(sequences * STEPS);
  for (let k = 0; k < values.length; k++) values[k] = k % STEPS < 63 ? Number.NaN : rng.float();
  return values;
}

/** Seconds to read one float64 column of `rows` rows from a Parquet file holding four. */
async function parquetColumnSeconds(rows: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-analysis-'));
  try {
    const path = join(dir, 'token_metrics.parquet');
    const rng = Rng.derive(3, 'bench-parquet');
    const column = (name: string) => ({ name, type: 'float64' as const, data: Float64Array.from({ length: rows }, () => rng.float()) });
    await writeParquet(path, [column('a'), column('b'), column('c'), column('d')]);
    const start = performance.now();
    columnData(await readParquet(path, { columns: ['c'] }), 'c', 'float64');
    return (performance.now() - start) / 1000;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchAnalysis(sequences = 22_222, columns = 108): Promise<BenchRow[]> {
  const inputs = syntheticInputs(sequences, columns);
  let firstColumn = 0;
  const start = performance.now();
  inputs.onProgress = (fraction, metric) => {
    if (firstColumn === 0) firstColumn = (performance.now() - start) / 1000;
    process.stderr.write(`  analysis ${(100 * fraction).toFixed(1)}% ${metric} ${((performance.now() - start) / 1000).toFixed(0)} s\n`);
  };
  const { section } = await analyseExperiment(inputs);
  const seconds = (performance.now() - start) / 1000;
  const readSeconds = await parquetColumnSeconds(sequences * STEPS);
  const label = `${sequences.toLocaleString('en-US')} seq x ${STEPS} steps x ${columns} metrics`;
  return [
    { name: `analysis events (kept)`, value: section.events.kept, unit: 'events' },
    { name: `analysis ${label}, first column`, value: firstColumn, unit: 's' },
    { name: `analysis ${label}`, value: seconds / 60, unit: 'min', target: columns === 108 && sequences === 22_222 ? '<= 30' : undefined },
    { name: `read one metric column (${(sequences * STEPS).toLocaleString('en-US')} rows) from Parquet`, value: readSeconds, unit: 's' },
    { name: `analysis incl. reading ${columns} columns (estimate)`, value: (seconds + columns * readSeconds) / 60, unit: 'min' },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchAnalysis(Number(process.argv[2] ?? 22_222), Number(process.argv[3] ?? 108));
  const { formatTable } = await import('./bench-row');
  console.log(formatTable(rows));
}
