import { afterEach, describe, expect, test, vi } from 'vitest';
import { etaSeconds, formatDuration, PlainProgressSink } from '../../src/pipeline/progress';

describe('etaSeconds', () => {
  test('a quarter done after 10 s leaves 30 s at the same rate', () => {
    expect(etaSeconds(0.25, 10)).toBeCloseTo(30, 12);
  });

  test('a stage resumed at 50% measures its rate from its first report, not from zero', () => {
    // First report at 50% after 2 s of loading; 60% at 12 s: 10% per 10 s, 40% left.
    expect(etaSeconds(0.6, 12, { fraction: 0.5, seconds: 2 })).toBeCloseTo(40, 12);
    // From zero it would claim 12 s x 0.4 / 0.6 = 8 s.
    expect(etaSeconds(0.6, 12)).toBeCloseTo(8, 12);
  });

  test('no estimate before any movement or once done', () => {
    expect(etaSeconds(0.0005, 3)).toBeNull();
    expect(etaSeconds(0.5, 3, { fraction: 0.5, seconds: 1 })).toBeNull();
    expect(etaSeconds(1, 3)).toBeNull();
  });
});

describe('PlainProgressSink', () => {
  afterEach(() => vi.restoreAllMocks());

  test('the ETA of a resumed stage follows this run\'s rate', () => {
    const clock = vi.spyOn(performance, 'now');
    const lines: string[] = [];
    const sink = new PlainProgressSink({ write: (text: string) => lines.push(text) }, false, 0);
    clock.mockReturnValue(0);
    sink.stageStarted('train', 'miss', []);
    clock.mockReturnValue(2_000);
    sink.progress('train', 0.5);
    clock.mockReturnValue(12_000);
    sink.progress('train', 0.6);
    expect(lines.at(-1)).toBe(`    train  60.0%  elapsed 12.0s  ETA ${formatDuration(40)}\n`);
  });
});
