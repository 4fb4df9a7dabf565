/**
 * Without a reachable server every client command fails fast (short connect timeout) with
 * one message that says how to start a server or run locally, and exits 1. Invalid input
 * is reported before any connection attempt and exits 2.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientCommand } from '../../src/client';
import { ResourceError } from '../../src/errors';
import { PROJECT_ROOT } from '../pipeline/helpers';

/** A port nothing listens on. */
const NO_SERVER = '127.0.0.1:1';

function client(args: string[]) {
  const started = performance.now();
  const result = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['src/client.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: NO_SERVER },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

describe('client without a server', () => {
  it('EXPECTED FAILURE - status fails within seconds, says how to start a server or run locally, exits 1', () => {
    const result = client(['status', 'some-experiment']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the Temporal server at 127\.0\.0\.1:1/);
    expect(result.stderr).toMatch(/docker compose up -d/);
    expect(result.stderr).toMatch(/temporal server start-dev/);
    expect(result.stderr).toMatch(/npm run experiment -- <config.json>/);
    expect(result.seconds).toBeLessThan(15);
  });

  it('EXPECTED FAILURE - submit with a valid config also fails with the message and exit 1', () => {
    const result = client(['submit', 'configs/tiny.json']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the Temporal server/);
  });

  it('EXPECTED FAILURE - submit with an invalid config exits 2 naming the file, before connecting', () => {
    const result = client(['submit', 'configs/does-not-exist.json']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/configs\/does-not-exist\.json: no such file/);
    expect(result.stderr).not.toMatch(/Temporal server/);
  });

  describe('every other command, in this process (ResourceError is exit 1), all at once', () => {
    beforeAll(() => void vi.stubEnv('TEMPORAL_ADDRESS', NO_SERVER));
    afterAll(() => void vi.unstubAllEnvs());
    const commands = [
      ['watch', 'x'],
      ['resume', 'x'],
      ['abort', 'x', '--reason', 'r'],
      ['list', '--status', 'failed'],
      ['replay', 'x'],
      ['reset', 'x', '--to-stage', 'walks'],
      ['history', 'x'],
      ['sweep', 'configs/sweeps/tiny-grid.json'],
      ['submit', '--sweep', 'configs/sweeps/tiny-grid.json', '--operator-wait', '1h'],
    ];
    it.concurrent.each(commands)('EXPECTED FAILURE - %s fails fast with the how-to-start message', async (...args) => {
      const started = performance.now();
      const failure = await clientCommand(args).then(() => null, (error: unknown) => error);
      expect(failure).toBeInstanceOf(ResourceError);
      expect((failure as Error).message).toMatch(/cannot reach the Temporal server at 127\.0\.0\.1:1[^]*docker compose up -d[^]*npm run experiment -- <config.json>/);
      expect((performance.now() - started) / 1000).toBeLessThan(15);
    });
  });

  it('BAD CALL - an unknown command exits 2 with the usage', () => {
    const result = client(['launch']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'launch'/);
  });
});
