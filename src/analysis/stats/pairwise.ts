/**
 * Building blocks of the correlations: the pairwise-complete rows of two aligned columns and
 * Pearson's r of complete data.
 */

/** The rows where both columns are finite, as two packed arrays. */
export function completePairs(x: Float64Array, y: Float64Array): { x: Float64Array; y: Float64Array } {
  if (x.length !== y.length) throw new RangeError(`completePairs: columns must be aligned, got lengths ${x.length} and ${y.length}`);
  let count = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]) && Number.isFinite(y[i])) count++;
  const outX = new Float64Array(count);
  const outY = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      outX[k] = x[i];
      outY[k++] = y[i];
    }
  }
  return { x: outX, y: outY };
}

/**
 * Pearson's r of two equally long finite arrays, from centred sums (two passes, so a large
 * common offset does not cancel digits); clamped to [−1, 1] against rounding. NaN when either
 * array is constant.
 */
export function pearsonComplete(x: Float64Array, y: Float64Array): number {
  // Checked exactly: the mean of equal values can round away from them and leave a spurious variance.
  if (isConstant(x) || isConstant(y)) return Number.NaN;
  const n = x.length;
  let sumX = 0;
  let sumY = 0;
  for (let i = 0; i < n; i++) {
    sumX += x[i];
    sumY += y[i];
  }
  const meanX = sumX / n;
  const meanY = sumY / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - meanX;
    const dy = y[i] - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return Math.max(-1, Math.min(1, sxy / (Math.sqrt(sxx) * Math.sqrt(syy))));
}

/** Whether every value of `values` equals the first (true for fewer than two values). */
export function isConstant(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}
