/**
 * Argument handling of the Temporal client and worker: each command parses to its options;
 * misuse is a ConfigError naming the flag and the value (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseClientArgs } from '../../src/cli/temporal-client-args';
import { durationMs } from '../../src/ops/duration';
import { clientCommand, experimentInput, timeoutsOf } from '../../src/client';
import { temporalSettings } from '../../src/cli/temporal-connection';
import { WORKER_USAGE, parseWorkerArgs } from '../../src/cli/temporal-worker-args';
import { loadConfigFile } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import { workerCommand } from '../../src/worker';
import { PROJECT_ROOT } from '../pipeline/helpers';

describe('client arguments', () => {
  it('submit takes a config path, --wait, --watch, repeated --force and --until', () => {
    expect(parseClientArgs(['submit', 'configs/tiny.json', '--watch', '--force', 'graph', '--force', 'walks', '--until', 'walks'])).toEqual({
      name: 'submit', configPath: 'configs/tiny.json', wait: false, watch: true, force: ['graph', 'walks'], until: 'walks',
    });
  });

  it('sweep takes a sweep file (or a config with a sweep block); without --concurrency the parallel of the file applies', () => {
    expect(parseClientArgs(['sweep', 'configs/sweeps/s.json'])).toEqual({ name: 'sweep', sweepPath: 'configs/sweeps/s.json', wait: false });
    expect(parseClientArgs(['sweep', 's.json', '--concurrency', '3', '--wait'])).toEqual({ name: 'sweep', sweepPath: 's.json', concurrency: 3, wait: true });
  });

  it('status, watch, resume, abort, replay, reset and history take an experiment id', () => {
    expect(parseClientArgs(['status', 'x', '--json'])).toEqual({ name: 'status', id: 'x', json: true });
    expect(parseClientArgs(['watch', 'x', '--interval', '5'])).toEqual({ name: 'watch', id: 'x', intervalMs: 5000 });
    expect(parseClientArgs(['resume', 'x', '--stage', 'walks'])).toEqual({ name: 'resume', id: 'x', stage: 'walks' });
    expect(parseClientArgs(['abort', 'x', '--reason', 'wrong seed'])).toEqual({ name: 'abort', id: 'x', reason: 'wrong seed' });
    expect(parseClientArgs(['replay', 'x', '--wait'])).toEqual({ name: 'replay', id: 'x', wait: true, watch: false });
    expect(parseClientArgs(['reset', 'x', '--to-stage', 'graph'])).toEqual({ name: 'reset', id: 'x', toStage: 'graph' });
    expect(parseClientArgs(['history', 'x'])).toEqual({ name: 'history', id: 'x' });
  });

  it('list filters by a known status (gate_failed included) and limits the count', () => {
    expect(parseClientArgs(['list', '--status', 'failed', '--limit', '5'])).toEqual({ name: 'list', status: 'failed', limit: 5 });
    expect(parseClientArgs(['list', '--status', 'gate_failed'])).toEqual({ name: 'list', status: 'gate_failed', limit: 50 });
    expect(parseClientArgs(['list'])).toEqual({ name: 'list', limit: 50 });
  });

  it('submit --sweep <file> (npm run submit -- --sweep sweep.json) is the sweep command, with its flags', () => {
    expect(parseClientArgs(['submit', '--sweep', 's.json', '--concurrency', '2'])).toEqual({ name: 'sweep', sweepPath: 's.json', concurrency: 2, wait: false });
    expect(parseClientArgs(['submit', '--wait', '--sweep=s.json'])).toEqual({ name: 'sweep', sweepPath: 's.json', wait: true });
    expect(() => parseClientArgs(['submit', '--sweep'])).toThrow(/--sweep: expects the sweep file after it/);
    expect(() => parseClientArgs(['submit', '--sweep', 's.json', '--force', 'graph'])).toThrow(ConfigError);
  });

  it('--operator-wait sets how long a failed stage waits for an operator (submit, sweep, replay), and reaches the workflow input', () => {
    expect(parseClientArgs(['submit', 'c.json', '--operator-wait', '30m'])).toMatchObject({ name: 'submit', operatorWait: '30m' });
    expect(parseClientArgs(['sweep', 's.json', '--operator-wait', '2d'])).toMatchObject({ name: 'sweep', operatorWait: '2d' });
    expect(parseClientArgs(['replay', 'x', '--operator-wait', '90s'])).toMatchObject({ name: 'replay', operatorWait: '90s' });
    expect(parseClientArgs(['submit', 'c.json'])).not.toHaveProperty('operatorWait');
    const { config } = loadConfigFile(join(PROJECT_ROOT, 'configs', 'tiny.json'));
    expect(experimentInput(config, [], undefined, timeoutsOf({ operatorWait: '30m' })).timeouts).toEqual({ operatorWait: '30m' });
    expect(experimentInput(config)).not.toHaveProperty('timeouts');
  });

  it('BAD CALL - an --operator-wait that is not a number and a unit, or under a second, names the flag and value', () => {
    expect(() => parseClientArgs(['submit', 'c.json', '--operator-wait', '30'])).toThrow(/--operator-wait: '30' — must be a number and a unit \(ms, s, m, h, d\)/);
    expect(() => parseClientArgs(['submit', 'c.json', '--operator-wait', '1 week'])).toThrow(/--operator-wait: '1 week'/);
    expect(() => parseClientArgs(['sweep', 's.json', '--operator-wait', '500ms'])).toThrow(/--operator-wait: '500ms' — must be at least 1s/);
  });

  it('durations: the units Temporal takes', () => {
    expect(durationMs('30m')).toBe(1_800_000);
    expect(durationMs('1.5h')).toBe(5_400_000);
    expect(durationMs('7d')).toBe(604_800_000);
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs('m30')).toBeNull();
  });

  it('--help prints the usage with the npm command and exits 0 without connecting', async () => {
    let written = '';
    const code = await clientCommand(['--help'], { write: (chunk: string) => ((written += chunk), true) } as unknown as NodeJS.WritableStream);
    expect(code).toBe(0);
    expect(written).toMatch(/^usage: npm run temporal -- <command> \.\.\.\n  submit <config\.json>/);
    // `npm run submit -- --help` reaches the client as `submit --help`.
    written = '';
    expect(await clientCommand(['submit', '--help'], { write: (chunk: string) => ((written += chunk), true) } as unknown as NodeJS.WritableStream)).toBe(0);
    expect(written).toMatch(/--operator-wait <duration>/);
  });

  it('BAD CALL - an unknown command lists the usage', () => {
    expect(() => parseClientArgs(['launch'])).toThrow(ConfigError);
    expect(() => parseClientArgs(['launch'])).toThrow(/unknown command 'launch'\nusage:/);
  });

  it('BAD CALL - a missing or extra positional argument names what was expected', () => {
    expect(() => parseClientArgs(['status'])).toThrow(/expected exactly one experiment id, got none/);
    expect(() => parseClientArgs(['submit', 'a.json', 'b.json'])).toThrow(/expected exactly one config file, got a.json b.json/);
  });

  it('BAD CALL - an unknown stage, status or count names the flag and value', () => {
    expect(() => parseClientArgs(['reset', 'x', '--to-stage', 'training'])).toThrow(/--to-stage: 'training' — must be one of the available stages/);
    expect(() => parseClientArgs(['list', '--status', 'done'])).toThrow(/--status: 'done' — must be one of running, waiting-for-operator/);
    expect(() => parseClientArgs(['sweep', 'a.json', '--concurrency', '0'])).toThrow(/--concurrency: '0' — must be a positive integer/);
    expect(() => parseClientArgs(['reset', 'x'])).toThrow(/reset: --to-stage is required/);
  });
});

describe('worker arguments', () => {
  it('defaults to the CPU queue, no explicit concurrency and a 30 s shutdown grace', () => {
    expect(parseWorkerArgs([])).toEqual({ queues: ['cpu'], concurrency: undefined, shutdownGraceSeconds: 30 });
  });

  it('accepts several queues and a concurrency', () => {
    expect(parseWorkerArgs(['--queues', 'cpu,gpu', '--concurrency', '3', '--shutdown-grace', '0'])).toEqual({ queues: ['cpu', 'gpu'], concurrency: 3, shutdownGraceSeconds: 0 });
  });

  it('--help prints the usage and exits 0 before any check or connection', async () => {
    const printed: string[] = [];
    expect(await workerCommand(['--help'], (line) => printed.push(line))).toBe(0);
    expect(printed).toEqual([WORKER_USAGE]);
  });

  it('BAD CALL - an unknown queue or a bad concurrency names the flag and value', () => {
    expect(() => parseWorkerArgs(['--queues', 'cpu,tpu'])).toThrow(/--queues: 'cpu,tpu' — expected a comma-separated list of cpu, gpu/);
    expect(() => parseWorkerArgs(['--concurrency', 'two'])).toThrow(/--concurrency: 'two' — must be an integer >= 1/);
    expect(() => parseWorkerArgs(['--verbose'])).toThrow(ConfigError);
  });
});

describe('connection settings', () => {
  it('default to a local server and the default namespace, without TLS', () => {
    expect(temporalSettings({})).toEqual({ address: 'localhost:7233', namespace: 'default', tls: undefined });
  });

  it('read the address, namespace and TLS switch from the environment', () => {
    expect(temporalSettings({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'lab', TEMPORAL_TLS: '1' })).toEqual({ address: 'temporal:7233', namespace: 'lab', tls: {} });
  });

  it('BAD CALL - a certificate without its key, or an unreadable file, names the variable', () => {
    expect(() => temporalSettings({ TEMPORAL_TLS_CERT: '/tmp/c.pem' })).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together/);
    expect(() => temporalSettings({ TEMPORAL_TLS_CA: '/nonexistent/ca.pem' })).toThrow(/TEMPORAL_TLS_CA: \/nonexistent\/ca.pem cannot be read \(ENOENT\)/);
  });
});
