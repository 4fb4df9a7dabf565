import { describe, expect, test } from 'vitest';
import type { ProgressSink } from '../../src/pipeline/progress';
import { StageProgressRecorder, teeProgress } from '../../src/pipeline/stage-progress';

describe('StageProgressRecorder', () => {
  test('records at most one entry per interval, always the last report, with this run\'s ETA', () => {
    let clock = 0;
    const recorder = new StageProgressRecorder(2000, () => clock);
    clock = 1000;
    // The first report (a stage resumed at 50%) is the ETA's origin.
    expect(recorder.report(0.5, { step: 500 })).toMatchObject({ fraction: 0.5, eta_seconds: null, details: { step: 500 } });
    clock = 2000;
    expect(recorder.report(0.55)).toBeNull();
    clock = 11_000;
    // 10% in 10 s, 40% left: 40 s.
    const entry = recorder.report(0.6, { step: 600 });
    expect(entry).toMatchObject({ fraction: 0.6, details: { step: 600 } });
    expect(entry!.eta_seconds).toBeCloseTo(40, 9);
    clock = 11_500;
    expect(recorder.report(1)).toMatchObject({ fraction: 1, eta_seconds: null });
  });

  test('a retry that starts over measures its rate from its own first report', () => {
    let clock = 0;
    const recorder = new StageProgressRecorder(0, () => clock);
    recorder.report(0.4);
    clock = 10_000;
    recorder.report(0.1);
    clock = 20_000;
    // 0.1 -> 0.2 in 10 s: 80 s for the remaining 0.8.
    expect(recorder.report(0.2)!.eta_seconds).toBeCloseTo(80, 9);
  });
});

test('teeProgress passes every call through and progress to the listener too', () => {
  const calls: string[] = [];
  const sink: ProgressSink = {
    stageStarted: (stage, decision) => calls.push(`started ${stage} ${decision}`),
    progress: (stage, fraction) => calls.push(`progress ${stage} ${fraction}`),
    stageFinished: (stage, outcome) => calls.push(`finished ${stage} ${outcome}`),
    line: (text) => calls.push(`line ${text}`),
    debug: (text) => calls.push(`debug ${text}`),
  };
  const tee = teeProgress(sink, (fraction, details) => calls.push(`listener ${fraction} ${JSON.stringify(details)}`));
  tee.stageStarted('walks', 'miss', []);
  tee.progress('walks', 0.25, { walk: 3 });
  tee.line('a');
  tee.debug('b');
  tee.stageFinished('walks', 'computed', 1);
  expect(calls).toEqual(['started walks miss', 'progress walks 0.25', 'listener 0.25 {"walk":3}', 'line a', 'debug b', 'finished walks computed']);
});
