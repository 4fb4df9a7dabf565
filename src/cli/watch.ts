/**
 * `npm run watch [-- --once] [--recent N]`: a live table of running and recent local
 * experiments, redrawn every second on a terminal. With `--once`, or when the output is not
 * a terminal, it prints one snapshot and exits. Ctrl-C ends the watch (exit 0: leaving a
 * watch is its normal end, not an interruption of work).
 */
import { parseArgs } from 'node:util';
import { ConfigError, ExitCode } from '../errors';
import { resolveResultsRoot } from '../ops/paths';
import { scanResults } from '../ops/result-folders';
import { watchSnapshot } from '../ops/watch-table';
import { isMainModule } from './is-main';
import { runCli } from './main';

const REFRESH_MS = 1000;

/** Runs the watch for `argv` until Ctrl-C (or once). */
export async function watchCommand(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { once: { type: 'boolean', default: false }, recent: { type: 'string', default: '10' } }, strict: true }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\nusage: npm run watch [-- --once] [--recent N]`);
  }
  const recent = Number(values.recent);
  if (!Number.isInteger(recent) || recent < 0) throw new ConfigError(`--recent: ${JSON.stringify(values.recent)} — must be an integer >= 0`);
  const results = resolveResultsRoot();
  const snapshot = () => watchSnapshot(scanResults(results), results, { recent, now: Date.now() });
  if (values.once || !process.stdout.isTTY) {
    console.log(snapshot());
    return ExitCode.success;
  }
  return new Promise<number>((resolve) => {
    // Home the cursor and clear below it rather than the whole screen: no flicker.
    const draw = () => process.stdout.write(`\x1b[H\x1b[J${snapshot()}\n\n(refreshing every second; Ctrl-C to leave)\n`);
    process.stdout.write('\x1b[2J');
    draw();
    const timer = setInterval(draw, REFRESH_MS);
    process.once('SIGINT', () => {
      clearInterval(timer);
      resolve(ExitCode.success);
    });
  });
}

if (isMainModule(import.meta.url)) runCli(() => watchCommand(process.argv.slice(2)));
