/**
 * The one exit path of every CLI: run the command, print a failure as a short banner plus
 * the error, and set the exit code (0 success, 1 run failed, 2 invalid input, 130 interrupted).
 */
import { ExitCode, exitCodeFor, toPipelineError, ConfigError } from '../errors';

/** Runs `command` and exits with its code, or with the code of the error it throws. */
export function runCli(command: () => Promise<number>): void {
  command()
    .then((code) => {
      process.exitCode = code;
    })
    .catch((caught: unknown) => {
      const error = toPipelineError(caught);
      if (error instanceof ConfigError) {
        process.stderr.write(`Invalid input:\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
      } else {
        process.stderr.write(`Failed${error.stage ? ` in stage ${error.stage}` : ''} (${error.code}): ${error.message}\n`);
        if (process.env.DCSBM_DEBUG) process.stderr.write(`${(caught as Error).stack ?? ''}\n`);
      }
      process.exitCode = exitCodeFor(error);
    })
    .finally(() => {
      // Worker threads or timers must not keep a finished command alive.
      setImmediate(() => process.exit(process.exitCode ?? ExitCode.success));
    });
}
