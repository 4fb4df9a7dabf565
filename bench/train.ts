/**
 * Training-step benchmark: our ONNX training step (bench/train-step.ts) against the same model in
 * PyTorch (bench/torch_baseline.py), in FLOP terms against this CPU's measured FP32 peak
 * (bench/fp32-peak.ts). Row meanings and the FLOP convention: docs/benchmarks.md.
 *
 * Run alone: `npx tsx bench/train.ts` prints the table.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { formatTable, type BenchRow } from './bench-row';
import { measureFp32Peak, peakForThreads, type Fp32Peak } from './fp32-peak';
import { trainStepFlops } from '../src/model/train-flops';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const TRAIN_STEP_MODULE = resolve(HERE, 'train-step.ts');
const TORCH_SCRIPT = resolve(HERE, 'torch_baseline.py');
/** Debian's interpreter, the one `apt-get install python3-torch` serves; override with BENCH_TORCH_PYTHON. */
const DEFAULT_TORCH_PYTHON = '/usr/bin/python3';

/** A model, batch and thread setting to time; the argument of `benchTrainStep`. */
export interface TrainShape {
  layers: number;
  dModel: number;
  heads: number;
  context: number;
  batch: number;
  vocab: number;
  /** Threads our step runs with (onnxruntime intra-op threads). */
  threads: number;
}

/** One benchmarked shape; targets are checked only on the anchor one. */
export interface TrainCase {
  label: string;
  shape: TrainShape;
  anchor: boolean;
}

/** The three shapes of `npm run bench -- train`: the anchor, the anchor with 4 heads, a small one. */
export const TRAIN_CASES: readonly TrainCase[] = [
  { label: 'L4 d128 H1 T64 B64 V500', anchor: true, shape: { layers: 4, dModel: 128, heads: 1, context: 64, batch: 64, vocab: 500, threads: 2 } },
  { label: 'L4 d128 H4 T64 B64 V500', anchor: false, shape: { layers: 4, dModel: 128, heads: 4, context: 64, batch: 64, vocab: 500, threads: 2 } },
  { label: 'L2 d64 H1 T16 B64 V100', anchor: false, shape: { layers: 2, dModel: 64, heads: 1, context: 16, batch: 64, vocab: 100, threads: 2 } },
];

/** Targets on the anchor shape. */
export const TRAIN_TARGETS = { speedUp: '>= 1.5', percentOfPeak: '>= 60' } as const;

/** A measurement that either succeeded or says why not. */
export type Outcome<T> = ({ ok: true } & T) | { ok: false; reason: string };

/** Our step's timing, as `benchTrainStep` returns it. */
export interface OursTiming {
  msPerStep: number;
  stepsMeasured: number;
}

/** One timed thread setting of the PyTorch baseline. */
export interface TorchSetting {
  threads: number;
  blasThreads: number | null;
  /** Median of the timed steps (our step reports the median too). */
  msPerStep: number;
  meanMsPerStep: number;
  steps: number;
}

/** The PyTorch baseline's fastest setting, and every setting it tried. */
export interface TorchTiming {
  best: TorchSetting;
  results: TorchSetting[];
  torch: string;
  blas: { libraries: string[]; openblas_core?: string; OPENBLAS_CORETYPE?: string | null };
}

