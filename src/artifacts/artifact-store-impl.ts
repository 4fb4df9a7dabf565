/**
 * The artifact store on a local or shared filesystem (contract in `artifact-store.ts`).
 *
 * Layout under the root: `<stage>/<key>/` published artifacts, `.tmp/` artifacts being
 * written or removed (named after their owner so `gcStore` can tell abandoned ones), and
 * `.locks/<stage>@<key>.lock` per-key locks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError, PipelineError, ResourceError, StageError } from '../errors';
import {
  artifactDigest,
  type ArtifactStore,
  type Manifest,
  type ManifestFile,
  type PendingArtifact,
  type PublishInfo,
  type VerifyResult,
} from './artifact-store';

const MANIFEST = 'manifest.json';
const TMP_DIR = '.tmp';
const LOCK_DIR = '.locks';
const LOCK_POLL_MS = 200;
/** A lock file nobody could parse for this long was left by a writer that died mid-write. */
const UNREADABLE_LOCK_STALE_MS = 10_000;
const READ_CHUNK_BYTES = 1 << 20;
/** Stage names and keys become path segments; `@` separates them in lock file names. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const HOST = os.hostname();
const HOST_SEGMENT = HOST.replace(/[^A-Za-z0-9.-]/g, '_');

/** Default store root: `DCSBM_STORE` if set (relative to `projectRoot`), else `<projectRoot>/.dcsbm/store`. */
export function resolveStoreRoot(projectRoot: string): string {
  const fromEnv = process.env.DCSBM_STORE;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(projectRoot, fromEnv);
  return path.resolve(projectRoot, '.dcsbm', 'store');
}

/** The artifact store in a directory. Create it with {@link FileArtifactStore.open}. */
export class FileArtifactStore implements ArtifactStore {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /**
   * Opens (creating if needed) the store at `root`.
   * @throws ResourceError naming the path when the root cannot be created or written.
   */
  static async open(root: string): Promise<FileArtifactStore> {
    const absolute = path.resolve(root);
    try {
      await fs.mkdir(path.join(absolute, TMP_DIR), { recursive: true });
      await fs.mkdir(path.join(absolute, LOCK_DIR), { recursive: true });
      const probe = path.join(absolute, TMP_DIR, `probe-${process.pid}-${randomHex()}`);
      await fs.writeFile(probe, '');
      await fs.unlink(probe);
    } catch (error) {
      throw new ResourceError(`artifact store root ${absolute} cannot be created or written: ${messageOf(error)}`, {
        cause: error,
      });
    }
    return new FileArtifactStore(absolute);
  }

  /** Directory of temporary (pending or being-removed) artifact directories. */
  get tmpRoot(): string {
    return path.join(this.root, TMP_DIR);
  }

  artifactDir(stage: string, key: string): string {
    checkSegments(stage, key);
    return path.join(this.root, stage, key);
  }

  /** The lock file guarding (stage, key). */
  lockPath(stage: string, key: string): string {
    checkSegments(stage, key);
    return path.join(this.root, LOCK_DIR, `${stage}@${key}.lock`);
  }

  async read(stage: string, key: string): Promise<Manifest | null> {
    let text: string;
    try {
      text = await fs.readFile(path.join(this.artifactDir(stage, key), MANIFEST), 'utf8');
    } catch {
      return null;
    }
    return parseManifest(text, stage, key);
  }

  async verify(manifest: Manifest): Promise<VerifyResult> {
    const dir = this.artifactDir(manifest.stage, manifest.key);
    const problems: string[] = [];
    for (const file of manifest.files) {
      const problem = await checkFile(dir, file);
      if (problem !== null) problems.push(`${file.name}: ${problem}`);
    }
    const digest = artifactDigest(manifest.files);
    if (digest !== manifest.digest) {
      problems.push(`${MANIFEST}: digest mismatch (expected ${short(manifest.digest)}, found ${short(digest)})`);
    }
    return problems.length === 0 ? { ok: true } : { ok: false, problems };
  }

