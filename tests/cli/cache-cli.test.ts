/**
 * `npm run cache`: listing, verification (exit 1 on a corrupt artifact) and garbage collection.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const TSX = ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href];

function cli(script: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const out = spawnSync(process.execPath, [...TSX, join(ROOT, `src/cli/${script}.ts`), ...args], { cwd, env, encoding: 'utf8' });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('cache CLI', () => {
  it('lists artifacts, verifies them, reports a corrupted file with exit 1, and collects garbage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcsbm-cache-cli-'));
    const env = { ...process.env, DCSBM_STORE: join(dir, 'store'), DCSBM_RESULTS: join(dir, 'results') };
    expect(cli('experiment', [join(ROOT, 'configs/tiny.json')], env, dir).code).toBe(0);

    const ls = cli('cache', ['ls'], env, dir);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/graph/);
    expect(ls.stdout).toMatch(/walks/);

    expect(cli('cache', ['verify'], env, dir).code).toBe(0);
    const walksDir = join(dir, 'store', 'walks', readdirSync(join(dir, 'store', 'walks'))[0]);
    const file = join(walksDir, 'walk_events_train.parquet');
    const bytes = readFileSync(file);
    bytes[10] ^= 0x55;
    writeFileSync(file, bytes);
    const verify = cli('cache', ['verify'], env, dir);
    expect(verify.code).toBe(1);
    expect(verify.stdout + verify.stderr).toMatch(/walk_events_train\.parquet: sha256 mismatch/);

    const dry = cli('cache', ['gc', '--dry-run', '--older-than', '0s'], env, dir);
    expect(dry.code).toBe(0);
    expect(readdirSync(join(dir, 'store', 'walks'))).toHaveLength(1);
    expect(cli('cache', ['gc', '--older-than', '0s'], env, dir).code).toBe(0);
    expect(readdirSync(join(dir, 'store', 'walks'))).toHaveLength(0);
  });

  it('exits 2 with one line for an unknown subcommand', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcsbm-cache-cli-'));
    const out = cli('cache', ['frobnicate'], { ...process.env, DCSBM_STORE: join(dir, 'store') }, dir);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});