type BenchTrainStep = (shape: TrainShape) => Promise<OursTiming>;

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/** Times our step through bench/train-step.ts, or says why it cannot. */
export async function measureOurs(shape: TrainShape): Promise<Outcome<OursTiming>> {
  if (!existsSync(TRAIN_STEP_MODULE)) return { ok: false, reason: 'bench/train-step.ts missing' };
  try {
    const module = (await import(pathToFileURL(TRAIN_STEP_MODULE).href)) as { benchTrainStep?: BenchTrainStep };
    if (typeof module.benchTrainStep !== 'function') return { ok: false, reason: 'bench/train-step.ts exports no benchTrainStep' };
    return { ok: true, ...(await module.benchTrainStep(shape)) };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}

/** Command-line arguments of bench/torch_baseline.py for `shape`. */
export function torchArgs(shape: TrainShape): string[] {
  return [
    TORCH_SCRIPT,
    ...['--layers', shape.layers, '--d-model', shape.dModel, '--heads', shape.heads].map(String),
    ...['--context', shape.context, '--batch', shape.batch, '--vocab', shape.vocab].map(String),
  ];
}

/** Reads the baseline's JSON line into an outcome. */
export function parseTorchOutput(stdout: string): Outcome<TorchTiming> {
  const lines = stdout.trim().split('\n');
  const parsed = JSON.parse(lines[lines.length - 1]) as ({ available: true } & TorchTiming) | { available: false; reason: string };
  if (!parsed.available) return { ok: false, reason: parsed.reason };
  return { ok: true, best: parsed.best, results: parsed.results, torch: parsed.torch, blas: parsed.blas };
}

/** Times the PyTorch baseline at its best thread setting, or says why it cannot. */
export async function measureTorch(shape: TrainShape, python = process.env.BENCH_TORCH_PYTHON ?? DEFAULT_TORCH_PYTHON): Promise<Outcome<TorchTiming>> {
  try {
    const { stdout } = await promisify(execFile)(python, torchArgs(shape), { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    return parseTorchOutput(stdout);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? `${python} not found` : reasonOf(error) };
  }
}

/** Rows of our step for one case; `peakGflops` undefined when the peak could not be measured. */
function oursRows(c: TrainCase, ours: Outcome<OursTiming>, peakGflops: number | undefined): BenchRow[] {
  const p = c.label;
  if (!ours.ok) return [{ name: `${p} ours: unavailable (${ours.reason})`, value: 0, unit: 'n/a' }];
  const seconds = ours.msPerStep / 1000;
  const gflops = trainStepFlops(c.shape) / seconds / 1e9;
  const rows: BenchRow[] = [
    { name: `${p} ours ms/step (${c.shape.threads} threads, ${ours.stepsMeasured} steps)`, value: ours.msPerStep, unit: 'ms' },
    { name: `${p} ours tokens/s`, value: (c.shape.batch * c.shape.context) / seconds, unit: 'tokens/s' },
    { name: `${p} ours effective GFLOP/s`, value: gflops, unit: 'GFLOP/s' },
  ];
  if (peakGflops !== undefined) {
    const row: BenchRow = { name: `${p} ours % of FP32 peak`, value: (100 * gflops) / peakGflops, unit: '%' };
    rows.push(c.anchor ? { ...row, target: TRAIN_TARGETS.percentOfPeak } : row);
  }
  return rows;
}

/** Rows of the PyTorch baseline for one case, and the speed-up when both sides ran. */
function torchRows(c: TrainCase, ours: Outcome<OursTiming>, torch: Outcome<TorchTiming>): BenchRow[] {
  const p = c.label;
  if (!torch.ok) return [{ name: `${p} torch: baseline unavailable (${torch.reason})`, value: 0, unit: 'n/a' }];
  const best = torch.best;
  const setting = best.blasThreads === null ? `${best.threads} threads` : `${best.threads} threads, ${best.blasThreads} BLAS`;
  const rows: BenchRow[] = [
    { name: `${p} torch ms/step (best: ${setting})`, value: best.msPerStep, unit: 'ms' },
    { name: `${p} torch tokens/s`, value: (c.shape.batch * c.shape.context * 1000) / best.msPerStep, unit: 'tokens/s' },
  ];
  if (ours.ok) {
    const row: BenchRow = { name: `${p} speed-up, ours vs torch`, value: best.msPerStep / ours.msPerStep, unit: 'x' };
    rows.push(c.anchor ? { ...row, target: TRAIN_TARGETS.speedUp } : row);
  }
  return rows;
}

/**
 * All rows of one case: the step's FLOPs, our timing and its derived rows, PyTorch's best
 * timing and the speed-up. Pure, so the table can be tested without running anything.
 */
export function caseRows(c: TrainCase, ours: Outcome<OursTiming>, torch: Outcome<TorchTiming>, peakGflops: number | undefined): BenchRow[] {
  return [
    { name: `${c.label} step FLOPs (matmuls, fwd+bwd)`, value: trainStepFlops(c.shape) / 1e9, unit: 'GFLOP' },
    ...oursRows(c, ours, peakGflops),
    ...torchRows(c, ours, torch),
  ];
}

/** Rows of the measured FP32 peak, or one row saying why it is missing. */
export function peakRows(peak: Outcome<Fp32Peak>): BenchRow[] {
  if (!peak.ok) return [{ name: `fp32 peak: unavailable (${peak.reason})`, value: 0, unit: 'n/a' }];
  return [
    { name: `fp32 peak, 1 core (${peak.isa})`, value: peak.perCoreGflops, unit: 'GFLOP/s' },
    { name: `fp32 peak, ${peak.cores} cores (${peak.isa})`, value: peak.allCoresGflops, unit: 'GFLOP/s' },
    ...peak.byIsa
      .filter((r) => r.isa !== peak.isa)
      .map((r) => ({ name: `fp32 peak, ${peak.cores} cores (${r.isa}, for reference)`, value: r.allCores, unit: 'GFLOP/s' })),
  ];
}

async function measurePeak(): Promise<Outcome<Fp32Peak>> {
  try {
    return { ok: true, ...(await measureFp32Peak()) };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}

/**
 * Measures the FP32 peak, then for every case of {@link TRAIN_CASES} our step and the PyTorch
 * baseline one after the other (never at once: they would share the cores), and returns the rows.
 */
export async function benchTrain(cases: readonly TrainCase[] = TRAIN_CASES): Promise<BenchRow[]> {
  // Other work on the machine skews every timing here: show how busy it was.
  const rows: BenchRow[] = [{ name: 'machine load, 1-min average at start', value: loadavg()[0], unit: 'runnable' }];
  const peak = await measurePeak();
  rows.push(...peakRows(peak));
  for (const c of cases) {
    process.stderr.write(`train bench: ${c.label}\n`);
    const ours = await measureOurs(c.shape);
    const torch = await measureTorch(c.shape);
    rows.push(...caseRows(c, ours, torch, peak.ok ? peakForThreads(peak, c.shape.threads) : undefined));
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${formatTable(await benchTrain())}\n`);
}
