/**
 * `npm run bench -- <suite>`: runs a benchmark suite and prints one table with targets.
 * Each measurement runs in its own child process so peak memory is its own.
 *
 * Suites:
 *   data   graph and walks stages at anchor size (end to end, with Parquet), the data-domain
 *          breakdown, and Parquet write/read throughput of the anchor train corpus.
 *   train  one training step of our ONNX graph against PyTorch's (best thread setting) on three
 *          shapes, with tokens/s, effective GFLOP/s and % of this CPU's measured FP32 peak
 *          (docs/benchmarks.md).
 *   svd    the evaluation's SVD metric set per matrix (64x64, 64x128) on one thread, next to
 *          LAPACK through numpy when importable, and the worker pool's scaling to two threads.
 *   eval   the evaluate stage end to end (generation, SVD metrics, labels, Parquet) in
 *          sequence-steps/s for configs/small.json (target: 10x the original pipeline) and the
 *          anchor shape, where the time goes, and peak RSS against the metric table it no longer
 *          holds (docs/evaluation-generation.md).
 *   analysis  the exact permutation control (60,000 events, r = 83, 10,000 permutations), the
 *          BCa bootstrap at the same size, and the whole analysis of anchor-sized synthetic
 *          token metrics (22,222 sequences x 384 steps x 108 metrics).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatTable, type BenchRow } from './bench-row';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '..');
const TSX = pathToFileURL(resolve(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** The measurements of each suite: module, exported function and its arguments. */
const SUITES: Record<string, Array<{ module: string; fn: string; args: unknown[] }>> = {
  data: [
    { module: 'stages.ts', fn: 'benchStages', args: [resolve(ROOT, 'configs/anchor.json'), 'anchor', { walksSeconds: '<= 60' }] },
    { module: 'data-domain.ts', fn: 'benchDataDomain', args: [2] },
    { module: 'parquet.ts', fn: 'benchParquet', args: [{ walks: 200_000, walkLength: 256 }] },
  ],
  train: [{ module: 'train.ts', fn: 'benchTrain', args: [] }],
  svd: [{ module: 'svd.ts', fn: 'benchSvd', args: [] }],
  eval: [
    { module: 'eval.ts', fn: 'benchEval', args: ['small'] },
    { module: 'eval.ts', fn: 'benchEval', args: ['anchor'] },
    { module: 'eval.ts', fn: 'benchEval', args: ['memory'] },
  ],
  analysis: [
    { module: 'permutation.ts', fn: 'benchPermutation', args: [] },
    { module: 'bootstrap.ts', fn: 'benchBootstrap', args: [] },
    { module: 'analysis.ts', fn: 'benchAnalysis', args: [22_222, 108] },
  ],
};

/** Runs one measurement in a fresh node process and returns its rows. */
function measure(module: string, fn: string, args: unknown[]): BenchRow[] {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(resolve(HERE, module)).href)});
const rows = await m[${JSON.stringify(fn)}](...${JSON.stringify(args)});
process.stdout.write('\\n@@ROWS@@' + JSON.stringify(rows));`;
  const output = execFileSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(output.slice(output.lastIndexOf('@@ROWS@@') + '@@ROWS@@'.length)) as BenchRow[];
}

function main(): void {
  const suite = process.argv[2];
  const parts = suite === undefined ? undefined : SUITES[suite];
  if (parts === undefined) {
    process.stderr.write(`usage: npm run bench -- <suite>; suites: ${Object.keys(SUITES).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const rows: BenchRow[] = [];
  for (const part of parts) {
    process.stderr.write(`running ${part.module} ${part.fn}...\n`);
    rows.push(...measure(part.module, part.fn, part.args));
  }
  process.stdout.write(`Benchmark '${suite}' on ${process.platform}, node ${process.version}\n${formatTable(rows)}\n`);
}

main();
