import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { artifactDigest, type PublishInfo } from '../../src/artifacts/artifact-store';
import { FileArtifactStore, gcStore, resolveStoreRoot } from '../../src/artifacts/artifact-store-impl';
import { ResourceError } from '../../src/errors';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const IMPL_URL = pathToFileURL(path.join(PROJECT_ROOT, 'src/artifacts/artifact-store-impl.ts')).href;

const INFO: PublishInfo = {
  keyInputs: { stage: 'graph', version: 1, code: { files: {}, packages: {} }, config: { n: 10 }, upstream: {}, runtime: {} },
  summary: { edges: 3 },
  experimentId: 'exp-1',
  timings: { startedAt: '2024-01-01T00:00:00.000Z', finishedAt: '2024-01-01T00:00:01.000Z', seconds: 1 },
  producer: { host: 'test', pid: 1, packageVersion: '0.1.0', gitCommit: 'abc' },
};

let dir: string;
let store: FileArtifactStore;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'artifact-store-'));
  store = await FileArtifactStore.open(path.join(dir, 'store'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Publishes an artifact with the given files (name -> content). */
async function publishFiles(key: string, files: Record<string, string | Buffer>, stage = 'graph') {
  const pending = await store.begin(stage, key);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(pending.dir, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
  return store.publish(pending, INFO);
}

async function tempEntries(): Promise<string[]> {
  return fs.readdir(store.tmpRoot);
}

/** Pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not spawn node');
  return child.pid;
}

/** Runs a TypeScript snippet in a separate node process; resolves with its exit code. */
function runScript(file: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('publish and read', () => {
  it('publish then read round-trips and the digest is stable', async () => {
    const published = await publishFiles('k1', { 'a.txt': 'alpha', 'sub/b.bin': Buffer.from([1, 2, 3]) });
    const again = await publishFiles('k2', { 'sub/b.bin': Buffer.from([1, 2, 3]), 'a.txt': 'alpha' });

    expect(await store.read('graph', 'k1')).toEqual(published);
    expect(published.digest).toBe(artifactDigest(published.files));
    expect(again.digest).toBe(published.digest);
    expect(published).toMatchObject({ schema: 1, stage: 'graph', key: 'k1', experimentId: 'exp-1', summary: { edges: 3 } });
  });

  it('a published artifact manifest lists sizes and sha256s that match the files', async () => {
    const manifest = await publishFiles('k1', { 'a.txt': 'alpha', 'sub/b.bin': Buffer.alloc(3000, 7) });

    expect(manifest.files).toEqual([
      { name: 'a.txt', size: 5, sha256: '8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8' },
      { name: 'sub/b.bin', size: 3000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    const onDisk = JSON.parse(await fs.readFile(path.join(store.artifactDir('graph', 'k1'), 'manifest.json'), 'utf8'));
    expect(onDisk).toEqual(manifest);
    expect(await store.verify(manifest)).toEqual({ ok: true });
  });

  it('read of a missing key returns null', async () => {
    expect(await store.read('graph', 'nothing-here')).toBeNull();
  });

  it('read of an artifact with an unparsable manifest returns null', async () => {
    await publishFiles('k1', { 'a.txt': 'alpha' });
    await fs.writeFile(path.join(store.artifactDir('graph', 'k1'), 'manifest.json'), '{ not json');

    expect(await store.read('graph', 'k1')).toBeNull();
    expect(await store.list()).toEqual([]);
  });

  it('publish of an already published key returns the existing manifest and leaves no temp dir', async () => {
    const first = await publishFiles('k1', { 'a.txt': 'first' });
    const second = await publishFiles('k1', { 'a.txt': 'second, different bytes' });

    expect(second).toEqual(first);
    expect(await fs.readFile(path.join(store.artifactDir('graph', 'k1'), 'a.txt'), 'utf8')).toBe('first');
    expect(await tempEntries()).toEqual([]);
  });

  it('the temp dir is not visible as an artifact before publish', async () => {
    const pending = await store.begin('graph', 'k1');
    await fs.writeFile(path.join(pending.dir, 'a.txt'), 'alpha');

    expect(await store.read('graph', 'k1')).toBeNull();
    expect(await store.list()).toEqual([]);
    await store.discard(pending);
    expect(await tempEntries()).toEqual([]);
  });

  it('list returns the manifests of one stage or of all stages', async () => {
    await publishFiles('k1', { 'a.txt': 'a' }, 'graph');
    await publishFiles('k2', { 'b.txt': 'b' }, 'walks');

    expect((await store.list()).map((m) => `${m.stage}/${m.key}`)).toEqual(['graph/k1', 'walks/k2']);
    expect((await store.list('walks')).map((m) => m.key)).toEqual(['k2']);
  });

  it('remove deletes a published artifact and leaves no temp dir', async () => {
    await publishFiles('k1', { 'a.txt': 'alpha' });
    await store.remove('graph', 'k1');

    expect(await store.read('graph', 'k1')).toBeNull();
    await expect(fs.stat(store.artifactDir('graph', 'k1'))).rejects.toThrow(/ENOENT/);
    expect(await tempEntries()).toEqual([]);
  });

  it('open of a root that cannot be created throws ResourceError naming the path', async () => {
    const blocker = path.join(dir, 'a-file');
    await fs.writeFile(blocker, '');
    const root = path.join(blocker, 'store');

    const opened = FileArtifactStore.open(root);
    await expect(opened).rejects.toBeInstanceOf(ResourceError);
    await expect(opened).rejects.toThrow(root);
  });

  it('resolveStoreRoot uses DCSBM_STORE when set and .dcsbm/store otherwise', () => {
    const saved = process.env.DCSBM_STORE;
    try {
      delete process.env.DCSBM_STORE;
      expect(resolveStoreRoot('/proj')).toBe(path.resolve('/proj/.dcsbm/store'));
      process.env.DCSBM_STORE = '/shared/store';
      expect(resolveStoreRoot('/proj')).toBe('/shared/store');
    } finally {
      if (saved === undefined) delete process.env.DCSBM_STORE;
      else process.env.DCSBM_STORE = saved;
    }
  });
});

describe('verify', () => {
  it('a corrupted file (one flipped byte) is reported by verify with the file name', async () => {
    const manifest = await publishFiles('k1', { 'graph_edges.parquet': Buffer.alloc(4096, 1), 'ok.txt': 'fine' });
    const file = path.join(store.artifactDir('graph', 'k1'), 'graph_edges.parquet');
    const bytes = await fs.readFile(file);
    bytes[2000] ^= 0xff;
    await fs.writeFile(file, bytes);

    const result = await store.verify(manifest);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^graph_edges\.parquet: sha256 mismatch \(expected [0-9a-f]{12}\.\.\., found [0-9a-f]{12}\.\.\.\)$/),
    ]);
  });

  it('a truncated file is reported by verify with its expected and found size', async () => {
    const manifest = await publishFiles('k1', { 'walks.bin': Buffer.alloc(1000, 2) });
    await fs.truncate(path.join(store.artifactDir('graph', 'k1'), 'walks.bin'), 500);

    expect(await store.verify(manifest)).toEqual({
      ok: false,
      problems: ['walks.bin: size mismatch (expected 1000 bytes, found 500)'],
    });
  });

  it('a missing file is reported by verify', async () => {
    const manifest = await publishFiles('k1', { 'sub/gone.bin': 'x', 'kept.txt': 'y' });
    await fs.rm(path.join(store.artifactDir('graph', 'k1'), 'sub', 'gone.bin'));

    expect(await store.verify(manifest)).toEqual({ ok: false, problems: ['sub/gone.bin: missing'] });
  });
});

describe('withLock', () => {
  it('two node processes contending for one key never overlap and the second reports waiting', async () => {
    const log = path.join(dir, 'events.log');
    const script = path.join(dir, 'contender.mts');
    await fs.writeFile(log, '');
    await fs.writeFile(
      script,
      `
import { appendFileSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileArtifactStore } from ${JSON.stringify(IMPL_URL)};
const [root, id, log, mode] = process.argv.slice(2);
const note = (event: string) => appendFileSync(log, event + ' ' + id + ' ' + Date.now() + '\\n');
const store = await FileArtifactStore.open(root);
await store.withLock('graph', 'shared-key', async () => {
  note('enter');
  // The first holder stays inside until the other process has reported waiting (or 15 s pass).
  const deadline = Date.now() + 15_000;
  while (mode === 'hold' && !readFileSync(log, 'utf8').includes('wait ') && Date.now() < deadline) await sleep(20);
  await sleep(100);
  note('exit');
}, (holder) => note('wait'));
`,
    );

    const first = runScript(script, [store.root, 'A', log, 'hold']);
    await waitFor(async () => (await fs.readFile(log, 'utf8')).includes('enter A'));
    const second = runScript(script, [store.root, 'B', log, 'go']);
    expect(await Promise.all([first, second])).toEqual([0, 0]);

    const events = (await fs.readFile(log, 'utf8')).trim().split('\n').map((line) => line.split(' '));
    expect(events.map(([event, id]) => `${event} ${id}`)).toEqual(['enter A', 'wait B', 'exit A', 'enter B', 'exit B']);
    const time = (event: string, id: string) => Number(events.find(([e, i]) => e === event && i === id)?.[2]);
    expect(time('enter', 'B')).toBeGreaterThanOrEqual(time('exit', 'A'));
    await expect(fs.stat(store.lockPath('graph', 'shared-key'))).rejects.toThrow(/ENOENT/);
  });

  it('a stale lock whose pid is dead is stolen without waiting', async () => {
    const lock = store.lockPath('graph', 'k1');
    await fs.writeFile(lock, JSON.stringify({ host: os.hostname(), pid: deadPid(), startedAt: new Date().toISOString() }));
    const waits: string[] = [];

    const result = await store.withLock('graph', 'k1', async () => 'ran', (holder) => waits.push(holder));

    expect(result).toBe('ran');
    expect(waits).toEqual([]);
    await expect(fs.stat(lock)).rejects.toThrow(/ENOENT/);
  });

  it('a lock held by a live process makes the caller wait and describe the holder once', async () => {
    const lock = store.lockPath('graph', 'k1');
    await fs.writeFile(lock, JSON.stringify({ host: os.hostname(), pid: process.pid, startedAt: 'then' }));
    const waits: string[] = [];
    setTimeout(() => void fs.rm(lock), 700);

    const started = Date.now();
    await store.withLock('graph', 'k1', async () => undefined, (holder) => waits.push(holder));

    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(waits).toEqual([`pid ${process.pid} on ${os.hostname()} since then`]);
  });

  it('the lock is released when the critical section throws', async () => {
    await expect(store.withLock('graph', 'k1', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');

    await expect(fs.stat(store.lockPath('graph', 'k1'))).rejects.toThrow(/ENOENT/);
  });
});

describe('gcStore', () => {
  it('gc dry-run removes nothing, and gc then removes exactly what it reported', async () => {
    await publishFiles('old', { 'a.bin': Buffer.alloc(100) });
    await publishFiles('new', { 'b.bin': Buffer.alloc(50) });
    const keep = (m: { key: string }) => m.key !== 'old';

    const dryRun = await gcStore(store, keep, { dryRun: true });
    expect(dryRun.removed.map((e) => `${e.kind} ${e.key}`)).toEqual(['artifact old']);
    expect(dryRun.bytes).toBeGreaterThan(100);
    expect((await store.list()).map((m) => m.key)).toEqual(['new', 'old']);

    const real = await gcStore(store, keep, { dryRun: false });
    expect(real).toEqual({ ...dryRun, dryRun: false });
    expect((await store.list()).map((m) => m.key)).toEqual(['new']);
  });

  it('gc removes temp dirs of dead owners past the age limit and keeps live ones', async () => {
    const script = path.join(dir, 'abandon.mts');
    await fs.writeFile(
      script,
      `
import { writeFileSync } from 'node:fs';
import { FileArtifactStore } from ${JSON.stringify(IMPL_URL)};
const store = await FileArtifactStore.open(process.argv[2]);
const pending = await store.begin('graph', 'k1');
writeFileSync(pending.dir + '/partial.bin', 'x'.repeat(10));
`,
    );
    expect(await runScript(script, [store.root])).toBe(0);
    const live = await store.begin('graph', 'k2');
    const [abandoned] = (await tempEntries()).filter((name) => path.join(store.tmpRoot, name) !== live.dir);

    const young = await gcStore(store, () => true, { dryRun: false });
    expect(young.removed).toEqual([]);

    const old = await gcStore(store, () => true, { dryRun: false, now: Date.now() + 2 * 3_600_000 });
    expect(old.removed).toEqual([{ kind: 'temp', path: path.join(store.tmpRoot, abandoned), bytes: 10 }]);
    expect(await tempEntries()).toEqual([path.basename(live.dir)]);
  });
});
