/**
 * Jumper rule lengths from scale factors of w (reference-pipeline.md section 4.1).
 */

/** Python's round(): round half to even, the reference's rounding. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Sorted, de-duplicated rule lengths max(1, round(scale * w)). Anchor (w=64): 32,45,58,64,70,83,96,128. */
export function jumperRValues(scales: readonly number[], w: number): number[] {
  const values = new Set(scales.map((scale) => Math.max(1, roundHalfEven(scale * w))));
  return [...values].sort((a, b) => a - b);
}
