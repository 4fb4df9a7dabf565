/**
 * `npm run plan -- <config.json> [--until S] [--force S] [--force-all]`: what a run would do,
 * stage by stage, and why. Computes nothing.
 */
import { join } from 'node:path';
import { experimentId } from '../config/hash';
import { ExitCode } from '../errors';
import { FingerprintCache, planExperiment } from '../pipeline/plan';
import { helpRequested, parseRunArgs, runHelp } from './args';
import { isMainModule } from './is-main';
import { runCli } from './main';
import { renderPlan } from './render-plan';
import { headerLines, openSession, PROJECT_ROOT } from './setup';

/** Prints the plan; exit 0. */
export async function planCommand(argv: readonly string[]): Promise<number> {
  if (helpRequested(argv)) {
    process.stdout.write(runHelp('plan'));
    return ExitCode.success;
  }
  const args = parseRunArgs(argv);
  const { config, warnings, store, resultsRoot } = await openSession(args.configPath);
  const { STAGE_IMPLEMENTATIONS } = await import('../stages/index');
  const plans = await planExperiment(config, store, STAGE_IMPLEMENTATIONS, new FingerprintCache(PROJECT_ROOT), args);
  const lines = [...headerLines(config, warnings), ...renderPlan(plans, store, join(resultsRoot, experimentId(config)))];
  process.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.success;
}

if (isMainModule(import.meta.url)) runCli(() => planCommand(process.argv.slice(2)));
