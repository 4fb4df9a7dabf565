/**
 * The content-addressed artifact store: public contract. The implementation is in
 * `artifact-store-impl.ts`.
 *
 * Layout: `<root>/<stage>/<key>/` holds the stage's files and `manifest.json`. Artifacts are
 * written into a temporary directory on the same filesystem and published atomically by
 * rename; a per-key lock makes two runs of the same key compute once; on read, sizes and
 * checksums are verified and a mismatch means "recompute", never "trust".
 */
import { createHash } from 'node:crypto';

/** One file of an artifact. */
export interface ManifestFile {
  /** File name relative to the artifact directory (may contain `/`). */
  name: string;
  sha256: string;
  size: number;
}

/** Everything that went into a cache key, kept so `plan` can explain a miss. */
export interface KeyInputs {
  stage: string;
  version: number;
  /** Local source files (path relative to the project root -> sha256) and npm packages (name -> version). */
  code: { files: Record<string, string>; packages: Record<string, string> };
  /** Exactly the config fields that affect the output. */
  config: unknown;
  /** Upstream stage name -> content digest of its artifact. */
  upstream: Record<string, string>;
  /** Execution identity that changes bytes (execution provider, precision); {} for pure CPU stages. */
  runtime: Record<string, string | number>;
}

/** The `manifest.json` of a published artifact. */
export interface Manifest {
  schema: 1;
  stage: string;
  key: string;
  /** sha256 over the sorted (name, sha256) list of files: what downstream keys depend on. */
  digest: string;
  keyInputs: KeyInputs;
  files: ManifestFile[];
  /** The stage's small JSON result (counts, measured compliance, ...). */
  summary: unknown;
  /** The experiment that first produced it (artifacts are shared across experiments). */
  experimentId: string;
  timings: { startedAt: string; finishedAt: string; seconds: number };
  producer: { host: string; pid: number; packageVersion: string; gitCommit: string };
}

/** Result of checking an artifact's files against its manifest. */
export type VerifyResult = { ok: true } | { ok: false; problems: string[] };

/** An artifact being written; files go under `dir`, then `publish` makes it visible. */
export interface PendingArtifact {
  readonly stage: string;
  readonly key: string;
  /** Temporary directory on the store's filesystem. */
  readonly dir: string;
}

/** What `publish` needs besides the files. */
export type PublishInfo = Omit<Manifest, 'schema' | 'stage' | 'key' | 'digest' | 'files'>;

export interface ArtifactStore {
  /** Absolute store root. */
  readonly root: string;
  /** Directory a published artifact lives in (whether or not it exists). */
  artifactDir(stage: string, key: string): string;
  /** The manifest of a published artifact, or null when there is none (or it is unreadable). */
  read(stage: string, key: string): Promise<Manifest | null>;
  /** Checks every file's size and sha256 against the manifest. */
  verify(manifest: Manifest): Promise<VerifyResult>;
  /** Starts writing an artifact into a fresh temporary directory. */
  begin(stage: string, key: string): Promise<PendingArtifact>;
  /** Hashes the files, writes the manifest, fsyncs and renames into place. Returns the manifest. */
  publish(pending: PendingArtifact, info: PublishInfo): Promise<Manifest>;
  /** Removes a pending artifact's temporary directory. */
  discard(pending: PendingArtifact): Promise<void>;
  /** Removes a published artifact (for example after a failed verification). */
  remove(stage: string, key: string): Promise<void>;
  /**
   * Runs `fn` holding the lock for (stage, key). A second caller waits until the first
   * releases it (or its holder died), then runs. `onWait` is called once if it has to wait.
   */
  withLock<T>(stage: string, key: string, fn: () => Promise<T>, onWait?: (holder: string) => void): Promise<T>;
  /** Every published manifest, optionally of one stage. */
  list(stage?: string): Promise<Manifest[]>;
}

/** Content digest of an artifact from its files: sha256 over the sorted (name, sha256) pairs. */
export function artifactDigest(files: readonly ManifestFile[]): string {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify(sorted.map((f) => [f.name, f.sha256])))
    .digest('hex');
}
