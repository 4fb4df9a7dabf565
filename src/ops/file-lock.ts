/**
 * A cross-process lock on a file path: `<path>.lock` created with O_EXCL holds the owner's
 * host and pid. Used for appends to shared files (the run ledger) by several processes.
 *
 * A lock left by a process that died on this host is stolen at once; one left by another
 * host (or unreadable) is stolen once it is older than `staleMs`, which must exceed the
 * longest critical section (an append takes milliseconds).
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { ResourceError } from '../errors';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up after waiting this long. @default 30000 (milliseconds) */
  timeoutMs?: number;
  /** A foreign or unreadable lock older than this is considered abandoned. @default 60000 (milliseconds) */
  staleMs?: number;
}

const POLL_MS = 15;
const HOST = hostname();

/**
 * Runs `fn` while holding the lock `<path>.lock`.
 * @throws ResourceError naming the lock file and its holder when it cannot be taken in time.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lockFile = `${path}.lock`;
  const content = JSON.stringify({ host: HOST, pid: process.pid, at: new Date().toISOString(), nonce: Math.random() });
  await acquire(lockFile, content, options.timeoutMs ?? 30_000, options.staleMs ?? 60_000);
  try {
    return await fn();
  } finally {
    await release(lockFile, content);
  }
}

async function acquire(lockFile: string, content: string, timeoutMs: number, staleMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await createExclusive(lockFile, content)) return;
    const holder = await readHolder(lockFile);
    if (holder !== null && isStale(holder, staleMs)) await steal(lockFile, holder.text);
    if (Date.now() > deadline) {
      throw new ResourceError(`cannot lock ${lockFile} within ${timeoutMs} ms: held by ${holder?.text ?? 'a holder that just left'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.random() * POLL_MS));
  }
}

async function createExclusive(file: string, content: string): Promise<boolean> {
  try {
    // One write of a short string: a reader sees the whole holder record or an empty file.
    await fs.writeFile(file, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ResourceError(`cannot create lock file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

interface Holder {
  text: string;
  host: string | null;
  pid: number | null;
  mtimeMs: number;
}

async function readHolder(file: string): Promise<Holder | null> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    let host: string | null = null;
    let pid: number | null = null;
    try {
      ({ host, pid } = JSON.parse(text) as { host: string; pid: number });
    } catch {
      // Written but not yet readable, or garbage: judged by age alone.
    }
    return { text, host, pid, mtimeMs: stat.mtimeMs };
  } catch {
    return null;
  }
}

function isStale(holder: Holder, staleMs: number): boolean {
  if (holder.host === HOST && holder.pid !== null) return !isAlive(holder.pid);
  return Date.now() - holder.mtimeMs > staleMs;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes a stale lock if it still holds `staleText`. A guard file serialises stealers, so
 * one stealer cannot delete the fresh lock another has just created.
 */
async function steal(lockFile: string, staleText: string): Promise<void> {
  const guard = `${lockFile}.steal`;
  if (!(await createExclusive(guard, String(process.pid)))) {
    const guardHolder = await readHolder(guard);
    if (guardHolder !== null && Date.now() - guardHolder.mtimeMs > 10_000) await fs.rm(guard, { force: true });
    return;
  }
  try {
    const current = await readHolder(lockFile);
    if (current !== null && current.text === staleText) await fs.rm(lockFile, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}

async function release(lockFile: string, content: string): Promise<void> {
  try {
    if ((await fs.readFile(lockFile, 'utf8')) === content) await fs.unlink(lockFile);
  } catch {
    // Already gone (stolen after a very long critical section): nothing to release.
  }
}
