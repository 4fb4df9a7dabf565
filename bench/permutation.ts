/**
 * The permutation control of the analysis stage (src/analysis/permutation) at the size the
 * issue names: one metric, 60,000 events (violations about half), r = 83 lookbacks (3% of the
 * values missing, at random, so every lookback has its own valid set), 10,000 permutations.
 * Then its parts on their own: the rank table, the weight table, drawing the subsets, and the
 * onnxruntime subset sums. Each figure is the best of a few runs (other work on a 2-core
 * machine only ever adds time); the CPU time of the whole control shows how much of its wall
 * time was spent waiting for a core. Run alone:
 *
 *     npx tsx bench/permutation.ts
 */
import { pathToFileURL } from 'node:url';

import { permutationControl } from '../src/analysis/permutation';
import { rankTable } from '../src/analysis/permutation/rank-table';
import { rankWeights, weightLayout } from '../src/analysis/permutation/rank-weights';
import { SubsetSampler, permutationStream } from '../src/analysis/permutation/subsets';
import { SubsetSums } from '../src/analysis/permutation/subset-sums';
import { Rng } from '../src/random/rng';
import { formatTable, type BenchRow } from './bench-row';

const EVENTS = 60_000;
const LOOKBACKS = 83;
const PERMUTATIONS = 10_000;
const REPEATS = 3;
/** The control's default batch for 60,000 events (2^25 / 60,000). */
const BATCH = 559;

/** A metric with a weak effect at every other lookback, 3% missing values, and half violations. */
function benchData(): { values: Float64Array[]; isViolation: Uint8Array } {
  const rng = Rng.derive(2026, 'bench', 'permutation');
  const isViolation = Uint8Array.from({ length: EVENTS }, () => rng.uint32() & 1);
  const values = Array.from({ length: LOOKBACKS }, (_, j) =>
    Float64Array.from({ length: EVENTS }, (_, e) => (rng.float() < 0.03 ? Number.NaN : rng.normal() + (j % 2) * 0.01 * isViolation[e])),
  );
  return { values, isViolation };
}

/** Best wall-clock seconds of `repeats` runs of `task`. */
async function best(repeats: number, task: () => unknown): Promise<number> {
  return (await bestWithCpu(repeats, task)).seconds;
}

/** Best wall-clock seconds of `repeats` runs of `task`, and the process CPU seconds of that run. */
async function bestWithCpu(repeats: number, task: () => unknown): Promise<{ seconds: number; cpu: number }> {
  let result = { seconds: Number.POSITIVE_INFINITY, cpu: Number.NaN };
  for (let i = 0; i < repeats; i++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    await task();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    if (seconds < result.seconds) result = { seconds, cpu: (cpu.user + cpu.system) / 1e6 };
  }
  return result;
}

/** Whole control (1 and 2 onnxruntime threads) and its parts; see the module comment. */
export async function benchPermutation(): Promise<BenchRow[]> {
  const { values, isViolation } = benchData();
  const label = `${EVENTS.toLocaleString('en-US')} events r=${LOOKBACKS} ${PERMUTATIONS.toLocaleString('en-US')} permutations`;
  const rows: BenchRow[] = [];
  for (const threads of [1, 2]) {
    const plural = threads > 1 ? 's' : '';
    const { seconds, cpu } = await bestWithCpu(REPEATS, () => permutationControl({ values, isViolation, seed: 1, nPermutations: PERMUTATIONS, threads }));
    rows.push({ name: `permutation control ${label}, ${threads} onnxruntime thread${plural}`, value: seconds, unit: 's', target: '<= 2' });
    rows.push({ name: `  CPU time of that run (all threads)`, value: cpu, unit: 's' });
  }

  let table = rankTable(values, EVENTS);
  rows.push({ name: `  rank table (${LOOKBACKS} lookbacks, radix sort)`, value: await best(REPEATS, () => (table = rankTable(values, EVENTS))), unit: 's' });
  const layout = weightLayout(table);
  let weights = rankWeights(table, layout);
  rows.push({ name: `  rank weights [events x ${layout.columns}] int8`, value: await best(REPEATS, () => (weights = rankWeights(table, layout))), unit: 's' });

  const nViolations = isViolation.reduce((s, x) => s + x, 0);
  const drawn = Math.min(nViolations, EVENTS - nViolations);
  const sampler = new SubsetSampler(EVENTS);
  const subsets = new Uint8Array(BATCH * EVENTS);
  const draw = (first: number, count: number) => {
    for (let i = 0; i < count; i++) sampler.draw(permutationStream(1, ['permutation'], first + i).state(), drawn, subsets.subarray(i * EVENTS, (i + 1) * EVENTS));
  };
  const drawAll = () => {
    for (let first = 0; first < PERMUTATIONS; first += BATCH) draw(first, Math.min(BATCH, PERMUTATIONS - first));
  };
  rows.push({ name: `  subset draws (k=${drawn}, with stream derivation)`, value: await best(REPEATS, drawAll), unit: 's' });

  const shape = { nEvents: EVENTS, columns: layout.columns, batch: BATCH };
  const runs = Math.ceil(PERMUTATIONS / BATCH);
  for (const threads of [1, 2]) {
    const plural = threads > 1 ? 's' : '';
    const start = process.hrtime.bigint();
    const kernel = await SubsetSums.create(shape, weights, threads);
    const create = Number(process.hrtime.bigint() - start) / 1e9;
    const sums = await best(REPEATS, async () => {
      for (let i = 0; i < runs; i++) await kernel.run(subsets);
    });
    await kernel.release();
    rows.push({ name: `  subset sums session create (weights packed), ${threads} thread${plural}`, value: create, unit: 's' });
    rows.push({ name: `  subset sums ${runs} runs x ${BATCH} (MatMulInteger), ${threads} thread${plural}`, value: sums, unit: 's' });
    const ops = 2 * runs * BATCH * EVENTS * layout.columns;
    rows.push({ name: `  subset sums int8 throughput, ${threads} thread${plural}`, value: ops / sums / 1e9, unit: 'Gop/s' });
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`Permutation control, node ${process.version}`);
  console.log(formatTable(await benchPermutation()));
}
