/**
 * `npm run preflight -- <config.json> [--until S] [--force S]... [--force-all]`: the checks
 * `npm run experiment` makes before any stage starts (disk for the artifacts to compute,
 * memory, writable folders, the execution provider, estimated duration), without running anything.
 * Exit codes: 0 every check passed, 1 a check failed, 2 invalid input.
 */
import { ExitCode } from '../errors';
import { preflightFailure, renderPreflight, runPreflight } from '../ops/preflight';
import { FingerprintCache, planExperiment } from '../pipeline/plan';
import { parseRunArgs } from './args';
import { isMainModule } from './is-main';
import { runCli } from './main';
import { headerLines, openSession, PROJECT_ROOT } from './setup';

/** Runs the checks for the config in `argv` and prints one line per check. */
export async function preflightCommand(argv: readonly string[]): Promise<number> {
  const args = parseRunArgs(argv);
  const { config, warnings, store, resultsRoot } = await openSession(args.configPath);
  headerLines(config, warnings).forEach((line) => console.log(line));
  const { STAGE_IMPLEMENTATIONS } = await import('../stages/index');
  const plans = await planExperiment(config, store, STAGE_IMPLEMENTATIONS, new FingerprintCache(PROJECT_ROOT), args);
  const report = await runPreflight({ config, plans, store, resultsRoot });
  renderPreflight(report).forEach((line) => console.log(line));
  if (report.ok) return ExitCode.success;
  console.error(preflightFailure(report));
  return ExitCode.runFailed;
}

if (isMainModule(import.meta.url)) runCli(() => preflightCommand(process.argv.slice(2)));
