/**
 * Speed of the evaluation stage's SVD metrics (src/evaluation/svd): thin float64 SVD plus the
 * nine metrics (and saving the vectors for the next step), per matrix on one thread, side by
 * side with numpy's LAPACK SVD on the same matrices (single-threaded, in a child process), and
 * through the worker pool (src/evaluation/svd-pool) with 1 and 2 threads. Run alone:
 *
 *     npx tsx bench/svd.ts          or          npm run bench -- svd
 *
 * Shapes: anchor qkt (64x64, lower-triangular masked scores), anchor avwo (64x128), and the
 * small-model 16x16 / 16x64. Every timing is the best of several rounds (the machine is
 * shared); the numpy rows are skipped, with a note, when numpy cannot be imported.
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { createSvdMetricPool, type SvdJob } from '../src/evaluation/svd-pool';
import { METRIC_NAMES, computeMetrics, saveLeftVectors, type SvdTarget } from '../src/evaluation/svd/metrics';
import { ThinSvd } from '../src/evaluation/svd/thin-svd';
import { formatTable, type BenchRow } from './bench-row';

/** Targets of the issue: µs per 64x64 metric set, speed-up over LAPACK with vectors, 2-thread scaling, and singular values within 1e-10·s₁ of LAPACK's (in units of 1e-15). */
export const SVD_TARGETS = { qktMicros: '<= 250', speedup: '>= 2', scaling: '>= 1.8', errorUnits: '<= 100000' } as const;

interface Shape {
  label: string;
  rows: number;
  cols: number;
  target: SvdTarget;
  lowerTriangular: boolean;
  /** Compared with numpy and run through the pool (the anchor shapes). */
  anchor: boolean;
}

const SHAPES: Shape[] = [
  { label: 'qkt 64x64', rows: 64, cols: 64, target: 'qkt', lowerTriangular: true, anchor: true },
  { label: 'avwo 64x128', rows: 64, cols: 128, target: 'avwo', lowerTriangular: false, anchor: true },
  { label: 'qkt 16x16', rows: 16, cols: 16, target: 'qkt', lowerTriangular: true, anchor: false },
  { label: 'avwo 16x64', rows: 16, cols: 64, target: 'avwo', lowerTriangular: false, anchor: false },
];

/** Matrices per timed round, and rounds (the best round counts). */
const BATCH = 64;
const ROUNDS = 25;

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

/** Best µs per matrix of SVD + metrics + saving the vectors, as the evaluation does per step. */
function timeOurs(batch: Float64Array, shape: Shape): { micros: number; iterations: number } {
  const svd = new ThinSvd(shape.rows, shape.cols);
  const out = new Float64Array(METRIC_NAMES.length);
  const previous = new Float64Array(2 * shape.rows);
  const size = shape.rows * shape.cols;
  const count = batch.length / size;
  let best = Infinity;
  let iterations = 0;
  for (let round = 0; round < ROUNDS; round++) {
    iterations = 0;
    const start = process.hrtime.bigint();
    for (let b = 0; b < count; b++) {
      const result = svd.compute(batch, b * size);
      computeMetrics(result, { target: shape.target, previousLeft: b === 0 ? null : previous }, out);
      saveLeftVectors(result, previous);
      iterations += svd.iterations;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e3 / count);
  }
  return { micros: best, iterations: iterations / count };
}

/**
 * numpy side: reads the same matrices (raw float64) from stdin, times numpy.linalg.svd with
 * full_matrices=False (U, s, Vh) and with compute_uv=False, best round each, and prints JSON
 * with the singular values of every matrix for the accuracy comparison.
 */
const NUMPY_SCRIPT = `
import json, sys, time
try:
    import numpy as np
except Exception as error:
    print(json.dumps({"available": False, "reason": "numpy not importable: %s" % error})); sys.exit(0)
count, rows, cols, rounds = (int(x) for x in sys.argv[1:5])
a = np.frombuffer(sys.stdin.buffer.read(), dtype=np.float64).reshape(count, rows, cols).copy()
def best(uv):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for m in a:
            np.linalg.svd(m, full_matrices=False, compute_uv=uv)
        times.append((time.perf_counter() - start) / count)
    return min(times) * 1e6
vectors, values = best(True), best(False)
s = [np.linalg.svd(m, compute_uv=False).tolist() for m in a]
print(json.dumps({"available": True, "numpy": np.__version__, "vectors": vectors, "values": values, "s": s}))
`;

type NumpyTiming = { available: true; numpy: string; vectors: number; values: number; s: number[][] } | { available: false; reason: string };

/** Python with numpy for the baseline; override with BENCH_NUMPY_PYTHON. */
const PYTHON = process.env.BENCH_NUMPY_PYTHON ?? 'python3';

