/**
 * One server test file at a time: the experiment workflow routes stages to the fixed task
 * queues (dcsbm-cpu, dcsbm-gpu), so two test files' workers on the same server would take
 * each other's activities (and read different stores). Each server test file holds this
 * lock (a directory in the temp folder, with the holder's pid) from its beforeAll to its
 * afterAll; a lock whose holder died is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK = join(tmpdir(), 'dcsbm-temporal-server-tests.lock');

/** Waits for the lock (at most `timeoutMs`) and returns its release function. */
export async function acquireServerLock(timeoutMs = 20 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!holderAlive()) {
        rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another Temporal server test file still holds ${LOCK} after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function holderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    return true; // being created right now
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