  async begin(stage: string, key: string): Promise<PendingArtifact> {
    checkSegments(stage, key);
    const dir = this.newTempPath();
    try {
      await fs.mkdir(dir);
    } catch (error) {
      throw new ResourceError(`cannot create temporary directory ${dir}: ${messageOf(error)}`, { cause: error, stage });
    }
    return { stage, key, dir };
  }

  async publish(pending: PendingArtifact, info: PublishInfo): Promise<Manifest> {
    const { stage, key, dir } = this.checkPending(pending);
    try {
      const { files, dirs } = await hashAndSyncTree(dir, stage);
      const manifest: Manifest = {
        schema: 1,
        stage,
        key,
        digest: artifactDigest(files),
        keyInputs: info.keyInputs,
        files,
        summary: info.summary,
        experimentId: info.experimentId,
        timings: info.timings,
        producer: info.producer,
      };
      await writeFileSynced(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      for (const sub of dirs) await syncDir(sub);
      return await this.moveIntoPlace(pending, manifest);
    } catch (error) {
      throw asPipelineError(error, `cannot publish ${stage}/${key} from ${dir}`, stage);
    }
  }

  async discard(pending: PendingArtifact): Promise<void> {
    const { dir } = this.checkPending(pending);
    await fs.rm(dir, { recursive: true, force: true });
  }

  async remove(stage: string, key: string): Promise<void> {
    const dir = this.artifactDir(stage, key);
    const aside = this.newTempPath();
    try {
      // Renaming first makes the artifact vanish at once; a crash during rm leaves only a temp dir.
      await fs.rename(dir, aside);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw new ResourceError(`cannot remove artifact ${dir}: ${messageOf(error)}`, { cause: error, stage });
    }
    await syncDir(path.dirname(dir));
    await fs.rm(aside, { recursive: true, force: true });
  }

  async withLock<T>(stage: string, key: string, fn: () => Promise<T>, onWait?: (holder: string) => void): Promise<T> {
    const file = this.lockPath(stage, key);
    const content = await acquireLock(file, onWait);
    try {
      return await fn();
    } finally {
      await releaseLock(file, content);
    }
  }

  async list(stage?: string): Promise<Manifest[]> {
    const stages = stage === undefined ? await subdirectories(this.root) : [stage];
    const manifests: Manifest[] = [];
    for (const s of stages.filter(isSegment)) {
      const keys = (await subdirectories(path.join(this.root, s))).filter(isSegment);
      const read = await Promise.all(keys.map((k) => this.read(s, k)));
      for (const m of read) if (m !== null) manifests.push(m);
    }
    return manifests.sort((a, b) => compare(a.stage, b.stage) || compare(a.key, b.key));
  }

  /**
   * Temporary directories that are older than `maxAgeMs` and whose owner is dead: a process on
   * this host that no longer runs, or an entry whose owner cannot be read from its name.
   * Entries owned by other hosts are kept, since their liveness cannot be checked from here.
   * @internal used by {@link gcStore}
   */
  async staleTempDirs(maxAgeMs: number, now: number = Date.now()): Promise<string[]> {
    const stale: string[] = [];
    for (const name of await entries(this.tmpRoot)) {
      const full = path.join(this.tmpRoot, name);
      const owner = parseTempName(name);
      const createdAt = owner?.createdAt ?? (await mtimeMs(full));
      if (createdAt === null || now - createdAt < maxAgeMs) continue;
      if (owner !== null && (owner.host !== HOST_SEGMENT || isProcessAlive(owner.pid))) continue;
      stale.push(full);
    }
    return stale;
  }

  private newTempPath(): string {
    return path.join(this.tmpRoot, formatTempName({ pid: process.pid, host: HOST_SEGMENT, createdAt: Date.now() }));
  }

  private checkPending(pending: PendingArtifact): PendingArtifact {
    checkSegments(pending.stage, pending.key);
    if (path.dirname(path.resolve(pending.dir)) !== this.tmpRoot) {
      throw new StageError(`pending artifact ${pending.dir} is not a temporary directory of the store ${this.root}`, {
        stage: pending.stage,
      });
    }
    return pending;
  }

  /** Renames the temp dir into place, or, if someone published the key first, returns theirs. */
  private async moveIntoPlace(pending: PendingArtifact, manifest: Manifest): Promise<Manifest> {
    const { stage, key, dir } = pending;
    const final = this.artifactDir(stage, key);
    await fs.mkdir(path.dirname(final), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.read(stage, key);
      if (existing !== null) {
        await this.discard(pending);
        return existing;
      }
      try {
        await fs.rename(dir, final);
        await syncDir(path.dirname(final));
        await syncDir(this.tmpRoot);
        return manifest;
      } catch (error) {
        if (errorCode(error) !== 'ENOTEMPTY' && errorCode(error) !== 'EEXIST') throw error;
      }
      // Either another publisher won (the next read finds it) or a directory without a
      // readable manifest is in the way, which is not an artifact and can go.
      if ((await this.read(stage, key)) === null) await this.remove(stage, key);
    }
    throw new ResourceError(`cannot publish ${stage}/${key}: ${final} keeps reappearing without a manifest`, { stage });
  }
}

// ---------------------------------------------------------------------------------------------
// Garbage collection

/** One directory that `gcStore` removed (or would remove in a dry run). */
export interface GcEntry {
  kind: 'artifact' | 'temp';
  path: string;
  /** Set for artifacts. */
  stage?: string;
  /** Set for artifacts. */
  key?: string;
  /** Bytes of the files in the directory. */
  bytes: number;
}

/** What `gcStore` removed or, with `dryRun`, would remove. */
export interface GcReport {
  dryRun: boolean;
  removed: GcEntry[];
  /** Sum of `removed[].bytes`. */
  bytes: number;
}

/** Options of {@link gcStore}. */
export interface GcOptions {
  /** Report only; delete nothing. */
  dryRun: boolean;
  /** Temporary directories younger than this are kept even if their owner is dead. @default 3_600_000 (1 hour) */
  tempMaxAgeMs?: number;
  /** Clock for age checks, in epoch milliseconds. @default Date.now() */
  now?: number;
}

/**
 * Removes every published artifact for which `keep` returns false, and temporary directories
 * abandoned by dead processes (see {@link FileArtifactStore.staleTempDirs}). Takes no locks:
 * an artifact removed while a run is reading it is recomputed by that run's verification.
 */
export async function gcStore(
  store: FileArtifactStore,
  keep: (manifest: Manifest) => boolean,
  options: GcOptions,
): Promise<GcReport> {
  const removed: GcEntry[] = [];
  for (const dir of await store.staleTempDirs(options.tempMaxAgeMs ?? 3_600_000, options.now)) {
    removed.push({ kind: 'temp', path: dir, bytes: await directoryBytes(dir) });
    if (!options.dryRun) await fs.rm(dir, { recursive: true, force: true });
  }
  for (const manifest of await store.list()) {
    if (keep(manifest)) continue;
    const dir = store.artifactDir(manifest.stage, manifest.key);
    removed.push({ kind: 'artifact', path: dir, stage: manifest.stage, key: manifest.key, bytes: await directoryBytes(dir) });
    if (!options.dryRun) await store.remove(manifest.stage, manifest.key);
  }
  return { dryRun: options.dryRun, removed, bytes: removed.reduce((sum, e) => sum + e.bytes, 0) };
}

// ---------------------------------------------------------------------------------------------
// Locks

interface LockHolder {
  text: string;
  info: { host: string; pid: number; startedAt: string } | null;
  mtimeMs: number;
}

/** Creates the lock file, waiting (and stealing dead holders' locks) as needed; returns its content. */
async function acquireLock(file: string, onWait?: (holder: string) => void): Promise<string> {
  const content = JSON.stringify({ host: HOST, pid: process.pid, startedAt: new Date().toISOString() });
  let reported = false;
  for (;;) {
    if (await createExclusive(file, content)) return content;
    const holder = await readLockHolder(file);
    if (holder === null) continue;
    if (isStaleLock(holder) && (await stealLock(file, holder.text))) continue;
    if (!reported) {
      reported = true;
      onWait?.(describeHolder(holder, file));
    }
    await sleep(LOCK_POLL_MS);
  }
}

/** Deletes the lock file if it is still ours. */
async function releaseLock(file: string, content: string): Promise<void> {
  try {
    if ((await fs.readFile(file, 'utf8')) === content) await fs.unlink(file);
  } catch {
    // Already gone; nothing else to release.
  }
}

/** Creates `file` with `content` if it does not exist (O_EXCL); false if it does. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw new ResourceError(`cannot create lock file ${file}: ${messageOf(error)}`, { cause: error });
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(file, { force: true });
    throw new ResourceError(`cannot write lock file ${file}: ${messageOf(error)}`, { cause: error });
  }
  await handle.close();
  return true;
}

/** The current holder of a lock, or null when the lock file vanished meanwhile. */
async function readLockHolder(file: string): Promise<LockHolder | null> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { text, info: parseLockInfo(text), mtimeMs: stat.mtimeMs };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new ResourceError(`cannot read lock file ${file}: ${messageOf(error)}`, { cause: error });
  }
}

