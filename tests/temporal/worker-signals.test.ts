/**
 * The worker's shutdown under `npm run`: one Ctrl-C reaches the process twice. Temporal's
 * Runtime handles the first SIGINT and stops listening; without the worker's guard the second
 * kills the process before the grace time (checked here too, so the test fails if either the
 * guard or that Runtime behaviour changes). No server needed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../pipeline/helpers';

function run(mode: 'bare' | 'guarded') {
  const loader = pathToFileURL(join(PROJECT_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const script = join(PROJECT_ROOT, 'tests/temporal/fixtures/runtime-signals.ts');
  return spawnSync(process.execPath, ['--import', loader, script, mode], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 30_000 });
}

describe('worker shutdown signals', () => {
  it('without the guard, the second copy of one Ctrl-C kills the process (Temporal\'s Runtime has stopped listening)', () => {
    const child = run('bare');
    expect(child.signal).toBe('SIGINT');
    expect(child.stdout).not.toContain('alive');
  });

  it('with the guard, one Ctrl-C delivered twice starts the graceful shutdown and the process lives on', () => {
    const child = run('guarded');
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toContain('SIGINT received: polling stops; running stages get 30s, then are cancelled');
    expect(child.stdout).toContain('alive');
    expect(child.stdout).not.toContain('exiting immediately');
  });
});
