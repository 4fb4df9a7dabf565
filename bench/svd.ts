/**
 * Throughput of the evaluation stage's SVD metrics (src/evaluation/svd): thin float64 SVD plus
 * the nine metrics, per matrix, on one thread. Run alone:
 *
 *     npx tsx bench/svd.ts
 *
 * Shapes: anchor qkt (64x64, lower-triangular masked scores), anchor avwo (64x128), and the
 * small-model 16x16 / 16x64.
 */
import { pathToFileURL } from 'node:url';

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
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`SVD metrics (float64, one thread), node ${process.version}`);
  console.log(formatTable(await benchSvd()));
}
