/**
 * The bias-corrected and accelerated (BCa) bootstrap interval (Efron & Tibshirani 1993,
 * §14.3 and eq. 15.36), written as SciPy's `scipy.stats.bootstrap(method='BCa')` computes it,
 * so that our intervals and the reference's differ only by the random draws.
 */
import { normalCdf, normalQuantile } from './normal';

/**
 * z0 = Φ⁻¹(share of the bootstrap distribution below the estimate), counting values equal to the
 * estimate as half (SciPy's `_percentile_of_score`): the median bias of the bootstrap
 * distribution in normal units. ±∞ when every resample lies on one side.
 */
export function biasCorrection(distribution: Float64Array, estimate: number): number {
  let twiceBelow = 0;
  for (let b = 0; b < distribution.length; b++) {
    if (distribution[b] < estimate) twiceBelow += 2;
    else if (distribution[b] === estimate) twiceBelow += 1;
  }
  return normalQuantile(twiceBelow / (2 * distribution.length));
}

/**
 * The acceleration a: the skewness of the statistic's influence, from the leave-one-out values of
 * each independent sample. With U_ji = (n_j − 1)(mean_j − θ_(−i)) for sample j of size n_j,
 * a = Σ_j Σ_i U_ji³ / n_j³ / (6 · (Σ_j Σ_i U_ji² / n_j²)^{3/2}). NaN when every leave-one-out
 * value is the same (no influence to measure, e.g. perfectly separated classes).
 */
export function acceleration(jackknife: readonly Float64Array[]): number {
  let cubes = 0;
  let squares = 0;
  for (const values of jackknife) {
    const n = values.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[i];
    const center = sum / n;
    let u3 = 0;
    let u2 = 0;
    for (let i = 0; i < n; i++) {
      const u = (n - 1) * (center - values[i]);
      u2 += u * u;
      u3 += u * u * u;
    }
    cubes += u3 / n ** 3;
    squares += u2 / n ** 2;
  }
  return ((1 / 6) * cubes) / squares ** 1.5;
}

/**
 * The two percentile levels of the BCa interval at `confidence`:
 * Φ(z0 + (z0 + z)/(1 − a(z0 + z))) for z = Φ⁻¹(α) and Φ⁻¹(1 − α), α = (1 − confidence)/2.
 * Non-finite inputs give NaN levels; the caller then falls back to the percentile interval.
 */
export function bcaLevels(z0: number, a: number, confidence: number): [number, number] {
  const zAlpha = normalQuantile((1 - confidence) / 2);
  const level = (z: number): number => normalCdf(z0 + (z0 + z) / (1 - a * (z0 + z)));
  return [level(zAlpha), level(-zAlpha)];
}
