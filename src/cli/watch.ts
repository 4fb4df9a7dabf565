/**
 * `npm run watch [-- --once] [--recent N] [--temporal]`: a live table of running and recent
 * local experiments, redrawn every second on a terminal; with TEMPORAL_ADDRESS set (or
 * `--temporal`) a second table of the server's experiment runs, with each open run's live
 * stage table from its `progress` query, read every few seconds. A server that cannot be
 * reached is one line under the local table, not an error. With `--once`, or when the
 * output is not a terminal, it prints one snapshot and exits. Ctrl-C ends the watch (exit 0:
 * leaving a watch is its normal end, not an interruption of work).
 */
import { parseArgs } from 'node:util';
import { ConfigError, ExitCode } from '../errors';
import { resolveResultsRoot } from '../ops/paths';
import { scanResults } from '../ops/result-folders';
import { temporalWatchSection, watchSnapshot } from '../ops/watch-table';
import { isMainModule } from './is-main';
import { runCli } from './main';
import { temporalSettings, temporalWanted, type TemporalSettings } from './temporal-connection';
import type { TemporalWatchRun } from './temporal-visibility';

const REFRESH_MS = 1000;
/** Temporal is read at most this often (a listing plus one query per open run). */
const TEMPORAL_REFRESH_MS = 3000;
const USAGE = 'usage: npm run watch [-- --once] [--recent N] [--temporal]';

/** Runs the watch for `argv` until Ctrl-C (or once). */
export async function watchCommand(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { once: { type: 'boolean', default: false }, recent: { type: 'string', default: '10' }, temporal: { type: 'boolean', default: false } },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${USAGE}`);
  }
  const recent = Number(values.recent);
  if (!Number.isInteger(recent) || recent < 0) throw new ConfigError(`--recent: ${JSON.stringify(values.recent)} — must be an integer >= 0`);
  const results = resolveResultsRoot();
  const feed = temporalWanted(values.temporal) ? new TemporalFeed(temporalSettings(), recent) : null;
  const snapshot = () => {
    const local = watchSnapshot(scanResults(results), results, { recent, now: Date.now() });
    return feed === null ? local : `${local}\n\n${feed.section()}`;
  };
  if (values.once || !process.stdout.isTTY) {
    await feed?.refresh();
    console.log(snapshot());
    return ExitCode.success;
  }
  return new Promise<number>((resolve) => {
    // Home the cursor and clear below it rather than the whole screen: no flicker.
    const draw = () => process.stdout.write(`\x1b[H\x1b[J${snapshot()}\n\n(refreshing every second; Ctrl-C to leave)\n`);
    process.stdout.write('\x1b[2J');
    void feed?.refresh().then(draw);
    draw();
    const timer = setInterval(draw, REFRESH_MS);
    const temporalTimer = feed === null ? null : setInterval(() => void feed.refresh(), TEMPORAL_REFRESH_MS);
    process.once('SIGINT', () => {
      clearInterval(timer);
      if (temporalTimer !== null) clearInterval(temporalTimer);
      resolve(ExitCode.success);
    });
  });
}

/** The latest Temporal section; `refresh()` reads the server again (one read at a time). */
class TemporalFeed {
  readonly #settings: TemporalSettings;
  readonly #recent: number;
  #runs: readonly TemporalWatchRun[] | null = null;
  #problem: string | null;
  #reading: Promise<void> | null = null;

  constructor(settings: TemporalSettings, recent: number) {
    this.#settings = settings;
    this.#recent = recent;
    this.#problem = `Temporal: reading the experiments at ${settings.address}...`;
  }

  refresh(): Promise<void> {
    this.#reading ??= this.#read().finally(() => {
      this.#reading = null;
    });
    return this.#reading;
  }

  section(): string {
    return temporalWatchSection({ address: this.#settings.address, runs: this.#runs, problem: this.#problem, now: Date.now() });
  }

  async #read(): Promise<void> {
    const { readTemporal, watchRuns } = await import('./temporal-experiments');
    const read = await readTemporal(this.#settings, (client) => watchRuns(client, this.#recent));
    // A failed read keeps the last runs shown, with the line saying why they are not fresh.
    if (read.ok) [this.#runs, this.#problem] = [read.value, null];
    else this.#problem = read.problem;
  }
}

if (isMainModule(import.meta.url)) runCli(() => watchCommand(process.argv.slice(2)));
