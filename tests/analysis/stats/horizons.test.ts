import { describe, expect, test } from 'vitest';
import {
  contiguousHorizon,
  curveMaximum,
  directionFreeCurve,
  referenceHorizon,
  summarizeHorizons,
} from '../../../src/analysis/stats/horizons';

const curve = (...values: number[]) => Float64Array.from(values);
const NaN_ = Number.NaN;

describe('referenceHorizon', () => {
  test('is the largest exceeding lookback even when earlier lookbacks dip below the threshold', () => {
    expect(referenceHorizon(curve(0.9, 0.8, 0.6, 0.77, 0.7))).toBe(4);
  });

  test('is 0 when no lookback exceeds the threshold, and the threshold itself does not count', () => {
    expect(referenceHorizon(curve(0.6, 0.75, 0.7))).toBe(0);
    expect(referenceHorizon(new Float64Array(0))).toBe(0);
  });

  test('skips NaN lookbacks and honours a custom threshold', () => {
    expect(referenceHorizon(curve(0.9, NaN_, 0.65, NaN_), 0.6)).toBe(3);
  });
});

describe('contiguousHorizon', () => {
  test('stops at the first lookback at or below the threshold', () => {
    expect(contiguousHorizon(curve(0.9, 0.8, 0.6, 0.77, 0.7))).toBe(2);
    expect(contiguousHorizon(curve(0.9, 0.8, 0.76))).toBe(3);
  });

  test('is 0 when lookback 1 fails, even if later lookbacks exceed', () => {
    expect(contiguousHorizon(curve(0.7, 0.9, 0.95))).toBe(0);
  });

  test('treats a NaN gap as a failure', () => {
    expect(contiguousHorizon(curve(0.9, NaN_, 0.9))).toBe(1);
    expect(contiguousHorizon(curve(NaN_, 0.9))).toBe(0);
  });
});

describe('direction-free curve', () => {
  test('folds AUROCs below 0.5 and keeps NaN', () => {
    expect([...directionFreeCurve(curve(0.1, 0.6, NaN_, 0.5))]).toEqual([0.9, 0.6, NaN_, 0.5]);
  });

  test('finds a horizon and a negative sign for a metric that drops before violations', () => {
    // Reference horizon sees nothing; the folded curve is 0.85, 0.8, 0.6, 0.78.
    const h = summarizeHorizons(curve(0.15, 0.2, 0.4, 0.22));
    expect(h.referenceHorizon).toBe(0);
    expect(h.contiguousHorizon).toBe(0);
    expect(h.directionFreeHorizon).toBe(4);
    expect(h.directionFreeMax).toEqual({ value: 0.85, lookback: 1 });
    expect(h.direction).toBe(-1);
    expect(h.max).toEqual({ value: 0.4, lookback: 3 });
  });

  test('takes the sign at the direction-free maximum when the curve crosses 0.5', () => {
    const h = summarizeHorizons(curve(0.8, 0.5, 0.1));
    expect(h.directionFreeMax.lookback).toBe(3);
    expect(h.direction).toBe(-1);
    expect(summarizeHorizons(curve(0.95, 0.1)).direction).toBe(1);
    expect(summarizeHorizons(curve(0.5, 0.5)).direction).toBe(0);
  });
});

describe('summarizeHorizons', () => {
  test('reports every quantity of a curve with a non-contiguous exceedance', () => {
    const h = summarizeHorizons(curve(0.9, 0.8, 0.6, 0.77, 0.7));
    expect(h.referenceHorizon).toBe(4);
    expect(h.contiguousHorizon).toBe(2);
    expect(h.directionFreeHorizon).toBe(4);
    expect(h.max).toEqual({ value: 0.9, lookback: 1 });
    expect(h.direction).toBe(1);
  });

  test('reports the first occurrence of a repeated maximum', () => {
    expect(curveMaximum(curve(0.6, 0.8, NaN_, 0.8))).toEqual({ value: 0.8, lookback: 2 });
  });

  test('reports NaN / 0 and no direction for an all-NaN or empty curve', () => {
    for (const empty of [curve(NaN_, NaN_), new Float64Array(0)]) {
      const h = summarizeHorizons(empty);
      expect(h.max.value).toBeNaN();
      expect(h.max.lookback).toBe(0);
      expect(h.directionFreeMax.lookback).toBe(0);
      expect([h.referenceHorizon, h.contiguousHorizon, h.directionFreeHorizon, h.direction]).toEqual([0, 0, 0, 0]);
    }
  });
});
