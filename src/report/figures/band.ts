/**
 * Summary helper for the event-aligned figure: per position, the mean and a normal 95 %
 * confidence band (mean ± 1.96 · SE) over the events that have a finite value there.
 */
import { isFiniteValue } from './frame';
import type { BandSeries, Value } from './types';

/**
 * `samples[e][k]` is event e's value at position k (all rows the same length, else RangeError).
 * Positions with no finite value get null mean and band; with one, the mean but no band.
 */
export function meanBand(samples: readonly (readonly Value[])[]): BandSeries {
  const width = samples.length === 0 ? 0 : samples[0].length;
  samples.forEach((row, e) => {
    if (row.length !== width) throw new RangeError(`meanBand: event ${e} has ${row.length} positions but event 0 has ${width}`);
  });
  const mean: Value[] = [];
  const lower: Value[] = [];
  const upper: Value[] = [];
  for (let k = 0; k < width; k++) {
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    for (const row of samples) {
      const v = row[k];
      if (!isFiniteValue(v)) continue;
      n++;
      sum += v;
      sumSq += v * v;
    }
    const m = n > 0 ? sum / n : null;
    mean.push(m);
    if (m === null || n < 2) {
      lower.push(null);
      upper.push(null);
      continue;
    }
    const variance = Math.max(0, (sumSq - n * m * m) / (n - 1));
    const half = 1.96 * Math.sqrt(variance / n);
    lower.push(m - half);
    upper.push(m + half);
  }
  return { mean, lower, upper, n: samples.length };
}
