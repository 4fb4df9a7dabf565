/**
 * The `stageProgress` signals of a running stage: the throttle schedule and its history
 * budget, the trailing send of the latest report, bounded payloads, best-effort delivery,
 * and the runStage activity sending them under MockActivityEnvironment with an injected
 * sender.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { RunStageInput, RunStageResult, StageHeartbeat, StageProgressUpdate } from '../../src/activities/contract';
import { compactHeartbeat, ProgressSignaller, SignalSchedule, type SignalTarget } from '../../src/activities/progress-signal';
import { experimentId } from '../../src/config/hash';
import { activityWorkspace, tinyConfig } from './helpers';

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const beat = (fraction: number, details: StageHeartbeat['details'] = {}): StageHeartbeat => ({ stage: 'train', fraction, details, at: new Date().toISOString() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signals a stage reporting every `reportMs` for `durationMs` would send under the schedule. */
function simulate(schedule: SignalSchedule, durationMs: number, reportMs: number): number[] {
  const sent: number[] = [];
  for (let now = 0; now <= durationMs; now += reportMs) {
    if (now >= schedule.nextAt()) {
      schedule.sent(now);
      sent.push(now);
    }
  }
  return sent;
}

describe('SignalSchedule', () => {
  it('sends the first report at once, then no two signals closer than the minimum interval', () => {
    const sent = simulate(new SignalSchedule(30_000, 40), 10 * 60_000, 1000);
    expect(sent[0]).toBe(0);
    expect(Math.min(...sent.slice(1).map((t, i) => t - sent[i]))).toBeGreaterThanOrEqual(30_000);
  });

  it('keeps the documented history budget: about 85 signals in an hour, under 250 in 48 hours, at any report rate', () => {
    expect(simulate(new SignalSchedule(), 3600_000, 1000).length).toBeLessThanOrEqual(90);
    const twoDays = simulate(new SignalSchedule(), 48 * 3600_000, 1000);
    expect(twoDays.length).toBeLessThan(250);
    expect(twoDays.length).toBeGreaterThan(150);
    // Reporting ten times more often sends no more signals.
    expect(simulate(new SignalSchedule(), 3600_000, 100).length).toBeLessThanOrEqual(90);
  });

  it('BAD CALL - a negative interval or a non-positive divisor is a RangeError naming it', () => {
    expect(() => new SignalSchedule(-1)).toThrow(/minIntervalMs: -1 — must be >= 0/);
    expect(() => new SignalSchedule(1000, 0)).toThrow(/ageDivisor: 0 — must be > 0/);
  });
});

describe('ProgressSignaller', () => {
  const target: SignalTarget = { workflowId: 'exp', runId: 'run-1' };

  it('sends the first report, holds later ones until the gap has passed, then sends only the latest', async () => {
    const sent: StageProgressUpdate[] = [];
    const signaller = new ProgressSignaller({ target, activityId: 'train.1', attempt: 2, send: async (_, update) => void sent.push(update), warn: () => undefined, minIntervalMs: 150 });
    signaller.offer(beat(0.1, { step: 1 }));
    signaller.offer(beat(0.2, { step: 2 }));
    signaller.offer(beat(0.3, { step: 3 }));
    expect(sent.map((u) => u.heartbeat.details.step)).toEqual([1]);
    await sleep(300);
    expect(sent.map((u) => u.heartbeat.details.step)).toEqual([1, 3]);
    expect(sent[1]).toMatchObject({ activityId: 'train.1', attempt: 2, heartbeat: { stage: 'train', fraction: 0.3 } });
    signaller.stop();
  });

  it('stop() drops a pending report', async () => {
    const sent: StageProgressUpdate[] = [];
    const signaller = new ProgressSignaller({ target, activityId: 'train.1', attempt: 1, send: async (_, update) => void sent.push(update), warn: () => undefined, minIntervalMs: 100 });
    signaller.offer(beat(0.1));
    signaller.offer(beat(0.2));
    signaller.stop();
    await sleep(200);
    expect(sent).toHaveLength(1);
  });

  it('EXPECTED FAILURE - a failing sender is reported once and never throws into the stage', async () => {
    const warnings: string[] = [];
    const signaller = new ProgressSignaller({
      target,
      activityId: 'train.1',
      attempt: 1,
      send: (): Promise<void> => {
        throw new Error('no client');
      },
      warn: (message) => warnings.push(message),
      minIntervalMs: 0,
    });
    expect(() => {
      signaller.offer(beat(0.1));
      signaller.offer(beat(0.2));
    }).not.toThrow();
    await sleep(10);
    expect(signaller.sent).toBe(2);
    expect(warnings).toEqual(['progress signal to workflow exp failed (no client); the stage continues']);
  });

  it('bounds the details a signal carries (entries, key and string lengths, finite numbers)', () => {
    const details = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(compactHeartbeat(beat(0.5, details)).details)).toHaveLength(16);
    const long = compactHeartbeat(beat(0.5, { ['x'.repeat(100)]: 'y'.repeat(500), loss: Number.NaN, step: 7 })).details;
    expect(long).toEqual({ ['x'.repeat(40)]: 'y'.repeat(80), step: 7 });
  });
});

describe('runStage sends throttled progress signals to its workflow', () => {
  const config = tinyConfig();
  const input = (stage: 'graph' | 'walks', upstream: RunStageInput['upstream'] = []): RunStageInput => ({ stage, config, experimentId: experimentId(config), upstream, forced: false });

  async function run(minIntervalMs: number) {
    const signals: { target: SignalTarget; update: StageProgressUpdate }[] = [];
    const ws = await activityWorkspace({ progressSignal: { minIntervalMs, send: async (target, update) => void signals.push({ target, update }) } });
    const heartbeats: StageHeartbeat[] = [];
    const graph: RunStageResult = await new MockActivityEnvironment({}, { logger: quietLogger }).run(ws.activities.runStage, input('graph'));
    const env = new MockActivityEnvironment({ activityId: 'walks.1', attempt: 2, workflowExecution: { workflowId: 'exp-1', runId: 'run-1' } }, { logger: quietLogger });
    env.on('heartbeat', (details: StageHeartbeat) => heartbeats.push(details));
    signals.length = 0;
    await env.run(ws.activities.runStage, input('walks', [{ stage: 'graph', key: graph.key, digest: graph.digest }]));
    return { signals, heartbeats };
  }

  it('with the default-sized gap, a stage of a few seconds signals once (its first report) while it heartbeats many times', async () => {
    const { signals, heartbeats } = await run(60_000);
    expect(heartbeats.length).toBeGreaterThan(2);
    expect(signals).toHaveLength(1);
    expect(signals[0].target).toEqual({ workflowId: 'exp-1', runId: 'run-1' });
    expect(signals[0].update).toMatchObject({ activityId: 'walks.1', attempt: 2, heartbeat: { stage: 'walks' } });
  });

  it('with no gap, every progress report is signalled with the heartbeat details', async () => {
    const { signals } = await run(0);
    expect(signals.length).toBeGreaterThan(1);
    expect(signals.every(({ update }) => update.activityId === 'walks.1' && update.heartbeat.stage === 'walks')).toBe(true);
    expect(signals.some(({ update }) => update.heartbeat.fraction > 0 && Object.keys(update.heartbeat.details).length > 0)).toBe(true);
  });
});
