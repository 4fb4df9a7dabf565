/**
 * Benchmark of the data domain (graph, reachability, jumpers, walk corpora) on the anchor config
 * (configs/anchor.json). Pure compute: no Parquet writing, which the walks stage adds.
 *
 * Run alone: `npx tsx bench/data-domain.ts [threads]` (default 2) prints a table.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfigFile } from '../src/config/load';
import { generateGraph } from '../src/graph/dcsbm';
import { designateJumpers, jumperReachSteps } from '../src/graph/jumpers';
import { buildReachability } from '../src/graph/reachability';
import { corpusSizes, generateCorpus, validateCorpus, type Corpus } from '../src/walks/corpus';
import { generateCorpusParallel } from '../src/walks/parallel';

import { formatTable, type BenchRow } from './bench-row';

const ANCHOR = fileURLToPath(new URL('../configs/anchor.json', import.meta.url));

async function timed<T>(work: () => T | Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - start) / 1000 };
}

/**
 * Times every data-domain step on the anchor config: graph, reachability tables, jumpers, the
 * train and eval corpora serially and in `threads` worker threads (checking that both agree),
 * corpus validation, throughput and peak RSS.
 */
export async function benchDataDomain(threads: number): Promise<BenchRow[]> {
  const { config } = loadConfigFile(ANCHOR);
  const { seed, training } = config;
  const rows: BenchRow[] = [];
  const graph = await timed(() => generateGraph(config.graph, seed).graph);
  rows.push({ name: 'graph generation', value: graph.seconds * 1000, unit: 'ms' });
  const tables = await timed(() => buildReachability(graph.result, jumperReachSteps(config.graph, training.w)));
  rows.push({ name: 'reachability tables', value: tables.seconds * 1000, unit: 'ms' });
  const jumpers = await timed(() => designateJumpers(graph.result, config.graph, training.w, seed, tables.result).jumpers);
  rows.push({ name: 'jumper designation', value: jumpers.seconds * 1000, unit: 'ms' });

  const sizes = corpusSizes(training);
  let serialSeconds = 0;
  let parallelSeconds = 0;
  let tokens = 0;
  for (const split of ['train', 'eval'] as const) {
    const options = { seed, split, nWalks: sizes[split], walkLength: training.walk_length };
    const serial = await timed(() => generateCorpus(graph.result, jumpers.result, tables.result, options));
    rows.push({ name: `${split} corpus, serial (${sizes[split]} walks)`, value: serial.seconds, unit: 's' });
    const check = await timed(() => validateCorpus(graph.result, jumpers.result, serial.result));
    rows.push({ name: `${split} corpus validation`, value: check.seconds, unit: 's' });
    rows.push({ name: `${split} compliant checks / checks`, value: check.result.compliantChecks / check.result.checks, unit: 'ratio' });
    rows.push({ name: `${split} restarts`, value: serial.result.stats.restarts, unit: 'walks' });
    const fingerprint = corpusFingerprint(serial.result);
    serial.result = undefined as unknown as Corpus; // let the serial corpus go before the parallel one arrives
    const parallel = await timed(() => generateCorpusParallel(graph.result, jumpers.result, tables.result, { ...options, threads }));
    if (corpusFingerprint(parallel.result) !== fingerprint) throw new Error(`${split}: parallel corpus differs from serial`);
    rows.push({ name: `${split} corpus, ${threads} threads`, value: parallel.seconds, unit: 's' });
    serialSeconds += serial.seconds;
    parallelSeconds += parallel.seconds;
    tokens += sizes[split] * training.walk_length;
  }
  rows.push({ name: 'tokens per second, serial', value: tokens / serialSeconds, unit: 'tokens/s' });
  rows.push({ name: `tokens per second, ${threads} threads`, value: tokens / parallelSeconds, unit: 'tokens/s' });
  rows.push({ name: 'peak RSS', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' });
  return rows;
}

/** A cheap order-sensitive checksum of the tokens and event steps. */
function corpusFingerprint(corpus: Corpus): string {
  let h = 0;
  for (let i = 0; i < corpus.walks.length; i++) h = (Math.imul(h, 31) + corpus.walks[i]) | 0;
  for (let i = 0; i < corpus.events.step.length; i++) h = (Math.imul(h, 31) + corpus.events.arrivalStep[i]) | 0;
  return `${corpus.walks.length}:${corpus.events.step.length}:${h}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const threads = Number(process.argv[2] ?? 2);
  benchDataDomain(threads).then(
    (rows) => console.log(formatTable(rows)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
