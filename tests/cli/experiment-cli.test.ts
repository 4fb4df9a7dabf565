/**
 * The experiment and plan CLIs as a user runs them: child processes with their own store and
 * results folders, exit codes, SIGKILL and SIGINT mid-stage, and two identical runs at once.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
// An absolute loader URL: the children run in temporary folders with no node_modules.
const TSX = ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href];

interface Env {
  dir: string;
  env: NodeJS.ProcessEnv;
}

function freshEnv(): Env {
  const dir = mkdtempSync(join(tmpdir(), 'dcsbm-cli-'));
  return { dir, env: { ...process.env, DCSBM_STORE: join(dir, 'store'), DCSBM_RESULTS: join(dir, 'results'), FORCE_COLOR: '0' } };
}

function runCli(script: 'experiment' | 'plan', args: string[], { env, dir }: Env) {
  const result = spawnSync(process.execPath, [...TSX, join(ROOT, `src/cli/${script}.ts`), ...args], { cwd: dir, env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function startCli(args: string[], { env, dir }: Env): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [...TSX, join(ROOT, 'src/cli/experiment.ts'), ...args], { cwd: dir, env });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return Object.assign(child, { output: () => output });
}

function waitFor(child: ChildProcess & { output: () => string }, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${child.output()}`)), timeoutMs);
    const check = () => {
      if (pattern.test(child.output())) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout!.on('data', check);
    check();
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? -1 : null))));
}

/** A config big enough that the walks stage takes a few seconds. */
function slowConfig(dir: string): string {
  const path = join(dir, 'slow.json');
  writeFileSync(
    path,
    JSON.stringify({
      graph: { n: 200, K: 4, p_in: 0.3, p_out: 0.03, n_jumpers_per_block: 2 },
      training: { w: 32, walk_length: 128, corpus_size: 150000, r: 20 },
      model: { d_model: 32, n_layers: 1 },
    }),
  );
  return path;
}

const tiny = join(ROOT, 'configs/tiny.json');

