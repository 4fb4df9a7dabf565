import { describe, expect, test } from 'vitest';
import { lastStep, lrMultiplier, stepBudget } from '../../src/training/schedule';

describe('stepBudget', () => {
  test('total is max_steps without an epoch cap, and warm-up is floor(10%)', () => {
    expect(stepBudget(105, null, 30)).toEqual({ total: 105, warm: 10 });
  });

  test('max_epochs caps the total at whole epochs', () => {
    expect(stepBudget(100, 2, 30)).toEqual({ total: 60, warm: 6 });
    expect(stepBudget(50, 2, 30)).toEqual({ total: 50, warm: 5 });
  });

  test('schedule_steps sets the horizon apart from max_steps; max_epochs caps both', () => {
    expect(stepBudget(100, null, 30, 300)).toEqual({ total: 300, warm: 30 });
    expect(lastStep(100, null, 30)).toBe(100);
    expect(stepBudget(100, 2, 30, 300)).toEqual({ total: 60, warm: 6 });
    expect(lastStep(100, 2, 30)).toBe(60);
    expect(stepBudget(100, null, 30, null)).toEqual(stepBudget(100, null, 30));
  });

  test('the anchor: 50 epochs of 9,375 steps give 468,750 steps with 46,875 of warm-up', () => {
    expect(stepBudget(10_000_000, 50, 9375)).toEqual({ total: 468_750, warm: 46_875 });
  });
});

describe('lrMultiplier', () => {
  const budget = { total: 100, warm: 10 };

  test('warms up linearly from 0: the first update uses lr = 0', () => {
    expect(lrMultiplier(0, budget)).toBe(0);
    expect(lrMultiplier(5, budget)).toBe(0.5);
    expect(lrMultiplier(9, budget)).toBeCloseTo(0.9, 15);
  });

  test('peaks at 1.0 when warm-up ends, is 0.55 half-way through the cosine and 0.1 at and after the end', () => {
    expect(lrMultiplier(10, budget)).toBeCloseTo(1.0, 15);
    expect(lrMultiplier(55, budget)).toBeCloseTo(0.55, 15);
    expect(lrMultiplier(100, budget)).toBeCloseTo(0.1, 15);
    expect(lrMultiplier(250, budget)).toBeCloseTo(0.1, 15);
  });

  test('three quarters through the cosine: 0.1 + 0.45 (1 + cos(3 pi / 4)) = 0.2318...', () => {
    // total 90, warm 10: k = 70 is 60 of the 80 cosine steps
    expect(lrMultiplier(70, { total: 90, warm: 10 })).toBeCloseTo(0.23180195, 8);
  });

  test('a budget too small for warm-up starts at the peak', () => {
    expect(stepBudget(5, null, 3)).toEqual({ total: 5, warm: 0 });
    expect(lrMultiplier(0, { total: 5, warm: 0 })).toBeCloseTo(1.0, 15);
    expect(lrMultiplier(0, { total: 1, warm: 0 })).toBeCloseTo(1.0, 15);
  });
});
