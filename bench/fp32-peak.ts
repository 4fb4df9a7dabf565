/**
 * Measures this CPU's FP32 fused-multiply-add peak with the C kernel in bench/fp32-peak.c,
 * compiled at bench time with gcc into a temporary directory.
 *
 * Run alone: `npx tsx bench/fp32-peak.ts` prints the result as JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./fp32-peak.c', import.meta.url));

/** One instruction set's result: GFLOP/s of one pinned thread per CPU, and of all together. */
export interface IsaPeak {
  isa: string;
  perCore: number[];
  allCores: number;
}

/** The FP32 peak: of the widest FMA instruction set the CPU runs, and of each measured. */
export interface Fp32Peak {
  /** Best single-thread GFLOP/s over the CPUs, with the widest instruction set. */
  perCoreGflops: number;
  /** GFLOP/s of one thread per CPU running at once, with the widest instruction set. */
  allCoresGflops: number;
  /** The instruction set the two figures above come from (e.g. 'avx2-fma', 'avx512f'). */
  isa: string;
  /** CPUs this process may run on. */
  cores: number;
  /** Every instruction set measured (AVX2+FMA always; AVX-512 when the CPU has it). */
  byIsa: IsaPeak[];
}

/** Thrown when gcc is not installed, so no peak can be measured. */
export class GccMissingError extends Error {
  constructor() {
    super('gcc not found: cannot compile bench/fp32-peak.c to measure the FP32 peak');
    this.name = 'GccMissingError';
  }
}

/** Compiles the kernel into `dir`; -march=native first, then plain -mavx2 -mfma. */
function compile(dir: string): string {
  const binary = join(dir, 'fp32-peak');
  const flagSets = [['-march=native'], ['-mavx2', '-mfma']];
  let lastError: unknown;
  for (const flags of flagSets) {
    try {
      execFileSync('gcc', ['-O2', ...flags, '-pthread', SOURCE, '-o', binary], { stdio: ['ignore', 'ignore', 'pipe'] });
      return binary;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new GccMissingError();
      lastError = error;
    }
  }
  throw new Error(`could not compile ${SOURCE}: ${String(lastError)}`);
}

/** Picks the instruction set with the highest all-cores figure out of the kernel's JSON output. */
export function parsePeakOutput(output: string): Fp32Peak {
  const parsed = JSON.parse(output) as { cores: number; results: IsaPeak[] };
  if (parsed.results.length === 0) throw new Error('fp32-peak measured nothing');
  const best = parsed.results.reduce((a, b) => (b.allCores > a.allCores ? b : a));
  return {
    perCoreGflops: Math.max(...best.perCore),
    allCoresGflops: best.allCores,
    isa: best.isa,
    cores: parsed.cores,
    byIsa: parsed.results,
  };
}

/**
 * Compiles and runs the FMA kernel: single-thread on each CPU, then one thread per CPU at once.
 * Takes a few seconds. Throws {@link GccMissingError} when gcc is missing.
 */
export async function measureFp32Peak(secondsPerTrial = 0.3): Promise<Fp32Peak> {
  const dir = mkdtempSync(join(tmpdir(), 'fp32-peak-'));
  try {
    const binary = compile(dir);
    return parsePeakOutput(execFileSync(binary, [String(secondsPerTrial)], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The peak available to `threads` threads: all cores' figure once threads cover the cores,
 * otherwise the single-core figure times the threads.
 */
export function peakForThreads(peak: Pick<Fp32Peak, 'perCoreGflops' | 'allCoresGflops' | 'cores'>, threads: number): number {
  return threads >= peak.cores ? peak.allCoresGflops : peak.perCoreGflops * threads;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await measureFp32Peak(), null, 2)}\n`);
}
