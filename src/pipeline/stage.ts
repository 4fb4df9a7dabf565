/**
 * The stage implementation contract: what a stage's `run` receives and returns. The
 * declaration half (name, version, inputs, config slice, resources, retry) is in `dag.ts`.
 */
import type { Manifest } from '../artifacts/artifact-store';
import type { StageDeclaration, StageName } from './dag';

/** A published upstream artifact, verified before the stage sees it. */
export interface UpstreamArtifact {
  manifest: Manifest;
  /** Absolute path of one of its files. */
  file(name: string): string;
}

/** Progress details shown next to the bar (step, loss, walks/s, ...). */
export type ProgressDetails = Record<string, string | number>;

/** Where a long stage keeps resumable state between attempts and runs. */
export interface CheckpointStore {
  /** The newest checkpoint's metadata and directory, or null when there is none. */
  load<T>(): Promise<{ meta: T; dir: string } | null>;
  /** Atomically replaces the newest checkpoint: `write` fills a fresh directory. */
  save<T>(meta: T, write: (dir: string) => Promise<void>): Promise<void>;
}

/** A published artifact of the same stage that this run extends (see `StageDeclaration.prefixBudget`). */
export interface ShorterRun extends UpstreamArtifact {
  /** Its budget (the value at `prefixBudget` in its slice), smaller than this run's. */
  budget: number;
}

export interface StageContext<Slice> {
  /** Exactly the config fields this stage's cache key covers (see `configSlice`). */
  slice: Slice;
  experimentId: string;
  /** Threads the stage may use for numeric work. */
  threads: number;
  /** The verified artifact of an upstream stage listed in `inputs`. */
  input(stage: StageName): UpstreamArtifact;
  /** Absolute path for an output file (parent directories are created). Write files only here. */
  output(name: string): string;
  /** Reports progress in [0, 1]; the runner derives the ETA. */
  progress(fraction: number, details?: ProgressDetails): void;
  /** Aborted on SIGINT/SIGTERM or cancellation; long loops must check it. */
  signal: AbortSignal;
  /** A line for the log (shown with --verbose, always written to the run log). */
  log(message: string): void;
  checkpoint: CheckpointStore;
  /**
   * For a stage with `prefixBudget`: the verified artifact with the largest smaller budget whose
   * other key inputs equal this run's, or null. Absent for other stages (and in some tests).
   */
  shorterRun?: () => Promise<ShorterRun | null>;
}

/** A stage implementation: its declaration plus `run`, which returns a small JSON summary. */
export interface StageImplementation<Slice = Record<string, unknown>> {
  declaration: StageDeclaration;
  /** Source module of the implementation: its transitive imports form the code fingerprint. */
  module: string;
  run(context: StageContext<Slice>): Promise<Record<string, unknown>>;
}
