/**
 * Parquet throughput on a synthetic walk corpus, through the project's own API
 * (`writeIntMatrix` / `readIntMatrix`). Run alone for the anchor size:
 *
 *     npx tsx bench/parquet.ts [walks] [walkLength]
 *
 * MB are 10^6 bytes; throughput counts the raw int32 token bytes (walks x walkLength x 4).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type WriteOptions, readIntMatrix, writeIntMatrix } from '../src/artifacts/parquet';

import { formatTable, type BenchRow } from './bench-row';

/** Corpus shape, plus optional write settings (the module's defaults otherwise). */
export interface ParquetBenchOptions extends WriteOptions {
  walks: number;
  walkLength: number;
}

const MB = 1e6;
const VOCABULARY = 500;
const NAMES = { idColumn: 'walk', listColumn: 'tokens' };

/**
 * Writes and reads back a random corpus of `walks` x `walkLength` tokens in [0, 500) in a
 * temporary directory, and returns write, read and combined MB/s, the file size and the
 * process's peak RSS (which includes whatever ran before in the same process).
 */
export async function benchParquet(options: ParquetBenchOptions): Promise<BenchRow[]> {
  const { walks, walkLength, ...writeOptions } = options;
  const values = randomTokens(walks * walkLength);
  const dir = await mkdtemp(join(tmpdir(), 'bench-parquet-'));
  try {
    const path = join(dir, 'walks.parquet');
    const writeSeconds = await timed(() => writeIntMatrix(path, NAMES, { values, rows: walks, width: walkLength }, writeOptions));
    const { size } = await stat(path);
    let read: Int32Array = new Int32Array(0);
    const readSeconds = await timed(async () => {
      read = (await readIntMatrix(path, NAMES)).values;
    });
    assertSame(values, read);
    return report(values.byteLength, size, writeSeconds, readSeconds);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function report(rawBytes: number, fileBytes: number, writeSeconds: number, readSeconds: number): BenchRow[] {
  const rawMB = rawBytes / MB;
  return [
    { name: 'parquet walk corpus write', value: rawMB / writeSeconds, unit: 'MB/s' },
    { name: 'parquet walk corpus read', value: rawMB / readSeconds, unit: 'MB/s' },
    { name: 'parquet walk corpus write+read', value: rawMB / (writeSeconds + readSeconds), unit: 'MB/s', target: '>= 100' },
    { name: 'parquet walk corpus file size', value: fileBytes / MB, unit: 'MB' },
    { name: 'parquet peak RSS', value: (process.resourceUsage().maxRSS * 1024) / MB, unit: 'MB' },
  ];
}

// A fixed LCG: the corpus only needs to be incompressible-ish and the same on every run.
function randomTokens(count: number): Int32Array {
  const out = new Int32Array(count);
  let state = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state >>> 8) % VOCABULARY;
  }
  return out;
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

function assertSame(expected: Int32Array, actual: Int32Array): void {
  if (expected.length !== actual.length) throw new Error(`read ${actual.length} tokens, wrote ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] !== actual[i]) throw new Error(`token ${i} reads ${actual[i]}, wrote ${expected[i]}`);
  }
}

async function main(): Promise<void> {
  const walks = Number(process.argv[2] ?? 200_000);
  const walkLength = Number(process.argv[3] ?? 256);
  const rows = await benchParquet({ walks, walkLength });
  console.log(`Parquet walk corpus, ${walks} walks x ${walkLength} tokens (${(walks * walkLength * 4) / MB} MB raw)`);
  console.log(formatTable(rows));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