function parseLockInfo(text: string): LockHolder['info'] {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const { host, pid, startedAt } = value;
    if (typeof host === 'string' && Number.isInteger(pid) && typeof startedAt === 'string') {
      return { host, pid: pid as number, startedAt };
    }
  } catch {
    // Falls through: unreadable.
  }
  return null;
}

function isStaleLock(holder: LockHolder): boolean {
  if (holder.info === null) return Date.now() - holder.mtimeMs > UNREADABLE_LOCK_STALE_MS;
  return holder.info.host === HOST && !isProcessAlive(holder.info.pid);
}

/**
 * Removes a stale lock if it still holds `staleText`. A guard file serialises stealers:
 * without it, one stealer could delete the fresh lock another stealer had just created.
 */
async function stealLock(file: string, staleText: string): Promise<boolean> {
  const guard = `${file}.steal`;
  if (!(await createExclusive(guard, String(process.pid)))) {
    const age = await mtimeMs(guard);
    if (age !== null && Date.now() - age > UNREADABLE_LOCK_STALE_MS) await fs.rm(guard, { force: true });
    return false;
  }
  try {
    const current = await readLockHolder(file);
    if (current !== null && current.text === staleText) await fs.rm(file, { force: true });
    return true;
  } finally {
    await fs.rm(guard, { force: true });
  }
}

