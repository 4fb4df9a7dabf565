/**
 * Throughput of the evaluation stage's SVD metrics (src/evaluation/svd): thin float64 SVD plus
 * the nine metrics, per matrix, on one thread; then the same work through the worker pool
 * (src/evaluation/svd-pool) with 1 and 2 threads, including transfers and the Grassmannian
 * step on the main thread. Run alone:
 *
 *     npx tsx bench/svd.ts
 *
 * Shapes: anchor qkt (64x64, lower-triangular masked scores), anchor avwo (64x128), and the
 * small-model 16x16 / 16x64.
 */
import { pathToFileURL } from 'node:url';

import { createSvdMetricPool, type SvdJob } from '../src/evaluation/svd-pool';
import { ThinSvd } from '../src/evaluation/svd/jacobi-svd';
import { METRIC_NAMES, computeMetrics, saveLeftVectors, type SvdTarget } from '../src/evaluation/svd/metrics';
import { formatTable, type BenchRow } from './bench-row';

interface Shape {
  label: string;
  rows: number;
  cols: number;
  target: SvdTarget;
  lowerTriangular: boolean;
}

const SHAPES: Shape[] = [
  { label: 'qkt 64x64', rows: 64, cols: 64, target: 'qkt', lowerTriangular: true },
  { label: 'avwo 64x128', rows: 64, cols: 128, target: 'avwo', lowerTriangular: false },
  { label: 'qkt 16x16', rows: 16, cols: 16, target: 'qkt', lowerTriangular: true },
  { label: 'avwo 16x64', rows: 16, cols: 64, target: 'avwo', lowerTriangular: false },
];

/** Deterministic pseudo-normal matrices (xorshift + Box–Muller), so runs are comparable. */
function randomBatch(count: number, shape: Shape, seed: number): Float64Array {
  let state = seed >>> 0 || 1;
  const uniform = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 4294967296;
  };
  const size = shape.rows * shape.cols;
  const out = new Float64Array(count * size);
  for (let i = 0; i < out.length; i++) {
    const r = Math.floor((i % size) / shape.cols);
    const c = i % shape.cols;
    out[i] = shape.lowerTriangular && c > r ? 0 : Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return out;
}

/** Seconds to run SVD + metrics over the batch, with previous-step vectors as in a sequence. */
function timeBatch(svd: ThinSvd, batch: Float64Array, shape: Shape, count: number): { seconds: number; sweeps: number } {
  const out = new Float64Array(METRIC_NAMES.length);
  const previous = new Float64Array(2 * shape.rows);
  const size = shape.rows * shape.cols;
  let sweeps = 0;
  const start = process.hrtime.bigint();
  for (let b = 0; b < count; b++) {
    const result = svd.compute(batch, b * size);
    computeMetrics(result, { target: shape.target, previousLeft: b === 0 ? null : previous }, out);
    saveLeftVectors(result, previous);
    sweeps += result.sweeps;
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, sweeps: sweeps / count };
}

/** Matrices per second, µs per matrix and mean Jacobi sweeps for each shape. */
export async function benchSvd(): Promise<Array<{ name: string; value: number; unit: string }>> {
  const rows: BenchRow[] = [];
  for (const shape of SHAPES) {
    const count = Math.max(50, Math.round(4e6 / (shape.rows * shape.rows * shape.cols)));
    const batch = randomBatch(count, shape, 12345);
    const svd = new ThinSvd(shape.rows, shape.cols);
    timeBatch(svd, batch, shape, Math.min(count, 20)); // warm-up for the JIT
    const { seconds, sweeps } = timeBatch(svd, batch, shape, count);
    rows.push({ name: `svd+metrics ${shape.label}`, value: count / seconds, unit: 'matrix/s' });
    rows.push({ name: `svd+metrics ${shape.label} per matrix`, value: (seconds / count) * 1e6, unit: 'us' });
    rows.push({ name: `svd ${shape.label} Jacobi sweeps`, value: sweeps, unit: 'sweeps' });
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const shape of SHAPES.slice(0, 2)) {
    for (const threads of POOL_THREADS) {
      rows.push({ name: `svd pool threads=${threads} ${shape.label}`, value: await poolThroughput(shape, threads), unit: 'matrix/s' });
    }
  }
  return rows;
}

/** 0 is the serial path on the calling thread: the baseline for the pool's own overhead. */
const POOL_THREADS = [0, 1, 2];
/** Rows (sequences) per pool job: one generation step of a small batch. */
const POOL_ROWS = 16;
const POOL_JOBS = 12;
const WARM_UP_JOBS = 4;

/** One job per step for the same POOL_ROWS sequences, as the generator would submit them. */
function poolJobs(shape: Shape, first: number, count: number): SvdJob[] {
  const sequences = Int32Array.from({ length: POOL_ROWS }, (_, i) => i);
  const batch = Float32Array.from(randomBatch(POOL_ROWS, shape, 777));
  return Array.from({ length: count }, (_, i) => ({
    step: first + i,
    layer: 0,
    target: shape.target === 'avwo' ? 'avwo' : 'qkt',
    heads: 1,
    rows: POOL_ROWS,
    m: shape.rows,
    n: shape.cols,
    sequences,
    // Each job owns its buffer: the pool transfers (detaches) it.
    matrices: batch.slice(),
  }));
}

/** Matrices per second through the pool, after a warm-up that starts the workers and the JIT. */
async function poolThroughput(shape: Shape, threads: number): Promise<number> {
  let delivered = 0;
  let target = 0;
  let reached: () => void = () => undefined;
  const pool = createSvdMetricPool({
    threads,
    onResult: () => {
      if (++delivered === target) reached();
    },
  });
  const run = async (jobs: SvdJob[]): Promise<void> => {
    if (jobs.length === 0) return;
    const done = new Promise<void>((resolve) => (reached = resolve));
    target = delivered + jobs.length;
    for (const job of jobs) await pool.submit(job);
    await done;
  };
  await run(poolJobs(shape, 0, WARM_UP_JOBS));
  const jobs = poolJobs(shape, WARM_UP_JOBS, POOL_JOBS);
  const start = process.hrtime.bigint();
  await run(jobs);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await pool.close();
  return (POOL_JOBS * POOL_ROWS) / seconds;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`SVD metrics (float64; one thread, then the worker pool), node ${process.version}`);
  console.log(formatTable(await benchSvd()));
}
