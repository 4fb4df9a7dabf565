import { describe, expect, test } from 'vitest';
import { Cancelled, InputError } from '../../src/errors';
import type { Jumper } from '../../src/graph/graph';
import { generateCorpus } from '../../src/walks/corpus';
import { generateCorpusParallel, splitRange } from '../../src/walks/parallel';
import { setup, TINY } from '../graph/fixtures';

const options = { seed: 42, split: 'train', nWalks: 5000, walkLength: 16 } as const;

function bytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe('generateCorpusParallel', () => {
  const s = setup(TINY, 8);
  const serial = generateCorpus(s.graph, s.jumpers, s.tables, options);

  test('worker-thread generation equals serial generation byte for byte, with progress up to 1', async () => {
    const fractions: number[] = [];
    const parallel = await generateCorpusParallel(s.graph, s.jumpers, s.tables, {
      ...options,
      threads: 3,
      onProgress: (f) => fractions.push(f),
    });
    expect(bytes(parallel.walks).equals(bytes(serial.walks))).toBe(true);
    expect(bytes(parallel.events.arrivalStep).equals(bytes(serial.events.arrivalStep))).toBe(true);
    expect(bytes(parallel.events.walk).equals(bytes(serial.events.walk))).toBe(true);
    expect(parallel.stats).toEqual(serial.stats);
    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
  });

  test('a sub-range in two threads equals the same range generated serially', async () => {
    const range: [number, number] = [1000, 3100];
    const parallel = await generateCorpusParallel(s.graph, s.jumpers, s.tables, { ...options, range, threads: 2 });
    const expected = generateCorpus(s.graph, s.jumpers, s.tables, { ...options, range });
    expect(bytes(parallel.walks).equals(bytes(expected.walks))).toBe(true);
    expect(parallel.range).toEqual(range);
  });

  test('EXPECTED FAILURE - aborting terminates the workers and rejects with Cancelled', async () => {
    const controller = new AbortController();
    const run = generateCorpusParallel(s.graph, s.jumpers, s.tables, { ...options, nWalks: 2_000_000, threads: 2, signal: controller.signal });
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(Cancelled);
    await expect(generateCorpusParallel(s.graph, s.jumpers, s.tables, { ...options, threads: 1, signal: AbortSignal.abort() })).rejects.toThrow(
      /aborted/,
    );
  });

  test('EXPECTED FAILURE - an InputError inside a worker arrives as an InputError', async () => {
    const twice: Jumper[] = [s.jumpers[0], s.jumpers[0]];
    const run = generateCorpusParallel(s.graph, twice, s.tables, { ...options, threads: 1 });
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/designated as a jumper twice/);
  });

  test('BAD CALL - a thread count below 1 or a range outside the corpus rejects with RangeError', async () => {
    await expect(generateCorpusParallel(s.graph, s.jumpers, s.tables, { ...options, threads: 0 })).rejects.toThrow(RangeError);
    await expect(generateCorpusParallel(s.graph, s.jumpers, s.tables, { ...options, threads: 2, range: [10, 5] })).rejects.toThrow(
      /range \[10, 5\) is not inside/,
    );
  });
});

describe('splitRange', () => {
  test('splits into contiguous near-equal parts and never more parts than walks', () => {
    expect(splitRange(0, 10, 3)).toEqual([[0, 3], [3, 6], [6, 10]]);
    expect(splitRange(5, 7, 4)).toEqual([[5, 6], [6, 7]]);
    expect(splitRange(0, 0, 2)).toEqual([[0, 0]]);
  });
});