describe('experiment CLI', () => {
  it('exits 2 with one line naming the file for a missing config, and writes nothing', () => {
    const env = freshEnv();
    const out = runCli('experiment', [join(env.dir, 'missing.json')], env);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/missing\.json: no such file/);
    expect(readdirSync(env.dir)).not.toContain('results');
  });

  it('exits 2 listing every invalid field', () => {
    const env = freshEnv();
    const bad = join(env.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ graph: { n: 50, K: 3, p_in: 2 }, trainng: {} }));
    const out = runCli('experiment', [bad], env);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/graph\.p_in: 2 — /);
    expect(out.stderr).toMatch(/trainng: unknown key/);
  });

  it('prints its options and the exit codes for --help and exits 0', () => {
    const out = runCli('experiment', ['--help'], freshEnv());
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/--until <stage>\s+stop after this stage \(one of: graph, walks, train, evaluate, analyse, figures\)/);
    expect(out.stdout).toMatch(/Exit codes: 0 success, 1 run failed, 2 invalid input, 130 interrupted\./);
  });

  it('exits 2 for an unknown stage in --force', () => {
    const env = freshEnv();
    const out = runCli('experiment', [tiny, '--force', 'grph'], env);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--force: 'grph' — must be one of the available stages: graph, walks, train, evaluate, analyse, figures/);
  });

  it('runs, then resumes with every stage a cache hit; plan explains both', () => {
    const env = freshEnv();
    const first = runCli('experiment', [tiny], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/=== graph === computing/);
    expect(first.stdout).toMatch(/SUCCEEDED/);
    const second = runCli('experiment', [tiny], env);
    expect(second.stdout).toMatch(/=== graph === cache hit/);
    expect(second.stdout).toMatch(/=== walks === cache hit/);
    expect(second.stdout).toMatch(/=== train === cache hit/);
    expect(second.stdout).toMatch(/=== evaluate === cache hit/);
    expect(second.stdout).toMatch(/=== analyse === cache hit/);
    expect(second.stdout).toMatch(/=== figures === cache hit/);
    expect(second.stdout).toMatch(/stages: 0 computed, 6 reused/);
    expect(second.stdout).toMatch(/gate: +(PASSED|NOT PASSED) at step \d+: edge \d\.\d{3}, rule \d\.\d{3} \(r <= w: (\d\.\d{3}|n\/a), r > w: (\d\.\d{3}|n\/a)\)/);
    const plan = runCli('plan', [tiny], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/graph\s+hit\s+key [0-9a-f]{12}/);
    const dry = runCli('experiment', [tiny, '--dry-run', '--force', 'walks'], env);
    expect(dry.stdout).toMatch(/walks\s+miss.*\n.*because forced/);
    expect(dry.stdout).toMatch(/\[dry-run\] nothing was computed/);
  });

  it('resumes after the process is killed with SIGKILL mid-stage, reusing what was published', async () => {
    const env = freshEnv();
    const config = slowConfig(env.dir);
    const child = startCli([config, '--until', 'walks'], env);
    await waitFor(child, /=== walks === computing/);
    child.kill('SIGKILL');
    await exitOf(child);
    const rerun = runCli('experiment', [config, '--until', 'walks'], env);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/=== graph === cache hit/);
    expect(rerun.stdout).toMatch(/=== walks === computing/);
    expect(rerun.stdout).toMatch(/SUCCEEDED/);
  });

  it('resumes training from its last checkpoint after the process is killed with SIGKILL during training', async () => {
    const env = freshEnv();
    const config = join(env.dir, 'long-training.json');
    const tinyRaw = JSON.parse(readFileSync(tiny, 'utf8'));
    tinyRaw.training = { ...tinyRaw.training, max_steps: 4000, eval_interval: 4000, checkpoint_interval: 100, early_stop: false };
    tinyRaw.runtime = { threads: 2 };
    writeFileSync(config, JSON.stringify(tinyRaw));
    const child = startCli([config, '--verbose'], env);
    await waitFor(child, /\[train\] checkpoint saved at step (\d+)/);
    child.kill('SIGKILL');
    await exitOf(child);
    const saved = Math.max(...[...child.output().matchAll(/checkpoint saved at step (\d+)/g)].map((m) => Number(m[1])));
    const rerun = runCli('experiment', [config, '--verbose'], env);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/=== walks === cache hit/);
    const resumedAt = Number(/resuming at step (\d+)/.exec(rerun.stdout)?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(saved);
    expect(resumedAt % 100).toBe(0);
    expect(rerun.stdout).toMatch(/SUCCEEDED/);
    // The resumed model is the model of an uninterrupted run, bit for bit (CPU, same threads).
    const uninterrupted = freshEnv();
    expect(runCli('experiment', [config], uninterrupted).code).toBe(0);
    const digest = (e: Env) => {
      const dir = join(e.dir, 'results', readdirSync(join(e.dir, 'results')).find((name) => name.startsWith('n50'))!);
      return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).stages[2].digest as string;
    };
    expect(digest(env)).toBe(digest(uninterrupted));
    // Three runs of the pipeline with 4,000 training steps: ~30 s on an idle 2-core machine,
    // twice that when other work shares it.
  }, 180_000);

  it('stops cleanly on SIGINT with exit code 130 and status interrupted, also when the SIGINT arrives twice at once (Ctrl-C under npm)', async () => {
    const env = freshEnv();
    const config = slowConfig(env.dir);
    const child = startCli([config, '--until', 'walks'], env);
    await waitFor(child, /=== walks === computing/);
    // A terminal sends Ctrl-C to the whole process group and npm forwards it again, a few
    // milliseconds later (two kills at once would merge into one pending signal).
    child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(130);
    expect(child.output()).toMatch(/INTERRUPTED/);
    expect(child.output()).not.toMatch(/exiting immediately/);
    // The results folder also holds the run ledger (ledger.csv); pick the experiment's folder.
    const resultDir = join(env.dir, 'results', readdirSync(join(env.dir, 'results')).find((name) => !name.startsWith('ledger.csv'))!);
    const result = JSON.parse(readFileSync(join(resultDir, 'result.json'), 'utf8'));
    expect(result.status).toBe('interrupted');
    expect(result.stages.map((s: { status: string }) => s.status)).toEqual(['computed', 'interrupted']);
  });

  it('computes each stage once when two identical runs start together', async () => {
    const env = freshEnv();
    const config = slowConfig(env.dir);
    const [a, b] = [startCli([config, '--until', 'walks'], env), startCli([config, '--until', 'walks'], env)];
    const codes = await Promise.all([exitOf(a), exitOf(b)]);
    expect(codes).toEqual([0, 0]);
    const outputs = a.output() + b.output();
    // Each stage is computed by exactly one of the two runs; the other reuses it.
    expect(outputs.match(/\.\.\. walks computed/g)).toHaveLength(1);
    expect(outputs.match(/\.\.\. graph computed/g)).toHaveLength(1);
    expect(readdirSync(join(env.dir, 'store', 'walks')).filter((name) => !name.startsWith('.'))).toHaveLength(1);
  });
});