function describeHolder(holder: LockHolder, file: string): string {
  if (holder.info === null) return `an unknown holder (unreadable lock file ${file})`;
  const { pid, host, startedAt } = holder.info;
  return `pid ${pid} on ${host} since ${startedAt}`;
}

/** False only when the process surely does not exist (ESRCH); EPERM means it exists. */
function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ESRCH';
  }
}

// ---------------------------------------------------------------------------------------------
// Temporary directory names: `<pid>.<createdAtMs>.<random>@<host>`

interface TempOwner {
  pid: number;
  host: string;
  createdAt: number;
}

function formatTempName(owner: TempOwner): string {
  return `${owner.pid}.${owner.createdAt}.${randomHex()}@${owner.host}`;
}

function parseTempName(name: string): TempOwner | null {
  const match = /^(\d+)\.(\d+)\.[0-9a-f]+@(.+)$/.exec(name);
  if (match === null) return null;
  return { pid: Number(match[1]), createdAt: Number(match[2]), host: match[3] };
}

// ---------------------------------------------------------------------------------------------
// Files, hashing, manifests

/** Hashes and fsyncs every file under `dir` (manifest order: by name); lists every directory. */
async function hashAndSyncTree(dir: string, stage: string): Promise<{ files: ManifestFile[]; dirs: string[] }> {
  const { files: names, dirs } = await walk(dir, stage);
  if (names.includes(MANIFEST)) {
    throw new StageError(`${dir}: the stage wrote a file named ${MANIFEST}, which the store reserves`, { stage });
  }
  const files: ManifestFile[] = [];
  for (const name of names.sort(compare)) {
    files.push({ name, ...(await digestFile(path.join(dir, ...name.split('/')), { sync: true })) });
  }
  return { files, dirs };
}