async function timeNumpy(batch: Float64Array, shape: Shape): Promise<NumpyTiming> {
  const count = batch.length / (shape.rows * shape.cols);
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  try {
    const child = promisify(execFile)(PYTHON, ['-c', NUMPY_SCRIPT, String(count), String(shape.rows), String(shape.cols), String(ROUNDS)], {
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    child.child.stdin?.end(Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength));
    const { stdout } = await child;
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as NumpyTiming;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { available: false, reason: code === 'ENOENT' ? `${PYTHON} not found` : error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

/** Largest |s_i − s_i(numpy)| / s₁(numpy) over the batch. */
function maxRelativeError(batch: Float64Array, shape: Shape, reference: number[][]): number {
  const svd = new ThinSvd(shape.rows, shape.cols);
  const size = shape.rows * shape.cols;
  let worst = 0;
  reference.forEach((s, b) => {
    const values = svd.compute(batch, b * size).values;
    for (let i = 0; i < s.length; i++) worst = Math.max(worst, Math.abs(values[i] - s[i]) / s[0]);
  });
  return worst;
}

/** Rows (sequences) per pool job, and jobs per timed run: one generation step of a batch. */
const POOL_ROWS = 32;
const POOL_JOBS = 16;
const POOL_ROUNDS = 5;

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

/**
 * Best matrices per second through the pool over a few runs, after a warm-up that starts the
 * workers and the JIT, and the CPU cores this process kept busy during that run (workers
 * included): below `threads` means the machine did not give the pool its cores.
 */
async function poolThroughput(shape: Shape, threads: number): Promise<{ rate: number; cores: number }> {
  let delivered = 0;
  let target = 0;
  let reached: () => void = () => undefined;
  const pool = createSvdMetricPool({
    threads,
    onResult: () => {
      if (++delivered === target) reached();
    },
  });
  let step = 0;
  const run = async (jobs: number): Promise<{ rate: number; cores: number }> => {
    const done = new Promise<void>((resolve) => (reached = resolve));
    target = delivered + jobs;
    const batch = poolJobs(shape, step, jobs);
    step += jobs;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (const job of batch) await pool.submit(job);
    await done;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    return { rate: (jobs * POOL_ROWS) / seconds, cores: (used.user + used.system) / 1e6 / seconds };
  };
  await run(4 * Math.max(1, threads));
  let best = { rate: 0, cores: 0 };
  for (let round = 0; round < POOL_ROUNDS; round++) {
    const result = await run(POOL_JOBS);
    if (result.rate > best.rate) best = result;
  }
  await pool.close();
  return best;
}

/** Every row of the suite, with the targets on the anchor shapes. */
export async function benchSvd(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const shape of SHAPES) {
    const batch = randomBatch(BATCH, shape, 12345);
    timeOurs(batch.subarray(0, 8 * shape.rows * shape.cols), shape); // JIT warm-up
    const ours = timeOurs(batch, shape);
    const perMatrix: BenchRow = { name: `${shape.label} ours: SVD + 9 metrics, 1 thread`, value: ours.micros, unit: 'us' };
    rows.push(shape.label === 'qkt 64x64' ? { ...perMatrix, target: SVD_TARGETS.qktMicros } : perMatrix);
    rows.push({ name: `${shape.label} ours: dqds transforms per matrix`, value: ours.iterations, unit: 'count' });
    if (!shape.anchor) continue;
    const numpy = await timeNumpy(batch, shape);
    if (!numpy.available) {
      process.stderr.write(`bench/svd: numpy baseline skipped: ${numpy.reason}\n`);
      rows.push({ name: `${shape.label} numpy: skipped (${numpy.reason})`, value: 0, unit: 'n/a' });
      continue;
    }
    rows.push({ name: `${shape.label} numpy ${numpy.numpy} svd U,s,Vh (full_matrices=False)`, value: numpy.vectors, unit: 'us' });
    rows.push({ name: `${shape.label} numpy ${numpy.numpy} svd s only (compute_uv=False)`, value: numpy.values, unit: 'us' });
    rows.push({ name: `${shape.label} speed-up over numpy U,s,Vh`, value: numpy.vectors / ours.micros, unit: 'x', target: SVD_TARGETS.speedup });
    rows.push({ name: `${shape.label} speed-up over numpy s only`, value: numpy.values / ours.micros, unit: 'x' });
    const error = maxRelativeError(batch, shape, numpy.s);
    rows.push({ name: `${shape.label} max |s - s_numpy| / s1 (in units of 1e-15)`, value: error / 1e-15, unit: '1e-15', target: SVD_TARGETS.errorUnits });
    await new Promise((resolve) => setImmediate(resolve));
  }
  // The pool's scaling needs two idle cores: the load average says whether it had them.
  rows.push({ name: 'system load average, 1 min (before the pool runs)', value: loadavg()[0], unit: 'tasks' });
  for (const shape of SHAPES.filter((s) => s.anchor)) {
    const one = await poolThroughput(shape, 1);
    const two = await poolThroughput(shape, 2);
    rows.push({ name: `${shape.label} pool, 1 worker thread`, value: one.rate, unit: 'matrix/s' });
    rows.push({ name: `${shape.label} pool, 2 worker threads`, value: two.rate, unit: 'matrix/s' });
    rows.push({ name: `${shape.label} pool, 2 worker threads: CPU cores kept busy`, value: two.cores, unit: 'cores' });
    rows.push({ name: `${shape.label} pool scaling, 2 threads / 1`, value: two.rate / one.rate, unit: 'x', target: SVD_TARGETS.scaling });
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`SVD metrics (float64; one thread vs numpy LAPACK, then the worker pool), node ${process.version}`);
  console.log(formatTable(await benchSvd()));
}
