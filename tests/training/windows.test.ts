import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors';
import { Rng } from '../../src/random/rng';
import { epochOrder, fillBatch, stepsPerEpoch, windowSet } from '../../src/training/windows';

// Two walks of 11 tokens, token = 100 * walk + position; w = 4 gives 2 windows per walk.
const walks = { values: Int32Array.from({ length: 22 }, (_, i) => 100 * Math.floor(i / 11) + (i % 11)), rows: 2, width: 11 };

describe('windowSet', () => {
  test('cuts floor(L / (w + 1)) non-overlapping windows per walk', () => {
    expect(windowSet(walks, 4)).toMatchObject({ w: 4, perWalk: 2, count: 4 });
    expect(windowSet(walks, 10)).toMatchObject({ perWalk: 1, count: 2 });
  });

  test('EXPECTED FAILURE - walks shorter than w + 1 leave no window', () => {
    expect(() => windowSet(walks, 11)).toThrow(InputError);
    expect(() => windowSet(walks, 11)).toThrow(/no training windows: 2 walks of length 11 hold no window of w \+ 1 = 12 tokens/);
  });
});

describe('fillBatch', () => {
  const windows = windowSet(walks, 4);
  const order = Int32Array.from([3, 0, 1, 2]);

  test('input is the first w tokens of a window and target the last w, windows starting at 0 and w + 1', () => {
    const inputs = new Int32Array(3 * 4);
    const targets = new Int32Array(3 * 4);
    fillBatch(windows, order, 0, inputs, targets);
    // windows 3 (walk 1, tokens 5..9), 0 (walk 0, tokens 0..4), 1 (walk 0, tokens 5..9); token 10 is never used
    expect([...inputs]).toEqual([105, 106, 107, 108, 0, 1, 2, 3, 5, 6, 7, 8]);
    expect([...targets]).toEqual([106, 107, 108, 109, 1, 2, 3, 4, 6, 7, 8, 9]);
  });

  test('the last partial batch of an epoch wraps around to the first windows of the same order', () => {
    const inputs = new Int32Array(3 * 4);
    const targets = new Int32Array(3 * 4);
    fillBatch(windows, order, 1, inputs, targets);
    // positions 3, 4, 5 of the order modulo 4: windows 2 (walk 1, tokens 0..4), 3, 0
    expect([...inputs]).toEqual([100, 101, 102, 103, 105, 106, 107, 108, 0, 1, 2, 3]);
    expect(stepsPerEpoch(windows.count, 3)).toBe(2);
  });

  test('BAD CALL - buffers that are not batch x w are refused', () => {
    expect(() => fillBatch(windows, order, 0, new Int32Array(7), new Int32Array(7))).toThrow(RangeError);
  });
});

describe('epochOrder', () => {
  test('is the permutation of stream (seed, train, epoch, e), different for every epoch', () => {
    const expected = Int32Array.from({ length: 50 }, (_, i) => i);
    Rng.derive(9, 'train', 'epoch', 3).shuffle(expected);
    expect([...epochOrder(9, 3, 50)]).toEqual([...expected]);
    expect([...epochOrder(9, 3, 50)].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...epochOrder(9, 4, 50)]).not.toEqual([...epochOrder(9, 3, 50)]);
  });

  test('steps per epoch round up: the partial batch is kept', () => {
    expect(stepsPerEpoch(600, 16)).toBe(38);
    expect(stepsPerEpoch(600_000, 64)).toBe(9375);
    expect(stepsPerEpoch(5, 16)).toBe(1);
  });
});