/** Regular files under `root` as `/`-separated relative names, and every directory including `root`. */
async function walk(root: string, stage: string): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  const visit = async (dir: string, prefix: string): Promise<void> => {
    dirs.push(dir);
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const name = prefix + entry.name;
      if (entry.isDirectory()) await visit(path.join(dir, entry.name), `${name}/`);
      else if (entry.isFile()) files.push(name);
      else throw new StageError(`${path.join(dir, entry.name)}: artifacts may hold only regular files and directories`, { stage });
    }
  };
  await visit(root, '');
  return { files, dirs };
}

/** Streams a file through sha256 (constant memory for any size); optionally fsyncs it. */
async function digestFile(file: string, options: { sync: boolean }): Promise<{ sha256: string; size: number }> {
  const handle = await fs.open(file, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    if (options.sync) await handle.sync();
    return { sha256: hash.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

/** One verification problem of a file (without its name), or null when it matches. */
async function checkFile(dir: string, file: ManifestFile): Promise<string | null> {
  const full = path.join(dir, ...file.name.split('/'));
  try {
    const stat = await fs.stat(full);
    if (!stat.isFile()) return 'not a regular file';
    if (stat.size !== file.size) return `size mismatch (expected ${file.size} bytes, found ${stat.size})`;
    const { sha256 } = await digestFile(full, { sync: false });
    return sha256 === file.sha256 ? null : `sha256 mismatch (expected ${short(file.sha256)}, found ${short(sha256)})`;
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? 'missing' : `unreadable (${messageOf(error)})`;
  }
}

function parseManifest(text: string, stage: string, key: string): Manifest | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Partial<Manifest>;
  const valid =
    m.schema === 1 &&
    m.stage === stage &&
    m.key === key &&
    typeof m.digest === 'string' &&
    Array.isArray(m.files) &&
    m.files.every(isManifestFile);
  return valid ? (m as Manifest) : null;
}

function isManifestFile(value: unknown): value is ManifestFile {
  const f = value as Partial<ManifestFile> | null;
  return (
    typeof f === 'object' &&
    f !== null &&
    typeof f.name === 'string' &&
    isSafeRelativeName(f.name) &&
    typeof f.sha256 === 'string' &&
    Number.isInteger(f.size) &&
    (f.size as number) >= 0
  );
}

/** Manifest names must stay inside the artifact directory. */
function isSafeRelativeName(name: string): boolean {
  return name !== '' && !name.startsWith('/') && name.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

async function writeFileSynced(file: string, content: string): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a directory's entries (creations, renames) durable. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Total size in bytes of the regular files under `dir` (0 if it vanished). */
async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  let items;
  try {
    items = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const item of items) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) total += await directoryBytes(full);
    else if (item.isFile()) total += (await fs.stat(full).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    const items = await fs.readdir(dir, { withFileTypes: true });
    return items.filter((i) => i.isDirectory() && !i.name.startsWith('.')).map((i) => i.name);
  } catch {
    return [];
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

async function mtimeMs(file: string): Promise<number | null> {
  try {
    return (await fs.stat(file)).mtimeMs;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function isSegment(name: string): boolean {
  return SEGMENT.test(name);
}

function checkSegments(stage: string, key: string): void {
  for (const [field, value] of [['stage', stage], ['key', key]] as const) {
    if (!isSegment(value)) {
      throw new InputError(`artifact ${field} ${JSON.stringify(value)} is not a valid name (letters, digits, _ . -)`);
    }
  }
}

function asPipelineError(error: unknown, context: string, stage: string): PipelineError {
  if (error instanceof PipelineError) return error;
  return new ResourceError(`${context}: ${messageOf(error)}`, { cause: error, stage });
}

function short(hex: string): string {
  return `${hex.slice(0, 12)}...`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function randomHex(): string {
  return randomBytes(4).toString('hex');
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
