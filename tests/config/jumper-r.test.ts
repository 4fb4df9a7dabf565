import { describe, expect, it } from 'vitest';
import { jumperRValues, roundHalfEven } from '../../src/config/jumper-r';
import { DEFAULT_JUMPER_R_SCALES } from '../../src/config/schema';

describe('jumper rule lengths', () => {
  it('gives the reference anchor r values for w = 64', () => {
    expect(jumperRValues(DEFAULT_JUMPER_R_SCALES, 64)).toEqual([32, 45, 58, 64, 70, 83, 96, 128]);
  });

  it('gives the reference tiny r values for w = 8', () => {
    expect(jumperRValues(DEFAULT_JUMPER_R_SCALES, 8)).toEqual([4, 6, 7, 8, 9, 10, 12, 16]);
  });

  it('rounds half to even as Python does', () => {
    expect([0.5, 1.5, 2.5, 4.5, 5.5, 3.4999, 3.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, 6, 3, 4]);
  });

  it('never returns a rule length below 1', () => {
    expect(jumperRValues([0.01], 4)).toEqual([1]);
  });
});
