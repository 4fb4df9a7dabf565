/**
 * The project's closed set of error classes. Every failure that reaches a user is one of
 * these; `toPipelineError` converts anything else at the boundary.
 *
 * Retryability is data (`retryable`), not inferred from the class name by callers, so the
 * embedded runner and (later) Temporal's `nonRetryableErrorTypes` agree.
 */

/** Stable machine codes, one per class. */
export const ErrorCode = {
  config: 'CONFIG_ERROR',
  input: 'INPUT_ERROR',
  resource: 'RESOURCE_ERROR',
  stage: 'STAGE_ERROR',
  cancelled: 'CANCELLED',
  gateFailed: 'GATE_FAILED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Process exit codes of every CLI: one exit path, these values only. */
export const ExitCode = {
  success: 0,
  runFailed: 1,
  invalidInput: 2,
  interrupted: 130,
} as const;

/** Root of the hierarchy; never thrown directly. */
export abstract class PipelineError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly retryable: boolean;
  /** Stage that failed, when known. */
  stage?: string;

  constructor(message: string, options?: { cause?: unknown; stage?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.stage = options?.stage;
  }
}

/** Bad user input (config file, CLI flag). Exit 2, never retried. */
export class ConfigError extends PipelineError {
  override readonly name = 'ConfigError';
  readonly code = ErrorCode.config;
  readonly retryable = false;
  /** Every problem found, one line each (the message joins them). */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'), options);
    this.problems = list;
  }
}

/** Bad or missing upstream data (a missing artifact, an impossible graph). Not retried. */
export class InputError extends PipelineError {
  override readonly name = 'InputError';
  readonly code = ErrorCode.input;
  readonly retryable = false;
}

/** Disk, memory or execution-provider trouble; retryable because it is often transient. */
export class ResourceError extends PipelineError {
  override readonly name = 'ResourceError';
  readonly code = ErrorCode.resource;
  readonly retryable = true;
}

/** Unexpected failure inside a stage; retried by the stage's policy. */
export class StageError extends PipelineError {
  override readonly name = 'StageError';
  readonly code = ErrorCode.stage;
  readonly retryable = true;
}

/** The run was interrupted (SIGINT/SIGTERM or cancellation). Never retried. */
export class Cancelled extends PipelineError {
  override readonly name = 'Cancelled';
  readonly code = ErrorCode.cancelled;
  readonly retryable = false;
}

/**
 * The pipeline stopped on purpose after a stage because a declared condition failed (the
 * sufficiency gate with `training.require_gate`). The stage's artifact is published and valid;
 * the run's status is `gate_failed`. Never retried: the same inputs give the same verdict.
 */
export class GateFailed extends PipelineError {
  override readonly name = 'GateFailed';
  readonly code = ErrorCode.gateFailed;
  readonly retryable = false;
}

/** Converts any thrown value into a PipelineError, tagging the stage when given. */
export function toPipelineError(error: unknown, stage?: string): PipelineError {
  if (error instanceof PipelineError) {
    if (stage !== undefined && error.stage === undefined) error.stage = stage;
    return error;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOSPC' || code === 'ENOMEM' || code === 'EMFILE') {
    return new ResourceError(message, { cause: error, stage });
  }
  return new StageError(message, { cause: error, stage });
}

/** The exit code a CLI uses for a failure of this kind. */
export function exitCodeFor(error: PipelineError): number {
  if (error instanceof ConfigError) return ExitCode.invalidInput;
  if (error instanceof Cancelled) return ExitCode.interrupted;
  return ExitCode.runFailed;
}
