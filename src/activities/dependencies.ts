/**
 * What the activities need from the process that hosts them. The worker builds it from the
 * environment; tests build it over a temporary store.
 */
import type { ArtifactStore } from '../artifacts/artifact-store';
import type { StageName } from '../pipeline/dag';
import type { StageImplementation } from '../pipeline/stage';
import type { HeartbeatSinkOptions } from './heartbeat-sink';
import type { ProgressSignalOptions } from './progress-signal';

export interface ActivityDependencies {
  store: ArtifactStore;
  /** Repository root (code fingerprints, run metadata). */
  projectRoot: string;
  /** Folder that holds `<experiment-id>/` result folders. */
  resultsRoot: string;
  implementations: ReadonlyMap<StageName, StageImplementation<never>>;
  /** Threads per stage when the config leaves `runtime.threads` null. */
  threads: number;
  heartbeat?: HeartbeatSinkOptions;
  /** Throttling and delivery of the `stageProgress` signals (tests inject `send`). */
  progressSignal?: ProgressSignalOptions;
}
